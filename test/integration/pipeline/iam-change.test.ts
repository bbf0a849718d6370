// functions/iam-change against moto with the demo account: every IAM event in events/ is first made in moto (as the
// demo does), then delivered; the expected findings follow from spec §1 (the managed policy), §2.3 and §8.
// The tests share one account and run in order: each states the change its event makes.
import { CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { useMoto } from '../../support/moto.js';
import {
  createWorld,
  demoAccount,
  ecrRepo,
  enact,
  event,
  keysOf,
  logGroup,
  parameter,
  REGION,
  registerInMoto,
  roleArn,
  secret,
  type DemoWorld,
  WEB_SEEDED_FINDINGS,
} from '../../support/world/index.js';

// attach-role-policy.json attaches the AWS managed AmazonECSTaskExecutionRolePolicy: moto loads those on request.
process.env.MOTO_IAM_LOAD_MANAGED_POLICIES = 'true';
const moto = useMoto({ resetEachTest: false });

const WEB = roleArn('web-exec');
const BILLING = roleArn('billing-exec');
const REPORTS = roleArn('reports-exec');
const LEGACY = roleArn('legacy-exec');
const doc = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });

// Every web-exec revision: private ECR web/api and web/worker, awslogs /ecs/web with create-group, an SSM
// SecureString and a Secrets Manager secret, both under the customer key alias/web-secrets.
const webNeeds = (keyArn: string) => [
  'ecr:GetAuthorizationToken *',
  ...['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'].flatMap((a) => [
    `${a} ${ecrRepo('web/api')}`,
    `${a} ${ecrRepo('web/worker')}`,
  ]),
  `logs:CreateLogStream ${logGroup('/ecs/web')}:*`,
  `logs:PutLogEvents ${logGroup('/ecs/web')}:*`,
  `logs:CreateLogGroup ${logGroup('/ecs/web')}`,
  `logs:CreateLogGroup ${logGroup('/ecs/web')}:*`,
  `ssm:GetParameters ${parameter('/web/prod/db-password')}`,
  `secretsmanager:GetSecretValue ${secret('web/stripe-AbCdEf')}`,
  `kms:Decrypt ${keyArn}`,
];
const BILLING_PULL_AND_LOGS = [
  ...['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'].map((a) => `${a} ${ecrRepo('billing')}`),
  `logs:CreateLogStream ${logGroup('/ecs/billing')}:*`,
  `logs:PutLogEvents ${logGroup('/ecs/billing')}:*`,
];

