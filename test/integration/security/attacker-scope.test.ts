// Issue 10, item 2, as an attacker who can register task definitions for a role in `auto`, through the deployed
// remediation handler on moto: the role's owner declared `leash:scope`; every addition outside it, however close its
// name or ARN comes, goes to a person with "outside the declared scope", and nothing changes. A grant that holds today
// only under a Condition, which the plan would grant outright, is an addition like any other (it was applied unseen).
import { RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { TagRoleCommand } from '@aws-sdk/client-iam';
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { CreateSecretCommand, DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useMoto } from '../../support/moto.js';
import { awslogs, roleArn, type ExtraRole } from '../../support/world/index.js';
import { deploy, literal, type Deployed } from './deployed.js';

const moto = useMoto({ resetEachTest: false });
const OTHER = '210987654321';
const SCOPE = 'secret:web/ parameter/web/ log-group:/ecs/web s3:::web-config/prod/';
const image = 'public.ecr.aws/docker/library/busybox:1';

let d: Deployed;
const secrets: Record<string, string> = {};
let keyArn = '';
beforeAll(async () => {
  d = await deploy(moto.config());
  const c = d.world.clients;
  keyArn = (await c.kms.send(new CreateKeyCommand({ Description: 'payments team' }))).KeyMetadata!.Arn!;
  for (const [name, kms] of [['web/db'], ['web-admin'], ['web/enc', keyArn], ['cond/db'], ['billing/ledger']] as const) {
    await c.secrets.send(new CreateSecretCommand({ Name: name, SecretString: 'x', ...(kms ? { KmsKeyId: kms } : {}) }));
    secrets[name] = (await c.secrets.send(new DescribeSecretCommand({ SecretId: name }))).ARN!;
  }
  for (const name of ['/web/prod/token', '/webhooks/token', '/security/break-glass'])
    await c.ssm.send(new PutParameterCommand({ Name: name, Type: 'String', Value: 'x' }));
});
afterAll(() => d?.world.close());

type Container = ExtraRole['taskDefinitions'] extends (infer T)[] | undefined ? (T extends { containers: (infer C)[] } ? C : never) : never;
const container = (name: string, more: Partial<Container> = {}): Container => ({
  name,
  image,
  essential: true,
  memory: 128,
  logConfiguration: awslogs('/ecs/web'),
  ...more,
});

async function register(role: string, family: string, containers: Container[]) {
  await d.world.clients.ecs.send(
    new RegisterTaskDefinitionCommand({ family, executionRoleArn: roleArn(role), containerDefinitions: containers }),
  );
  await d.world.reindex();
}

describe('auto adds only inside the declared scope, compared as ARNs', () => {
  const ROLE = 'web-app-exec';
  it('in-scope additions apply on their own (the control: the role works in auto)', async () => {
    await d.world.addRoles([{ name: ROLE, tags: { 'leash:mode': 'auto', 'leash:scope': SCOPE } }]);
    await register(ROLE, 'web', [
      container('web', {
        secrets: [
          { name: 'DB', valueFrom: secrets['web/db']! },
          { name: 'TOKEN', valueFrom: '/web/prod/token' },
        ],
        environmentFiles: [{ type: 's3', value: 'arn:aws:s3:::web-config/prod/app.env' }],
      }),
    ]);
    const out = await d.remediate(ROLE);
    expect(out.outcomes).toMatchObject([{ outcome: 'applied', mode: 'auto' }]);
  });

  // Each: what the new revision asks for, and the ARN the refusal names.
  const tricks: [string, () => Partial<Container>, () => string][] = [
    [
      'a secret that only starts like the scope (web-admin)',
      () => ({ secrets: [{ name: 'A', valueFrom: secrets['web-admin']! }] }),
      () => secrets['web-admin']!,
    ],
    ['the KMS key behind a secret in scope', () => ({ secrets: [{ name: 'E', valueFrom: secrets['web/enc']! }] }), () => keyArn],
    [
      'a secret of the same path in another account',
      () => ({ secrets: [{ name: 'X', valueFrom: `arn:aws:secretsmanager:eu-west-1:${OTHER}:secret:web/db-AbCdEf` }] }),
      () => `arn:aws:secretsmanager:eu-west-1:${OTHER}:secret:web/db-AbCdEf`,
    ],
    [
      'a parameter whose name only starts like the scope (/webhooks)',
      () => ({ secrets: [{ name: 'H', valueFrom: '/webhooks/token' }] }),
      () => 'parameter/webhooks/token',
    ],
    [
      'the break-glass parameter',
      () => ({ secrets: [{ name: 'B', valueFrom: '/security/break-glass' }] }),
      () => 'parameter/security/break-glass',
    ],
    [
      'a log group that only starts like the scope (/ecs/web-evil)',
      () => ({ logConfiguration: awslogs('/ecs/web-evil') }),
      () => 'log-group:/ecs/web-evil',
    ],
    [
      'an S3 key beside the declared prefix (prod-evil/)',
      () => ({ environmentFiles: [{ type: 's3', value: 'arn:aws:s3:::web-config/prod-evil/app.env' }] }),
      () => 'arn:aws:s3:::web-config/prod-evil/app.env',
    ],
    [
      'a bucket whose name only starts like the declared one',
      () => ({ environmentFiles: [{ type: 's3', value: 'arn:aws:s3:::web-config-evil/prod/app.env' }] }),
      () => 'arn:aws:s3:::web-config-evil/prod/app.env',
    ],
    [
      'another organisation’s bucket',
      () => ({ environmentFiles: [{ type: 's3', value: 'arn:aws:s3:::another-org/web.env' }] }),
      () => 'arn:aws:s3:::another-org/web.env',
    ],
  ];

  it('a revision asking for all of these goes to a person, one "outside the declared scope" line each, and changes nothing', async () => {
    const before = await d.world.stateHash(ROLE);
    const previous = await d.world.readRole(ROLE);
    await register(
      ROLE,
      'web',
      tricks.map(([, more], i) => container(`c${i}`, more())),
    );
    const out = await d.remediate(ROLE);
    expect(out.outcomes).toMatchObject([{ outcome: 'approval-requested', mode: 'auto' }]);
    const why = out.outcomes[0]!.why ?? '';
    for (const [label, , named] of tricks) {
      expect(why, label).toMatch(
        new RegExp(`adds [a-z0-9]+:[A-Za-z]+ on [^;]*${literal(named()).source}[^;]*: outside the declared scope`),
      );
    }
    // The in-scope needs are not among the refusals.
    expect(why).not.toMatch(literal(`${secrets['web/db']!}: outside`));
    expect(why).not.toMatch(/parameter\/web\/prod\/token: outside/);
    expect(await d.world.stateHash(ROLE)).toBe(before);
    expect(await d.world.readRole(ROLE)).toEqual(previous);
  });
});

describe('a scope tag Leash cannot read exactly adds nothing on its own', () => {
  it.each([
    ['a wildcard in the value', { 'leash:scope': 'secret:web/*' }],
    ['a key in another case', { 'Leash:Scope': 'secret:web/' }],
    ['an unknown continuation key', { 'leash:scope': 'secret:web/', 'leash:scope:10': 'secret:billing/' }],
    ['an entry covering every secret', { 'leash:scope': 'secret:/' }],
    ['a zero-width space in the value', { 'leash:scope': 'secret:web\u200b/' }],
  ])('%s: invalid-scope-tag, and the in-scope secret goes to a person', async (label, tags) => {
    const role = `tag-${label.replace(/[^a-z]/g, '').slice(0, 40)}`;
    await d.world.addRoles([{ name: role, tags: { 'leash:mode': 'auto', ...tags } }]);
    await register(role, role, [container('web', { secrets: [{ name: 'DB', valueFrom: secrets['web/db']! }] })]);
    const stored = (await d.world.deps.findings.current(roleArn(role)))!.findings;
    expect(stored.filter((f) => f.kind === 'invalid-scope-tag')).toHaveLength(1);
    const before = await d.world.stateHash(role);
    const out = await d.remediate(role);
    expect(out.outcomes).toMatchObject([{ outcome: 'approval-requested', mode: 'auto' }]);
    expect(out.outcomes[0]!.why).toMatch(literal(`${secrets['web/db']!}: outside the declared scope`));
    expect(await d.world.stateHash(role)).toBe(before);
  });
});

describe('a grant that holds only under a Condition is an addition when the plan grants it outright', () => {
  const ROLE = 'cond-exec';
  const condition = { StringEquals: { 'aws:SourceVpce': 'vpce-0123456789abcdef0' } };

  it('another team’s secret, allowed today only through a VPC endpoint, goes to a person (it was applied unseen)', async () => {
    await d.world.addRoles([
      {
        name: ROLE,
        tags: { 'leash:mode': 'auto', 'leash:scope': 'secret:cond/ log-group:/ecs/web' },
        inline: {
          'vpce-only': [
            { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secrets['billing/ledger'], Condition: condition },
          ],
        },
      },
    ]);
    await register(ROLE, 'cond', [container('cond', { secrets: [{ name: 'LEDGER', valueFrom: secrets['billing/ledger']! }] })]);
    const stored = (await d.world.deps.findings.current(roleArn(ROLE)))!.findings;
    expect(stored.some((f) => f.kind === 'conditional' && f.resource === secrets['billing/ledger'])).toBe(true);
    const before = await d.world.readRole(ROLE);
    const out = await d.remediate(ROLE);
    expect(out.outcomes).toMatchObject([{ outcome: 'approval-requested', mode: 'auto' }]);
    expect(out.outcomes[0]!.plan!.additions).toContainEqual({
      action: 'secretsmanager:GetSecretValue',
      resource: secrets['billing/ledger'],
    });
    expect(out.outcomes[0]!.why).toMatch(literal(`${secrets['billing/ledger']!}: outside the declared scope`));
    expect(await d.world.readRole(ROLE)).toEqual(before);
  });

  it('inside the scope, the same conditional grant made unconditional is shown as an addition and applies', async () => {
    await d.world.clients.iam.send(
      new TagRoleCommand({
        RoleName: ROLE,
        Tags: [{ Key: 'leash:scope', Value: 'secret:cond/ secret:billing/ledger log-group:/ecs/web' }],
      }),
    );
    await d.world.reindex();
    const out = await d.remediate(ROLE);
    expect(out.outcomes).toMatchObject([{ outcome: 'applied', mode: 'auto' }]);
    expect(out.outcomes[0]!.plan!.additions).toContainEqual({
      action: 'secretsmanager:GetSecretValue',
      resource: secrets['billing/ledger'],
    });
  });
});
