import { describe, expect, it } from 'vitest';
import { InputError } from '../../../lib/errors.js';
import { parseTaskDefinitions } from '../../../lib/engine/input/task-definition.js';
import { deriveIntent, mergeRequirements, resolveLookups } from '../../../lib/engine/intent/index.js';
import type { ContainerDefinition, Intent, Lookup, Requirement } from '../../../lib/engine/types.js';
import { ACCT, OTHER, ROLE, TD_ARN, codes, pairs, td, unresolved } from './helpers.js';

const PRIVATE = `${ACCT}.dkr.ecr.us-east-1.amazonaws.com/app:1`;

describe('task-role features add nothing to the execution role (rows 12, 15-18)', () => {
  it('App Mesh, X-Ray, EFS IAM auth, ECS Exec, FireLens destinations and taskRoleArn', () => {
    const intent = deriveIntent([
      td(
        [
          {
            name: 'app',
            image: 'public.ecr.aws/nginx/nginx:latest',
            logConfiguration: { logDriver: 'awsfirelens', options: { Name: 'firehose', region: 'us-east-1', delivery_stream: 's' } },
          },
          { name: 'envoy', image: 'public.ecr.aws/appmesh/aws-appmesh-envoy:v1.27.0.0-prod' },
          { name: 'xray', image: 'public.ecr.aws/xray/aws-xray-daemon:latest' },
          {
            name: 'log_router',
            image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:stable',
            firelensConfiguration: { type: 'fluentbit' },
          },
        ],
        {
          taskRoleArn: `arn:aws:iam::${ACCT}:role/task`,
          proxyConfiguration: { type: 'APPMESH', containerName: 'envoy', properties: [] },
          volumes: [
            {
              name: 'efs',
              efsVolumeConfiguration: { fileSystemId: 'fs-1', transitEncryption: 'ENABLED', authorizationConfig: { iam: 'ENABLED' } },
            },
          ],
          enableExecuteCommand: true,
        },
      ),
    ]);
    expect(intent).toEqual({ requirements: [], unresolved: [], warnings: [] });
  });
});

describe('account and Region', () => {
  const logs: ContainerDefinition = {
    name: 'app',
    image: 'nginx',
    logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': 'g' } },
  };

  it('the account comes from executionRoleArn before taskDefinitionArn', () => {
    const intent = deriveIntent([td([logs], { executionRoleArn: `arn:aws:iam::${OTHER}:role/x` })]);
    expect(pairs(intent)).toContain(`logs:PutLogEvents arn:aws:logs:us-east-1:${OTHER}:log-group:g:*`);
  });

  it('falls back to the taskDefinitionArn account', () => {
    const intent = deriveIntent([td([logs], { executionRoleArn: undefined })]);
    expect(pairs(intent)).toContain(`logs:PutLogEvents arn:aws:logs:us-east-1:${ACCT}:log-group:g:*`);
  });

  // Deliberate change (issue 13): --account and --region fill only what the file leaves unknown.
  it('options never override what the file says, with mismatch warnings', () => {
    const intent = deriveIntent([td([logs])], { account: OTHER, region: 'eu-west-1' });
    expect(pairs(intent)).toContain(`logs:PutLogEvents arn:aws:logs:us-east-1:${ACCT}:log-group:g:*`);
    expect(codes(intent)).toEqual(['account-mismatch', 'region-mismatch']);
  });

  it('options fill what the file leaves unknown', () => {
    const intent = deriveIntent([td([logs], { taskDefinitionArn: undefined, executionRoleArn: undefined })], {
      account: OTHER,
      region: 'eu-west-1',
    });
    expect(pairs(intent)).toContain(`logs:PutLogEvents arn:aws:logs:eu-west-1:${OTHER}:log-group:g:*`);
    expect(intent.warnings.map((w) => w.code)).not.toContain('account-mismatch');
  });

  it('a placeholder account in executionRoleArn is kept as written, even with --account', () => {
    const noArn = { executionRoleArn: 'arn:aws:iam::XXXXXXXXXXXX:role/r', taskDefinitionArn: undefined, family: 'f', revision: undefined };
    const kept = deriveIntent([td([logs], noArn)], { region: 'us-east-1', account: OTHER, placeholders: 'keep' });
    expect(pairs(kept)).toContain('logs:PutLogEvents arn:aws:logs:us-east-1:XXXXXXXXXXXX:log-group:g:*');
    expect(unresolved(kept)).toEqual(['placeholder XXXXXXXXXXXX']);
    expect(kept.unresolved[0]!.reasons.map((r) => r.field)).toEqual([
      'executionRoleArn',
      'containerDefinitions[0].logConfiguration.options["awslogs-group"]',
    ]);
    expect(codes(kept)).toEqual(['account-mismatch', 'placeholder']);
    // Compared with a real grant, the placeholder grant is left out rather than invented.
    const omitted = deriveIntent([td([logs], noArn)], { region: 'us-east-1' });
    expect(omitted.requirements).toEqual([]);
    expect(unresolved(omitted)).toEqual(['placeholder XXXXXXXXXXXX']);
  });

  it('one needs-account warning per task definition, listing every field', () => {
    const two: ContainerDefinition = { ...logs, name: 'b', secrets: [{ name: 'X', valueFrom: 'p' }] };
    const intent = deriveIntent([td([logs, two], { taskDefinitionArn: undefined, executionRoleArn: undefined })], { region: 'us-east-1' });
    const w = intent.warnings.filter((x) => x.code === 'needs-account');
    expect(w).toHaveLength(1);
    expect(w[0]!.reasons!.map((r) => r.field)).toEqual([
      'containerDefinitions[0].logConfiguration.options["awslogs-group"]',
      'containerDefinitions[1].secrets[0].valueFrom',
      'containerDefinitions[1].logConfiguration.options["awslogs-group"]',
    ]);
  });

  it('ecr:GetAuthorizationToken needs neither account nor Region', () => {
    const intent = deriveIntent([td([{ name: 'a', image: PRIVATE }], { taskDefinitionArn: undefined, executionRoleArn: undefined })]);
    expect(pairs(intent)).toContain('ecr:GetAuthorizationToken *');
  });

  it.each([
    [{ account: 'XXXXXXXXXXXX' }, '$.account'],
    [{ region: '{{region}}' }, '$.region'],
  ])('invalid options are an InputError (%j)', (opts, path) => {
    expect(() => deriveIntent([], opts)).toThrow(InputError);
    try {
      deriveIntent([], opts);
    } catch (e) {
      expect((e as InputError).jsonPath).toBe(path);
    }
  });
});

