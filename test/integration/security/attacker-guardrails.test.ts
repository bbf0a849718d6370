// Issue 10, items 3, 4, 5 and 6, as an attacker, through the deployed remediation handler on moto. Shared roles in
// every trust-policy form an attacker (or a hurried owner) would write are never cut and never changed in auto; mode
// tag near-misses count as observe; IaC ownership wins over auto; and the change budget holds when the remediation
// function runs in parallel (Lambda scales SQS consumers out), not only within one invocation.
import { AddRoleToInstanceProfileCommand, CreateInstanceProfileCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useMoto } from '../../support/moto.js';
import { awslogs, roleArn, type ExtraRole } from '../../support/world/index.js';
import { deploy, type Deployed } from './deployed.js';

const moto = useMoto({ resetEachTest: false });
const CAP = 3;
let d: Deployed;
beforeAll(async () => {
  d = await deploy(moto.config(), { LEASH_MAX_CHANGES_PER_WINDOW: String(CAP), LEASH_CHANGE_WINDOW_MINUTES: '60' });
});
afterAll(() => d?.world.close());

/** The application's own data-plane grants beside an over-broad execution grant (a removal candidate). */
const APP_DATA = [
  { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::app-data/*' },
  { Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: 'arn:aws:dynamodb:eu-west-1:123456789012:table/orders' },
];
const BROAD_EXEC = [{ Effect: 'Allow', Action: ['logs:*'], Resource: '*' }];

const role = (name: string, over: Partial<ExtraRole> = {}): ExtraRole => ({
  name,
  tags: { 'leash:mode': 'auto', 'leash:scope': `log-group:/ecs/${name}` },
  inline: { 'app-data': APP_DATA, 'exec-broad': BROAD_EXEC },
  taskDefinitions: [
    {
      family: name,
      containers: [
        { name, image: 'public.ecr.aws/docker/library/busybox:1', essential: true, memory: 128, logConfiguration: awslogs(`/ecs/${name}`) },
      ],
    },
  ],
  ...over,
});
const ecsAnd = (statement: object) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }, statement],
});

describe('shared roles: every trust-policy form that lets someone else in', () => {
  const variants: [string, object][] = [
    ['anyone (Principal "*")', ecsAnd({ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' })],
    ['any AWS principal', ecsAnd({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' })],
    ['the account root', ecsAnd({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'sts:AssumeRole' })],
    ['a bare account ID', ecsAnd({ Effect: 'Allow', Principal: { AWS: '210987654321' }, Action: 'sts:AssumeRole' })],
    [
      'a federated identity provider (web identity)',
      ecsAnd({
        Effect: 'Allow',
        Principal: { Federated: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com' },
        Action: 'sts:AssumeRoleWithWebIdentity',
      }),
    ],
    [
      'SAML',
      ecsAnd({
        Effect: 'Allow',
        Principal: { Federated: 'arn:aws:iam::123456789012:saml-provider/okta' },
        Action: 'sts:AssumeRoleWithSAML',
      }),
    ],
    [
      'Batch (a service principal other than ecs-tasks)',
      ecsAnd({ Effect: 'Allow', Principal: { Service: 'batch.amazonaws.com' }, Action: 'sts:AssumeRole' }),
    ],
    [
      'Lambda and EC2 beside ECS in one statement',
      {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: ['ecs-tasks.amazonaws.com', 'lambda.amazonaws.com', 'ec2.amazonaws.com'] },
            Action: 'sts:AssumeRole',
          },
        ],
      },
    ],
    [
      'a person, only under a condition',
      ecsAnd({
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::123456789012:user/alice' },
        Action: 'sts:AssumeRole',
        Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
      }),
    ],
    ['a wildcard action (sts:*)', ecsAnd({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:role/ci' }, Action: 'sts:*' })],
    [
      'NotPrincipal',
      ecsAnd({ Effect: 'Allow', NotPrincipal: { AWS: 'arn:aws:iam::123456789012:user/mallory' }, Action: 'sts:AssumeRole' }),
    ],
    [
      'a service principal in another case',
      {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'ECS-Tasks.amazonaws.com.evil' }, Action: 'sts:AssumeRole' }],
      },
    ],
  ];

  it.each(variants)(
    '%s: shared-role finding, never changed in auto, and the plan keeps every non-execution permission',
    async (label, trust) => {
      const name = `tr-${label
        .replace(/[^a-z]/gi, '')
        .toLowerCase()
        .slice(0, 40)}`;
      await d.world.addRoles([role(name, { trust })]);
      await d.world.reindex();
      const stored = (await d.world.deps.findings.current(roleArn(name)))!.findings;
      expect(stored.filter((f) => f.kind === 'shared-role')).toHaveLength(1);
      const before = await d.world.readRole(name);
      const out = await d.remediate(name);
      expect(out.outcomes[0]!.outcome).not.toBe('applied');
      expect(out.outcomes[0]!.why).toMatch(/shared/);
      expect(await d.world.readRole(name)).toEqual(before);
      // What a person would be asked to approve: no policy deleted or detached, nothing outside the vocabulary removed.
      const plan = out.outcomes[0]!.plan as unknown as { deleteInline: string[]; detach: string[]; removals: { action: string }[] };
      expect(plan.deleteInline).toEqual([]);
      expect(plan.detach).toEqual([]);
      expect(plan.removals.filter((r) => /^(s3:PutObject|dynamodb:|logs:\*)/.test(r.action))).toEqual([]);
    },
  );

  it('a role in an instance profile is shared too', async () => {
    await d.world.addRoles([role('in-profile')]);
    await d.world.clients.iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'hosts' }));
    await d.world.clients.iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'hosts', RoleName: 'in-profile' }));
    await d.world.reindex();
    const before = await d.world.readRole('in-profile');
    const out = await d.remediate('in-profile');
    expect(out.outcomes[0]!.why).toMatch(/instance profile/);
    expect(await d.world.readRole('in-profile')).toEqual(before);
  });

  it('the control: the same role trusted only by ECS tasks is changed in auto', async () => {
    await d.world.addRoles([role('ecs-only')]);
    await d.world.reindex();
    const out = await d.remediate('ecs-only');
    expect(out.outcomes).toMatchObject([{ outcome: 'applied', mode: 'auto' }]);
  });
});

describe('mode tags: near-misses count as observe', () => {
  it.each(['Auto', ' auto', 'auto\u200b', 'auto\n', 'аuto' /* Cyrillic a */, 'auto,approve', ''])('leash:mode=%j', async (value) => {
    const name = `mode-${[...value].map((c) => c.codePointAt(0)!.toString(16)).join('')}`.slice(0, 60);
    await d.world.addRoles([role(name, { tags: { 'leash:mode': value, 'leash:scope': `log-group:/ecs/${name}` } })]);
    await d.world.reindex();
    const before = await d.world.readRole(name);
    const out = await d.remediate(name);
    expect(out.outcomes).toMatchObject([{ outcome: 'skipped', mode: 'observe' }]);
    expect(await d.world.readRole(name)).toEqual(before);
  });

  it.each([
    ['CloudFormation', { 'aws:cloudformation:stack-name': 'web' }],
    ['Terraform', { ManagedBy: 'terraform' }],
  ])('an auto role owned by %s gets a ticket path, never a change', async (label, owner) => {
    const name = `iac-${label.toLowerCase()}`;
    await d.world.addRoles([role(name, { tags: { 'leash:mode': 'auto', 'leash:scope': `log-group:/ecs/${name}`, ...owner } })]);
    await d.world.reindex();
    const before = await d.world.readRole(name);
    const out = await d.remediate(name);
    expect(out.outcomes[0]!.outcome).toBe('ticket');
    expect(await d.world.readRole(name)).toEqual(before);
  });
});

// DynamoDB requests reach moto one at a time (test/support/moto-serial.ts: moto's UpdateItem is not atomic under
// concurrent requests, DynamoDB's is per item); the invocations themselves still interleave freely.
describe('the change budget under parallel invocations', () => {
  it(`${CAP + 5} auto roles remediated by ${CAP + 5} concurrent invocations: at most ${CAP} change`, async () => {
    const names = Array.from({ length: CAP + 5 }, (_, i) => `budget-${i}`);
    await d.world.addRoles(names.map((n) => role(n)));
    await d.world.reindex();
    // The control role above already spent one change of this window.
    const results = await Promise.all(names.map((n) => d.remediate(n)));
    const outcomes = results.flatMap((r) => r.outcomes.map((o) => o.outcome));
    const applied = outcomes.filter((o) => o === 'applied').length;
    expect(applied).toBe(CAP - 1);
    expect(outcomes.filter((o) => o === 'deferred')).toHaveLength(names.length - applied);
    let changed = 0;
    for (const n of names) if (Object.keys((await d.world.readRole(n)).inline).includes('leash-execution-role')) changed++;
    expect(changed).toBe(applied);
  });
});