describe('iam-change: each IAM event in events/, enacted in moto then delivered', () => {
  let w: DemoWorld;
  beforeAll(async () => {
    w = await createWorld(moto.config(), demoAccount());
    // What delete-role-policy.json and delete-role.json remove must exist first.
    await w.clients.iam.send(
      new PutRolePolicyCommand({
        RoleName: 'reports-exec',
        PolicyName: 'reports-secrets',
        PolicyDocument: doc(
          { Effect: 'Allow', Action: 'ssm:GetParameters', Resource: parameter('/reports/api-token') },
          { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secret('reports/smtp-QwErTy') },
        ),
      }),
    );
    const trust = doc({ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' });
    await w.clients.iam.send(new CreateRoleCommand({ RoleName: 'legacy-exec', AssumeRolePolicyDocument: trust }));
    await registerInMoto(w.clients, {
      family: 'legacy',
      executionRoleArn: LEGACY,
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        {
          name: 'legacy',
          image: `123456789012.dkr.ecr.${REGION}.amazonaws.com/legacy:1`,
          logConfiguration: {
            logDriver: 'awslogs',
            options: { 'awslogs-group': '/ecs/legacy', 'awslogs-region': REGION, 'awslogs-stream-prefix': 'legacy' },
          },
        },
      ],
    });
    const sweep = await w.run.reconcile(event('scheduled-reconcile.json'));
    expect(sweep.complete).toBe(true);
    await w.notices();
  });

  it('after the sweep, each role’s findings are what its grant lacks or over-grants', async () => {
    expect(keysOf(await w.findings(WEB))).toEqual(WEB_SEEDED_FINDINGS);
    expect(keysOf(await w.findings(REPORTS))).toEqual([
      `missing logs:CreateLogGroup ${logGroup('/ecs/reports')}`,
      `missing logs:CreateLogGroup ${logGroup('/ecs/reports')}:*`,
    ]);
    // billing-exec holds only billing-extra: its secret on *, s3:* and SSM parameters it never reads.
    expect(keysOf(await w.findings(BILLING))).toEqual(
      [
        'missing ecr:GetAuthorizationToken *',
        ...BILLING_PULL_AND_LOGS.map((k) => `missing ${k}`),
        'too-broad secretsmanager:GetSecretValue *',
        'excess s3:* *',
        `excess ssm:GetParameters ${parameter('*')}`,
      ].sort(),
    );
  });

  it('PutRolePolicy (billing-exports: s3 reads on *) → excess findings for billing-exec, announced', async () => {
    const e = event('put-role-policy.json');
    await enact(w.clients, e);
    const summary = await w.run.iamChange(e);
    expect(summary.roles.map((r) => [r.roleArn, r.changed])).toEqual([[BILLING, true]]);
    const findings = keysOf(await w.findings(BILLING));
    expect(findings).toContain('excess s3:GetObject *');
    expect(findings).toContain('excess s3:ListBucket *');
    const notices = await w.notices();
    expect(notices.map((n) => [n.role, n.subject])).toEqual([[BILLING, 'Leash: 6 urgent, 5 review findings on role billing-exec']]);
    expect(notices[0]!.lines.some((l) => l.startsWith('[review] excess: s3:GetObject on *'))).toBe(true);
  });

  it('AttachRolePolicy AmazonECSTaskExecutionRolePolicy → the pulls and logs are granted, but on * (too broad)', async () => {
    const e = event('attach-role-policy.json');
    await enact(w.clients, e);
    const summary = await w.run.iamChange(e);
    expect(summary.roles.map((r) => r.roleArn)).toEqual([BILLING]);
    const findings = await w.findings(BILLING);
    expect(keysOf(findings, 'missing')).toEqual([]);
    // GetAuthorizationToken must be on * (spec §2.3 row 1): never too broad.
    expect(keysOf(findings, 'too-broad')).toEqual(
      [
        ...[
          'ecr:BatchCheckLayerAvailability',
          'ecr:BatchGetImage',
          'ecr:GetDownloadUrlForLayer',
          'logs:CreateLogStream',
          'logs:PutLogEvents',
        ].map((a) => `too-broad ${a} *`),
        'too-broad secretsmanager:GetSecretValue *',
      ].sort(),
    );
    expect((await w.notices()).map((n) => n.subject)).toEqual(['Leash: 10 review findings on role billing-exec']);
  });

  it('TagRole changes no permission: recomputed, unchanged, not announced', async () => {
    const e = event('tag-role.json');
    await enact(w.clients, e);
    const before = await w.findings(BILLING);
    const summary = await w.run.iamChange(e);
    expect(summary.roles.map((r) => [r.roleArn, r.changed])).toEqual([[BILLING, false]]);
    expect(await w.findings(BILLING)).toEqual(before);
    expect(await w.notices()).toEqual([]);
  });

  it('a PutRolePolicy made by Leash’s own role is skipped', async () => {
    const summary = await w.run.iamChange(event('put-role-policy-by-leash.json'));
    expect(summary.skipped).toMatch(/Leash itself/);
    expect(summary.roles).toEqual([]);
    expect(await w.notices()).toEqual([]);
  });

  it('CreatePolicyVersion (v2 on *) on ecs-exec-shared → web-exec, found through the policy’s attachments', async () => {
    const e = event('create-policy-version.json');
    await enact(w.clients, e);
    const summary = await w.run.iamChange(e);
    expect(summary.roles.map((r) => [r.roleArn, r.changed])).toEqual([[WEB, true]]);
    // v2 drops BatchCheckLayerAvailability, Secrets Manager and KMS, and grants the rest on *.
    expect(keysOf(await w.findings(WEB))).toEqual(
      [
        `missing ecr:BatchCheckLayerAvailability ${ecrRepo('web/api')}`,
        `missing ecr:BatchCheckLayerAvailability ${ecrRepo('web/worker')}`,
        `missing logs:CreateLogGroup ${logGroup('/ecs/web')}`,
        `missing logs:CreateLogGroup ${logGroup('/ecs/web')}:*`,
        `missing secretsmanager:GetSecretValue ${secret('web/stripe-AbCdEf')}`,
        `missing kms:Decrypt ${w.account.keyArn}`,
        ...['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'logs:CreateLogStream', 'logs:PutLogEvents', 'ssm:GetParameters'].map(
          (a) => `too-broad ${a} *`,
        ),
      ].sort(),
    );
    expect((await w.notices()).map((n) => n.subject)).toEqual(['Leash: 6 urgent, 5 review findings on role web-exec']);
  });

  it('SetDefaultPolicyVersion back to v1 → web-exec’s findings return to what they were', async () => {
    const e = event('set-default-policy-version.json');
    await enact(w.clients, e);
    await w.run.iamChange(e);
    expect(keysOf(await w.findings(WEB))).toEqual(WEB_SEEDED_FINDINGS);
    expect((await w.notices()).map((n) => n.subject)).toEqual(['Leash: 2 urgent, 5 review findings on role web-exec']);
  });

  it('DetachRolePolicy leaves web-exec with nothing: every requirement is missing', async () => {
    const e = event('detach-role-policy.json');
    await enact(w.clients, e);
    await w.run.iamChange(e);
    expect(keysOf(await w.findings(WEB))).toEqual(
      webNeeds(w.account.keyArn)
        .map((k) => `missing ${k}`)
        .sort(),
    );
    const [notice] = await w.notices();
    expect(notice!.subject).toBe('Leash: 14 urgent findings on role web-exec');
    expect(notice!.lines.every((l) => l.startsWith('[urgent] missing: '))).toBe(true);
  });

  it('UpdateAssumeRolePolicy opening reports-exec to another account → a trust-policy finding, and the role is shared', async () => {
    const e = event('update-assume-role-policy.json');
    await enact(w.clients, e);
    await w.run.iamChange(e);
    const trust = (await w.findings(REPORTS))!.filter((f) => f.kind === 'trust-policy');
    expect(trust.map((f) => [f.action, f.resource, f.severity])).toEqual([['sts:AssumeRole', REPORTS, 'review']]);
    expect(trust[0]!.reasons.join(' ')).toContain('210987654321');
    // Something other than ECS tasks can assume it now: more than an execution role, never cut to one.
    const [shared, ...more] = (await w.findings(REPORTS))!.filter((f) => f.kind === 'shared-role');
    expect(more).toEqual([]);
    expect(shared).toMatchObject({ severity: 'review', resource: REPORTS });
    expect(shared!.reasons.join(' ')).toMatch(/shared: .*210987654321.*assume the role/);
    expect(shared!.reasons.join(' ')).toContain('proposed split: a dedicated execution role reports-exec-execution');
    expect((await w.notices()).map((n) => n.role)).toEqual([REPORTS]);
  });

  it('DeleteRolePolicy of reports-secrets → its parameter and secret become missing', async () => {
    const e = event('delete-role-policy.json');
    await enact(w.clients, e);
    await w.run.iamChange(e);
    const missing = keysOf(await w.findings(REPORTS), 'missing');
    expect(missing).toContain(`missing ssm:GetParameters ${parameter('/reports/api-token')}`);
    expect(missing).toContain(`missing secretsmanager:GetSecretValue ${secret('reports/smtp-QwErTy')}`);
    // The review findings: the trust policy and the shared-role finding it implies (previous test).
    expect((await w.notices()).map((n) => n.subject)).toEqual(['Leash: 4 urgent, 2 review findings on role reports-exec']);
  });

  it('CreateRole of a role no indexed task definition uses is skipped', async () => {
    const e = event('create-role.json');
    await enact(w.clients, e);
    const summary = await w.run.iamChange(e);
    expect(summary.skipped).toMatch(/no execution role of an indexed task definition/);
    expect(await w.findings(roleArn('payments-exec'))).toBeUndefined();
    expect(await w.notices()).toEqual([]);
  });

  it('DeleteRole of an indexed execution role clears its findings', async () => {
    expect(keysOf(await w.findings(LEGACY), 'missing')).toHaveLength(6);
    const e = event('delete-role.json');
    await enact(w.clients, e);
    const summary = await w.run.iamChange(e);
    expect(summary.roles.map((r) => [r.roleArn, r.skipped])).toEqual([[LEGACY, 'role no longer exists']]);
    expect(await w.findings(LEGACY)).toEqual([]);
  });
});