describe('no executionRoleArn', () => {
  it('still computes, and warns when the task needs the role', () => {
    const intent = deriveIntent([td([{ name: 'a', image: PRIVATE }], { executionRoleArn: undefined })]);
    expect(pairs(intent)).toHaveLength(4);
    expect(codes(intent)).toEqual(['no-execution-role']);
  });

  it('no warning for a public image without logs or secrets', () => {
    expect(deriveIntent([td([{ name: 'a', image: 'nginx' }], { executionRoleArn: null })]).warnings).toEqual([]);
  });
});

// Who pulls and who logs on EC2 (AWS "IAM roles for Amazon ECS": the execution role is required for ECR pulls and
// awslogs when the task is hosted on Fargate or external instances; for secrets, private registry authentication and
// Runtime Monitoring on Fargate and EC2). On EC2 the container instance role pulls and, unless the agent sets
// ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE for a task that has an execution role, sends awslogs.
describe('EC2-only task definitions without an execution role', () => {
  const logs = { logDriver: 'awslogs', options: { 'awslogs-group': 'g', 'awslogs-region': 'us-east-1' } };
  const pullAndLog: ContainerDefinition = { name: 'a', image: PRIVATE, logConfiguration: logs };

  it.each([
    ['requiresCompatibilities EC2', { requiresCompatibilities: ['EC2'] }],
    ['bridge network, no compatibilities declared', { networkMode: 'bridge' }],
    ['host network, no compatibilities declared', { networkMode: 'host' }],
  ])('%s: ECR and awslogs are the instance role\'s, said instead of "would fail to start"', (_what, extra) => {
    const intent = deriveIntent([td([pullAndLog], { executionRoleArn: undefined, ...extra })]);
    expect(intent.requirements).toEqual([]);
    expect(codes(intent)).toEqual(['instance-role']);
    expect(intent.warnings[0]!.message).toContain('container instance role');
    expect(intent.warnings[0]!.reasons!.map((r) => r.field)).toEqual([
      'containerDefinitions[0].image',
      'containerDefinitions[0].logConfiguration.options["awslogs-group"]',
    ]);
  });

  it('with secrets the task needs an execution role even on EC2: warned', () => {
    const c: ContainerDefinition = { ...pullAndLog, secrets: [{ name: 'DB', valueFrom: '/app/db' }] };
    const intent = deriveIntent([td([c], { executionRoleArn: undefined, requiresCompatibilities: ['EC2'] })]);
    expect(pairs(intent)).toEqual([`ssm:GetParameters arn:aws:ssm:us-east-1:${ACCT}:parameter/app/db`]);
    expect(codes(intent)).toEqual(['no-execution-role', 'instance-role']);
    expect(intent.warnings[0]!.message).toContain('on EC2 too');
  });

  it('Fargate-compatible or awsvpc without compatibilities: the task cannot start without the role', () => {
    for (const extra of [
      { requiresCompatibilities: ['EC2', 'FARGATE'] },
      { networkMode: 'awsvpc' },
      { requiresCompatibilities: ['EXTERNAL'] },
    ]) {
      const intent = deriveIntent([td([pullAndLog], { executionRoleArn: undefined, ...extra })]);
      expect(pairs(intent)).toHaveLength(6);
      expect(codes(intent)).toEqual(['no-execution-role']);
    }
  });

  it('with an execution role, EC2 tasks still get the pulls and logs (kept for the agent override)', () => {
    const intent = deriveIntent([td([pullAndLog], { requiresCompatibilities: ['EC2'] })]);
    expect(pairs(intent)).toHaveLength(6);
    expect(intent.warnings).toEqual([]);
  });
});

