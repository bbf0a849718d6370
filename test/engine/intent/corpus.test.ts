// Every task definition of corpus set A (expectations in corpus-expectations.ts).
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../lib/errors.js';
import { parseTaskDefinitionValue, parseTaskDefinitions } from '../../../lib/engine/input/task-definition.js';
import { substituteJson } from '../../../lib/engine/input/substitute.js';
import { deriveIntent, type IntentOptions } from '../../../lib/engine/intent/index.js';
import type { Intent } from '../../../lib/engine/types.js';
import { listCorpus, readCorpusText } from '../../support/corpus.js';
import { DIR, E, TOKEN, ecr, fileFor, files, logs, valueFroms } from './corpus-expectations.js';
import { actions, codes, find, pairs, unresolved } from './helpers.js';

/** The plan's view: placeholders filling one slot stay in it (`leash plan`). */
function intentOf(id: string, opts?: IntentOptions): Intent {
  const f = fileFor(id);
  return deriveIntent(parseTaskDefinitions(readCorpusText(DIR, f), f), { placeholders: 'keep', ...opts });
}

describe('corpus set A: task definitions', () => {
  it('has the 29 JSON files and the CloudFormation template', () => {
    expect(files).toHaveLength(29);
    expect(Object.keys(E).sort()).toEqual(files.map((f) => f.slice(0, 3)));
  });

  it.each(files)('%s', (f) => {
    const exp = E[f.slice(0, 3)]!;
    const intent = intentOf(f.slice(0, 3));
    expect(pairs(intent)).toEqual([...new Set(exp.pairs)].sort());
    expect(actions(intent)).toEqual([...new Set(exp.pairs.map((p) => p.split(' ')[0]!))].sort());
    if (exp.unresolved) {
      const kms = exp.unresolved.some((u) => u.startsWith('kms-'));
      const got = kms ? unresolved(intent) : unresolved(intent).filter((u) => !u.startsWith('kms-'));
      expect(got).toEqual([...exp.unresolved].sort());
    }
    for (const code of exp.warnings ?? []) expect(codes(intent)).toContain(code);
  });

  it('A17 (CloudFormation YAML) gives the clear CloudFormation error', () => {
    const f = listCorpus(DIR, '.yml')[0]!;
    expect(f.startsWith('A17_')).toBe(true);
    expect(() => parseTaskDefinitions(readCorpusText(DIR, f), f)).toThrow(InputError);
    expect(() => parseTaskDefinitions(readCorpusText(DIR, f), f)).toThrow(
      `${f}: $: this is a CloudFormation template (AWS::ECS::TaskDefinition)`,
    );
  });
});

