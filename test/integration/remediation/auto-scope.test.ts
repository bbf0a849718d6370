// Issue 10, items 2 and 6, through the real handlers on moto: in `auto`, Leash removes and narrows on its own and adds
// access only inside the scope the role's owner declared (`leash:scope`); every addition outside it (another team's
// secret, the KMS key that secret implies, an S3 object in an unknown bucket, a parameter outside the scope) goes to a
// person with the reason "outside the declared scope". A mode tag that is not exactly one of the documented values is
// an invalid-mode-tag finding and the role counts as observe.
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { CreateSecretCommand, DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { afterEach, describe, expect, it } from 'vitest';
import { run as runRemediate } from '../../../functions/remediate.js';
import { useMoto } from '../../support/moto.js';
import { awslogs, ecrImage, createWorld, remediationAccount, roleArn, sqsEvent, type DemoWorld } from '../../support/world/index.js';

const moto = useMoto();
let w: DemoWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

// Not the demo account's web-exec (shared by the web-* families): a role of its own, made by hand.
const ROLE = 'web-app-exec';
const ARN = roleArn(ROLE);
const SCOPE = 'secret:web/ parameter/web/ log-group:/ecs/web repository/web/';
/** What the role was given by hand: far too much (every secret, all of S3), and none of what its tasks need. */
const HAND_MADE = [
  { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*' },
  { Effect: 'Allow', Action: 's3:*', Resource: '*' },
];

async function webWorld(tags: Record<string, string>): Promise<DemoWorld> {
  w = await createWorld(moto.config(), remediationAccount({ dryRun: false }));
  const { secrets, ssm } = w.clients;
  await secrets.send(new CreateSecretCommand({ Name: 'web/db', SecretString: 'x' }));
  await ssm.send(new PutParameterCommand({ Name: '/web/prod/token', Type: 'String', Value: 'x' }));
  const webDb = (await secrets.send(new DescribeSecretCommand({ SecretId: 'web/db' }))).ARN!;
  await w.addRoles([
    {
      name: ROLE,
      tags,
      inline: { 'hand-made': HAND_MADE },
      taskDefinitions: [
        {
          family: 'web',
          containers: [
            {
              name: 'web',
              image: ecrImage('web/api'),
              essential: true,
              secrets: [
                { name: 'DB', valueFrom: webDb },
                { name: 'TOKEN', valueFrom: '/web/prod/token' },
              ],
              logConfiguration: awslogs('/ecs/web'),
            },
          ],
        },
      ],
    },
  ]);
  await w.reindex();
  return w;
}

const remediate = async (world: DemoWorld) => {
  const out = await runRemediate(sqsEvent([JSON.stringify({ roleArn: ARN, reason: 'findings changed' })]), world.deps);
  expect(out.batchItemFailures).toEqual([]);
  return out.outcomes[0]!;
};

describe('auto inside the declared scope', () => {
  it('removes and narrows, and adds what the task definitions need inside the scope, on its own', async () => {
    const world = await webWorld({ 'leash:mode': 'auto', 'leash:scope': SCOPE });
    const out = await remediate(world);
    expect(out).toMatchObject({ outcome: 'applied', mode: 'auto' });
    const plan = 'plan' in out ? out.plan! : undefined;
    // Additions, all inside the scope: the image, the log streams, the secret and the parameter.
    const added = plan!.additions.map((a) => `${a.action} ${a.resource}`);
    expect(added.some((a) => a.startsWith('ecr:BatchGetImage ') && a.includes(':repository/web/api'))).toBe(true);
    expect(added.some((a) => a.startsWith('logs:CreateLogStream ') && a.includes(':log-group:/ecs/web'))).toBe(true);
    expect(added.some((a) => a.startsWith('ssm:GetParameters ') && a.endsWith(':parameter/web/prod/token'))).toBe(true);
    // Removals: the hand-made grants on "*".
    expect(plan!.removals).toEqual(
      expect.arrayContaining([
        { action: 'secretsmanager:GetSecretValue', resource: '*' },
        { action: 's3:*', resource: '*' },
      ]),
    );
    const role = await world.readRole(ROLE);
    expect(Object.keys(role.inline)).toEqual([plan!.policyName]);
    expect((await world.audit(ROLE)).at(-1)).toMatchObject({ action: 'apply', actor: 'leash-auto' });
  });

  it('sends every addition outside the scope to a person, each with the reason, and changes nothing', async () => {
    const world = await webWorld({ 'leash:mode': 'auto', 'leash:scope': SCOPE });
    // The in-scope part first (applied on its own, as above)...
    expect(await remediate(world)).toMatchObject({ outcome: 'applied' });
    // ...then a new revision asks for another team's secret (encrypted with that team's key), a parameter outside the
    // scope and an environment file in a bucket nobody declared.
    const { kms, secrets, ssm, ecs } = world.clients;
    const key = (await kms.send(new CreateKeyCommand({ Description: 'payments' }))).KeyMetadata!;
    await secrets.send(new CreateSecretCommand({ Name: 'payments/api', SecretString: 'x', KmsKeyId: key.KeyId }));
    const payments = (await secrets.send(new DescribeSecretCommand({ SecretId: 'payments/api' }))).ARN!;
    await ssm.send(new PutParameterCommand({ Name: '/security/break-glass', Type: 'String', Value: 'x' }));
    const envFile = 'arn:aws:s3:::other-org-config/web.env';
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'web',
        executionRoleArn: ARN,
        containerDefinitions: [
          {
            name: 'web',
            image: ecrImage('web/api'),
            essential: true,
            memory: 256,
            secrets: [
              { name: 'PAYMENTS', valueFrom: payments },
              { name: 'BREAK_GLASS', valueFrom: '/security/break-glass' },
            ],
            environmentFiles: [{ type: 's3', value: envFile }],
            logConfiguration: awslogs('/ecs/web'),
          },
        ],
      }),
    );
    await world.reindex();
    const before = await world.stateHash(ROLE);
    const out = await remediate(world);
    expect(out).toMatchObject({ outcome: 'approval-requested', mode: 'auto' });
    const outside = (what: string) => expect(out.why).toMatch(new RegExp(`adds ${what}: outside the declared scope`));
    outside(`secretsmanager:GetSecretValue on ${payments.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);
    outside(`kms:Decrypt on ${key.Arn!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);
    outside(`s3:GetObject on ${envFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);
    outside(`ssm:GetParameters on arn:aws:ssm:eu-west-1:123456789012:parameter/security/break-glass`);
    expect(await world.stateHash(ROLE)).toBe(before);
    // A person sees it: the Slack message and the recorded plan.
    expect(world.slack.messages.size).toBe(1);
    expect((await world.audit(ROLE)).at(-1)).toMatchObject({ action: 'plan', why: expect.stringMatching(/^auto refused by guardrails/) });
  });

  it('without a scope tag, a plan that adds anything goes to a person', async () => {
    const world = await webWorld({ 'leash:mode': 'auto' });
    const out = await remediate(world);
    expect(out).toMatchObject({ outcome: 'approval-requested', mode: 'auto' });
    expect(out.why).toMatch(/outside the declared scope \(no repository\/ entry in the declared scope\)/);
  });
});

describe('mode tag values are exact', () => {
  it.each(['Auto', 'AUTO', 'auto ', 'approve,auto'])(
    'leash:mode=%j is an invalid-mode-tag finding, and the role counts as observe',
    async (value) => {
      const world = await webWorld({ 'leash:mode': value, 'leash:scope': SCOPE });
      const stored = (await world.deps.findings.current(ARN))!.findings.filter((f) => f.kind === 'invalid-mode-tag');
      expect(stored).toHaveLength(1);
      expect(stored[0]!.reasons.join(' ')).toContain('treated as observe');
      const before = await world.stateHash(ROLE);
      const out = await remediate(world);
      expect(out).toMatchObject({ outcome: 'skipped', mode: 'observe' });
      expect(out.why).toMatch(/not exactly one of observe\|ticket\|approve\|auto/);
      expect(await world.stateHash(ROLE)).toBe(before);
      expect(world.slack.messages.size).toBe(0);
    },
  );
});