describe("Terraform's container_definitions (only containers)", () => {
  it('plans with the missing fields unresolved and says where they live', () => {
    const containers = [
      { name: 'web', image: '${ecr_repo}:${tag}', logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/web' } } },
    ];
    const [std] = parseTaskDefinitions(JSON.stringify(containers), 'containers.json');
    expect(std!.containersOnly).toBe(true);
    const intent = deriveIntent([std!], { placeholders: 'keep' });
    expect(unresolved(intent)).toEqual([
      'needs-account log-group:/ecs/web',
      'needs-region log-group:/ecs/web',
      'placeholder ${ecr_repo}',
      'placeholder ${tag}',
    ]);
    expect(intent.unresolved.find((l) => l.resource === '${ecr_repo}')!.reasons[0]!.field).toBe('[0].image');
    expect(codes(intent)).toContain('containers-only');
    expect(codes(intent)).not.toContain('no-execution-role');
    const filled = deriveIntent([std!], { account: ACCT, region: 'eu-west-1' });
    expect(pairs(filled)).toEqual([
      `logs:CreateLogStream arn:aws:logs:eu-west-1:${ACCT}:log-group:/ecs/web:*`,
      `logs:PutLogEvents arn:aws:logs:eu-west-1:${ACCT}:log-group:/ecs/web:*`,
    ]);
  });
});

describe('reason labels', () => {
  const c: ContainerDefinition = { name: 'a', image: PRIVATE };
  const label = (intent: Intent) => intent.requirements[0]!.reasons[0]!.taskDefinition;

  it('ARN, else family:revision, else family, else the source file', () => {
    expect(label(deriveIntent([td([c])]))).toBe(TD_ARN);
    expect(label(deriveIntent([td([c], { taskDefinitionArn: undefined })]))).toBe('app:3');
    expect(label(deriveIntent([td([c], { taskDefinitionArn: undefined, revision: undefined })]))).toBe('app');
    expect(label(deriveIntent([td([c], { taskDefinitionArn: undefined, revision: undefined, family: undefined }, 'x.json')]))).toBe(
      'x.json',
    );
  });
});

describe('union over task definitions and determinism', () => {
  const a = td([{ name: 'a', image: PRIVATE }], {}, 'a.json');
  const b = td(
    [{ name: 'b', image: PRIVATE, environmentFiles: [{ type: 'x' }] }],
    { taskDefinitionArn: `arn:aws:ecs:us-east-1:${ACCT}:task-definition/other:1`, executionRoleArn: ROLE },
    'b.json',
  );
  const z = td([{ name: 'z', image: '' }], { taskDefinitionArn: undefined, family: 'zz' }, 'z.json');

  it('requirements merge across task definitions with every reason', () => {
    const intent = deriveIntent([a, b]);
    expect(pairs(intent)).toHaveLength(4);
    expect(intent.requirements.every((r) => r.reasons.length === 2)).toBe(true);
  });

  it('warnings keep input order', () => {
    expect(deriveIntent([z, b]).warnings.map((w) => w.reasons![0]!.taskDefinition)).toEqual([
      'zz:3',
      `arn:aws:ecs:us-east-1:${ACCT}:task-definition/other:1`,
    ]);
    expect(deriveIntent([b, z]).warnings.map((w) => w.reasons![0]!.taskDefinition)).toEqual([
      `arn:aws:ecs:us-east-1:${ACCT}:task-definition/other:1`,
      'zz:3',
    ]);
  });

  it('the same input gives the same output, and requirement order does not depend on input order', () => {
    expect(deriveIntent([a, b, z])).toEqual(deriveIntent([a, b, z]));
    expect(pairs(deriveIntent([a, b]))).toEqual(deriveIntent([b, a]).requirements.map((r) => `${r.action} ${r.resource}`));
  });
});

describe('mergeRequirements', () => {
  const r1 = { taskDefinition: 't1', field: 'f1' };
  const r2 = { taskDefinition: 't2', field: 'f2' };

  it('dedupes on (action, resource), unites reasons and crossAccount, sorts by action then resource', () => {
    const input: Requirement[] = [
      { action: 'ssm:GetParameters', resource: 'arn:b', reasons: [r1] },
      { action: 'ecr:BatchGetImage', resource: 'arn:z', reasons: [r1] },
      { action: 'ssm:GetParameters', resource: 'arn:a', reasons: [r2] },
      { action: 'ssm:GetParameters', resource: 'arn:b', reasons: [r2, r1], crossAccount: true },
      { action: 'ecr:BatchGetImage', resource: 'arn:Z', reasons: [r2] },
    ];
    expect(mergeRequirements(input)).toEqual([
      { action: 'ecr:BatchGetImage', resource: 'arn:Z', reasons: [r2] },
      { action: 'ecr:BatchGetImage', resource: 'arn:z', reasons: [r1] },
      { action: 'ssm:GetParameters', resource: 'arn:a', reasons: [r2] },
      { action: 'ssm:GetParameters', resource: 'arn:b', reasons: [r1, r2], crossAccount: true },
    ]);
  });

  it('does not mutate its input', () => {
    const input: Requirement[] = [
      { action: 'a:B', resource: '*', reasons: [r1] },
      { action: 'a:B', resource: '*', reasons: [r2] },
    ];
    mergeRequirements(input);
    expect(input[0]!.reasons).toEqual([r1]);
  });
});

describe('resolveLookups (row 10)', () => {
  const secret = `arn:aws:secretsmanager:us-east-1:${ACCT}:secret:db-AbCdEf`;
  const param = `arn:aws:ssm:us-east-1:${ACCT}:parameter/p`;
  const base = deriveIntent([
    td([
      {
        name: 'a',
        image: 'nginx',
        secrets: [
          { name: 'A', valueFrom: secret },
          { name: 'B', valueFrom: '/p' },
          { name: 'C', valueFrom: '/q' },
        ],
      },
    ]),
  ]);
  const lookup = (resource: string): Lookup => base.unresolved.find((l) => l.resource === resource)!;
  const key = `arn:aws:kms:us-east-1:${ACCT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

  it('a customer-managed key ARN → kms:Decrypt on it, with the reasons of the secret', () => {
    const out = resolveLookups(base, [{ lookup: lookup(secret), keyArn: key }]);
    const dec = out.requirements.find((r) => r.action === 'kms:Decrypt')!;
    expect(dec.resource).toBe(key);
    expect(dec.reasons.map((r) => r.field)).toEqual(['containerDefinitions[0].secrets[0].valueFrom']);
    expect(unresolved(out)).toEqual([`kms-key-for-parameter ${param}`, `kms-key-for-parameter arn:aws:ssm:us-east-1:${ACCT}:parameter/q`]);
  });

  it('one key behind two parameters → one requirement with both reasons', () => {
    const q = `arn:aws:ssm:us-east-1:${ACCT}:parameter/q`;
    const out = resolveLookups(base, [
      { lookup: lookup(param), keyArn: key },
      { lookup: lookup(q), keyArn: key },
    ]);
    const dec = out.requirements.filter((r) => r.action === 'kms:Decrypt');
    expect(dec).toHaveLength(1);
    expect(dec[0]!.reasons).toHaveLength(2);
  });

  it("'aws-managed' → nothing to grant, lookup resolved", () => {
    const out = resolveLookups(base, [{ lookup: lookup(param), keyArn: 'aws-managed' }]);
    expect(out.requirements).toEqual(base.requirements);
    expect(out.unresolved.map((l) => l.resource)).not.toContain(param);
  });

  it("'not-found' → a warning, no requirement", () => {
    const out = resolveLookups(base, [{ lookup: lookup(secret), keyArn: 'not-found' }]);
    expect(out.requirements).toEqual(base.requirements);
    expect(codes(out)).toEqual(['kms-key-not-found']);
  });

  it('an alias ARN is never used as a resource', () => {
    const out = resolveLookups(base, [{ lookup: lookup(secret), keyArn: `arn:aws:kms:us-east-1:${ACCT}:alias/app` }]);
    expect(out.requirements.some((r) => r.action === 'kms:Decrypt')).toBe(false);
    expect(codes(out)).toEqual(['invalid-kms-key-arn']);
  });

  it('needs-account / needs-region entries stay unresolved', () => {
    const open = deriveIntent([
      td([{ name: 'a', image: 'nginx', secrets: [{ name: 'A', valueFrom: '/p' }] }], { taskDefinitionArn: undefined }),
    ]);
    const out = resolveLookups(open, [{ lookup: open.unresolved[0]!, keyArn: key }]);
    expect(unresolved(out)).toEqual(['needs-region parameter/p']);
    expect(out.requirements).toEqual([]);
  });
});