describe('corpus set A: details', () => {
  it('A01/A02 with --account: awslogs on the role account', () => {
    expect(pairs(intentOf('A01', { account: '123456789012' }))).toEqual(
      logs('arn:aws:logs:us-east-1:123456789012:log-group:awslogs-nginx-ecs'),
    );
    expect(pairs(intentOf('A02', { account: '123456789012' }))).toEqual(
      logs('arn:aws:logs:us-east-1:123456789012:log-group:/ecs/tomcat-container-logs'),
    );
  });

  // Deliberate change (issue 13): --account no longer overwrites the file's placeholder account XXXXXXXXXXXX; the
  // pipeline's substitution does, and then the AWS-owned registry is known to be another account.
  it('A04 once XXXXXXXXXXXX is substituted: cross-account, cross-Region ECR and logs in us-west-2', () => {
    const f = fileFor('A04');
    const { value } = substituteJson(JSON.parse(readCorpusText(DIR, f)), new Map([['XXXXXXXXXXXX', '123456789012']]));
    const intent = deriveIntent(parseTaskDefinitionValue(value, f));
    const repo = 'arn:aws:ecr:us-east-1:906394416424:repository/aws-for-fluent-bit';
    expect(pairs(intent)).toEqual(
      [TOKEN, ...ecr(repo), ...logs('arn:aws:logs:us-west-2:123456789012:log-group:firelens-container', true)].sort(),
    );
    expect(find(intent, 'ecr:BatchGetImage', repo)!.crossAccount).toBe(true);
    expect(codes(intent)).toContain('cross-account-ecr');
    expect(intent.unresolved).toEqual([]);
  });

  it('A04 with --account: the placeholder account stays and --account is reported as not used', () => {
    const intent = intentOf('A04', { account: '123456789012' });
    expect(pairs(intent)).toContain('logs:PutLogEvents arn:aws:logs:us-west-2:XXXXXXXXXXXX:log-group:firelens-container:*');
    expect(codes(intent)).toContain('account-mismatch');
  });

  it('A07: only the App Mesh Envoy repository is cross-account', () => {
    const intent = intentOf('A07');
    const cross = intent.requirements.filter((r) => r.crossAccount).map((r) => r.resource);
    expect([...new Set(cross)]).toEqual(['arn:aws:ecr:us-east-1:840364872350:repository/aws-appmesh-envoy']);
  });

  // Deliberate change (issue 13): the {{awslogs-region}} placeholder stays in the log group's Region slot; --region
  // fills only the task's Region (the SSM name's) and, through it, the partition.
  it('A09 with account and Region: SSM name without slash, "True" create-group, awslogs-region kept', () => {
    const intent = intentOf('A09', { account: '123456789012', region: 'eu-west-1' });
    expect(pairs(intent)).toEqual(
      [
        ...logs('arn:aws:logs:{{awslogs-region}}:123456789012:log-group:/ecs/ecs-cwagent-sidecar-fargate', true),
        'ssm:GetParameters arn:aws:ssm:eu-west-1:123456789012:parameter/ecs-cwagent-sidecar-fargate',
      ].sort(),
    );
    expect(unresolved(intent)).toEqual([
      'kms-key-for-parameter arn:aws:ssm:eu-west-1:123456789012:parameter/ecs-cwagent-sidecar-fargate',
      'placeholder {{awslogs-region}}',
      'placeholder {{demo-app-image}}',
      'placeholder {{execution-role-arn}}',
    ]);
  });

  it('A11: SSM reasons point at the secrets fields of container "server"', () => {
    const req = find(intentOf('A11'), 'ssm:GetParameters', 'arn:aws:ssm:us-east-2:644160558196:parameter/dev/redash/secret')!;
    expect(req.reasons).toEqual([
      {
        taskDefinition: 'arn:aws:ecs:us-east-2:644160558196:task-definition/dev-redash-server:75',
        container: 'server',
        field: 'containerDefinitions[0].secrets[1].valueFrom',
      },
    ]);
  });

  it('A21/A23/A29: every SSM ARN kept verbatim (7, 37 and 10 parameters)', () => {
    expect(valueFroms('A21')).toHaveLength(7);
    expect(valueFroms('A23')).toHaveLength(37);
    expect(valueFroms('A29')).toHaveLength(10);
    expect(intentOf('A23').requirements.filter((r) => r.action === 'ssm:GetParameters')).toHaveLength(37);
  });

  it('A22 with --region: parameter/l3t2/... in the role account, never parameter//', () => {
    const intent = intentOf('A22', { region: 'us-east-1' });
    const ssm = intent.requirements.filter((r) => r.action === 'ssm:GetParameters').map((r) => r.resource);
    expect(ssm).toHaveLength(9);
    expect(ssm).toContain('arn:aws:ssm:us-east-1:189803205932:parameter/l3t2/SECRET_KEY');
    expect(ssm.some((r) => r.includes('parameter//'))).toBe(false);
    expect(intent.unresolved.filter((u) => u.kind.startsWith('needs-'))).toEqual([]);
  });

  it('A22 with neither account nor region options, but no role account either → needs-account too', () => {
    const f = fileFor('A22');
    const [std] = parseTaskDefinitions(readCorpusText(DIR, f), f);
    const intent = deriveIntent([{ ...std!, taskDefinition: { ...std!.taskDefinition, executionRoleArn: null } }]);
    expect(unresolved(intent)).toContain('needs-account parameter/l3t2/SECRET_KEY');
  });

  it('A23 (EC2 only): awslogs reasons carry the instance-role note', () => {
    const req = find(
      intentOf('A23'),
      'logs:PutLogEvents',
      'arn:aws:logs:us-east-1:919287165101:log-group:/ecs/picktoss-prod-task-definition:*',
    )!;
    expect(req.reasons[0]!.note).toContain('ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE');
  });

  it('A24: two containers share image and log group → merged requirements with both reasons', () => {
    const req = find(intentOf('A24'), 'ecr:BatchGetImage', 'arn:aws:ecr:us-east-2:058264339376:repository/datapull/fastapi-backend')!;
    expect(req.reasons.map((r) => r.container)).toEqual(['fastapi-container', 'celery-worker']);
  });

  it('A27: 17 JSON-key references → exactly one GetSecretValue on the full ARN', () => {
    const reqs = intentOf('A27').requirements.filter((r) => r.action === 'secretsmanager:GetSecretValue');
    expect(reqs).toHaveLength(1);
    expect(reqs[0]!.resource).toBe('arn:aws:secretsmanager:us-east-1:967512078853:secret:the-floor/prod-48goq3');
    expect(reqs[0]!.reasons).toHaveLength(17);
  });
});
