// Issue 10, item 1, as an attacker, through the deployed handlers (functions/*.handler, middleware, environment) on
// moto. pay-exec (auto, scope secret:pay/) was just applied: its hand-made GetSecretValue on "*" is gone, so a
// denial of pay/api-key inside the watch window is one its plan explains, and believed it would roll pay-exec back to
// "*". Each class below is tried in its variations: none stores a denial of pay-exec, asks for a rollback or changes
// the role. The last tests show the same world does roll back on the genuine, explained denial and does not on a
// genuine denial the plan did not touch, so the assertions are not vacuous.
import { CreateSecretCommand, DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudTrailDenial, secretArn, stoppedTask, tdArnOf } from '../../support/evidence-events.js';
import { useMoto } from '../../support/moto.js';
import { awslogs, roleArn, sqsEvent } from '../../support/world/index.js';
import { deploy, type Deployed } from './deployed.js';

const moto = useMoto({ resetEachTest: false });
const HOME = '123456789012';
const OTHER = '210987654321';
const PAY = 'pay-exec';
const PAY_ARN = roleArn(PAY);
const image = 'public.ecr.aws/docker/library/busybox:1';

let d: Deployed;
/** pay/api-key as the forged texts name it (built before moto gives the secret its suffix; any ARN under "*" will do). */
const API_KEY = secretArn('pay/api-key-AbC123');
let apiKey = '';
beforeAll(async () => {
  d = await deploy(moto.config());
  const { secrets } = d.world.clients;
  for (const name of ['pay/db', 'pay/api-key']) await secrets.send(new CreateSecretCommand({ Name: name, SecretString: 'x' }));
  const arnOf = async (id: string) => (await secrets.send(new DescribeSecretCommand({ SecretId: id }))).ARN!;
  apiKey = await arnOf('pay/api-key');
  const container = (name: string, secret?: string) => ({
    name,
    image,
    essential: true,
    ...(secret ? { secrets: [{ name: 'S', valueFrom: secret }] } : {}),
    logConfiguration: awslogs(`/ecs/${name}`),
  });
  await d.world.addRoles([
    {
      name: PAY,
      tags: { 'leash:mode': 'auto', 'leash:scope': 'secret:pay/ log-group:/ecs/pay' },
      inline: { 'hand-made': [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*' }] },
      taskDefinitions: [{ family: 'pay', containers: [container('pay', await arnOf('pay/db'))] }],
    },
    { name: 'other-exec', taskDefinitions: [{ family: 'other', containers: [container('other')] }] },
  ]);
  await d.world.reindex();
  const out = await d.remediate(PAY);
  expect(out.outcomes).toMatchObject([{ outcome: 'applied', mode: 'auto' }]);
  await d.world.drain(d.world.resources.remediationQueueUrl);
});
afterAll(() => d?.world.close());

/** A distinct time per event (the same text at the same time is one re-delivered event). */
let tick = 0;
const now = () => new Date(Date.now() + ++tick).toISOString();

const session = (role: string, account = HOME, partition = 'aws') => `arn:${partition}:sts::${account}:assumed-role/${role}/0a1b2c3d4e5f`;
/** What ECS writes when a start fails on a secret, naming `principal` as the caller. */
const secretReason = (principal: string, secret = API_KEY) =>
  `ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve ` +
  `secret from asm: service call has been retried 1 time(s): failed to fetch secret ${secret} from secrets manager: api error ` +
  `AccessDeniedException: User: ${principal} is not authorized to perform: secretsmanager:GetSecretValue on resource: ${secret} ` +
  `because no identity-based policy allows the secretsmanager:GetSecretValue action`;
/** The same failure when the secret's KMS key refused: ECS's text names no principal at all. */
const kmsReason = (secret = API_KEY) =>
  `ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve ` +
  `secret from asm: service call has been retried 1 time(s): failed to fetch secret ${secret} from secrets manager: ` +
  `AccessDeniedException: Access to KMS is not allowed`;

interface Summary {
  denial?: { roleArn: string };
  rolledBack?: boolean;
  skipped?: string;
  untrusted?: { why: string };
}

async function roleState() {
  return { role: await d.world.stateHash(PAY), watch: await d.world.deps.watches.get(PAY_ARN) };
}

/** Runs the event through the deployed function and checks nothing was believed. */
async function expectRefused(fn: 'task-stopped' | 'denial', event: unknown, why: RegExp) {
  const before = await roleState();
  const summary = await d.invoke<Summary>(fn, event);
  expect(summary.denial).toBeUndefined();
  expect(summary.rolledBack).toBeUndefined();
  expect(summary.untrusted?.why ?? summary.skipped).toMatch(why);
  expect(await roleState()).toEqual(before);
  expect(await d.world.drain(d.world.resources.remediationQueueUrl)).toEqual([]);
}

const stopped = (o: Parameters<typeof stoppedTask>[0] & { overrides?: Record<string, unknown> }) => {
  const e = stoppedTask({ taskDefinition: 'pay:1', ...o, at: now(), id: `e-${tick}` });
  if (o.overrides) e.detail.overrides = { containerOverrides: [], ...o.overrides };
  return e;
};

describe('stop reasons: the principal named in the text is never the role acted on', () => {
  it.each([
    ['another role’s task, text naming pay-exec', { taskDefinition: 'other:1', reason: secretReason(session(PAY)) }, /other than/],
    ['pay’s task, text naming another account’s pay-exec', { reason: secretReason(session(PAY, OTHER)) }, /other than/],
    ['pay’s task, text in partition aws-cn', { reason: secretReason(session(PAY, HOME, 'aws-cn')) }, /other than/],
    ['pay’s task, text in partition aws-us-gov', { reason: secretReason(session(PAY, HOME, 'aws-us-gov')) }, /other than/],
    ['a role ARN with a path', { taskDefinition: 'other:1', reason: secretReason(`arn:aws:iam::${HOME}:role/team/${PAY}`) }, /other than/],
    ['a case variant', { taskDefinition: 'other:1', reason: secretReason(session('Pay-Exec')) }, /other than/],
    ['trailing characters on the name', { reason: secretReason(session(`${PAY}-evil`)) }, /other than/],
    ['a session id with a path escape', { reason: secretReason(`${session(PAY)}/../other-exec/x`) }, /other than/],
    ['a Cyrillic look-alike letter', { taskDefinition: 'other:1', reason: secretReason(session('p\u0430y-exec')) }, /disguise/],
    ['a zero-width joiner', { taskDefinition: 'other:1', reason: secretReason(session('pay\u200d-exec')) }, /disguise/],
    ['a soft hyphen', { taskDefinition: 'other:1', reason: secretReason(session('pay\u00ad-exec')) }, /disguise/],
    [
      'two principals in one reason (the right one and another)',
      { reason: `${secretReason(session(PAY))}; ${secretReason(session('other-exec'))}` },
      /other than/,
    ],
  ] as const)('%s', async (_name, o, why) => {
    await expectRefused('task-stopped', stopped(o), why);
  });
});

describe('stop codes other than TaskFailedToStart never count, whatever the text', () => {
  it.each([
    'UserInitiated',
    'ServiceSchedulerInitiated',
    'SpotInterruption',
    'TerminationNotice',
    'EssentialContainerExited',
    'taskfailedtostart',
    'TaskFailedToStart ',
    'TaskFailedToStart\u200b',
  ])('stop code %j on pay’s own task, text naming pay-exec', async (stopCode) => {
    await expectRefused('task-stopped', stopped({ stopCode, reason: secretReason(session(PAY)) }), /stop code/);
  });
});

describe('events and task definitions from elsewhere are ignored', () => {
  it.each([
    ['an account Leash does not serve', { account: OTHER, reason: secretReason(session(PAY)) }, /not served/],
    ['a served event about another account’s task definition', { tdAccount: OTHER, reason: secretReason(session(PAY)) }, /account/],
    ['a revision nobody registered', { taskDefinition: 'pay:99', reason: secretReason(session(PAY)) }, /not in the index/],
    ['a family nobody registered', { taskDefinition: 'pay-admin:1', reason: secretReason(session(PAY)) }, /not in the index/],
  ] as const)('%s', async (_name, o, why) => {
    await expectRefused('task-stopped', stopped(o), why);
  });

  it('a task definition ARN in another Region than the event', async () => {
    const e = stopped({ reason: secretReason(session(PAY)) });
    e.detail.taskDefinitionArn = tdArnOf('pay:1').replace(':eu-west-1:', ':us-east-1:');
    await expectRefused('task-stopped', e, /region|Region|index/);
  });

  it('RunTask with an execution role override: the failure is the override role’s, not pay-exec’s (text naming no principal)', async () => {
    const e = stopped({ reason: kmsReason(), overrides: { executionRoleArn: roleArn('other-exec') } });
    await expectRefused('task-stopped', e, /execution role override/);
  });

  it.each([
    ['a malformed override', { executionRoleArn: 42 }],
    ['an override by name', { executionRoleArn: 'other-exec' }],
  ])('RunTask with %s is not pay-exec’s either', async (_name, overrides) => {
    await expectRefused('task-stopped', stopped({ reason: kmsReason(), overrides }), /execution role override/);
  });
});

describe('CloudTrail records that are not pay-exec’s own, in its own account', () => {
  type Ev = ReturnType<typeof cloudTrailDenial>;
  type Ui = Record<string, unknown> & { sessionContext: { sessionIssuer: Record<string, unknown> } };
  const ui = (e: Ev) => e.detail.userIdentity as Ui;
  it.each([
    ['the event account is not served', (e: Ev): void => void (e.account = OTHER), /event account/],
    ['recipientAccountId is another account', (e: Ev): void => void (e.detail.recipientAccountId = OTHER), /recipientAccountId/],
    ['userIdentity.accountId is another account', (e: Ev): void => void (ui(e).accountId = OTHER), /userIdentity.accountId/],
    ['the session is another role’s', (e: Ev): void => void (ui(e).arn = session('other-exec')), /not a session of/],
    ['the session is pay-exec’s in another account', (e: Ev): void => void (ui(e).arn = session(PAY, OTHER)), /not a session of/],
    ['the session is pay-exec’s in aws-cn', (e: Ev): void => void (ui(e).arn = session(PAY, HOME, 'aws-cn')), /not a session of/],
    ['an IAM user claiming the role', (e: Ev): void => void (ui(e).type = 'IAMUser'), /not an assumed role/],
    ['a session issuer that is not a Role', (e: Ev): void => void (ui(e).sessionContext.sessionIssuer.type = 'User'), /not Role/],
    [
      'the issuer with a path the index does not hold',
      (e: Ev): void => void (ui(e).sessionContext.sessionIssuer.arn = `arn:aws:iam::${HOME}:role/team/${PAY}`),
      /not one of the roles/,
    ],
    [
      'the issuer in another case',
      (e: Ev): void => void (ui(e).sessionContext.sessionIssuer.arn = roleArn('Pay-Exec')),
      /not one of the roles/,
    ],
    [
      'a record that says no account',
      (e: Ev): void => void (delete (e as Partial<Ev>).account, delete e.detail.recipientAccountId),
      /which account/,
    ],
  ] as const)('%s', async (_name, tamper, why) => {
    const e = cloudTrailDenial(PAY, API_KEY, now(), `ct-${tick}`);
    tamper(e);
    await expectRefused('denial', e, why);
  });
});

describe('genuine denials in the same world', () => {
  type Watched = Summary & { watch?: { rolledBack: boolean; requested?: boolean; notice?: string } };
  it('a genuine denial of something the plan did not touch is stored and rolls nothing back', async () => {
    // pay/db is allowed before and after the apply: a denial of it (a resource policy, an SCP) is not the plan's doing.
    const db = (await d.world.clients.secrets.send(new DescribeSecretCommand({ SecretId: 'pay/db' }))).ARN!;
    const summary = await d.invoke<Watched>('denial', cloudTrailDenial(PAY, db, now(), `ct-genuine-${tick}`));
    expect(summary.denial).toMatchObject({ roleArn: PAY_ARN, resource: db });
    expect(summary.watch?.requested).toBeFalsy();
    expect(summary.watch?.notice).toMatch(/not explained|does not explain|not .*plan/);
    expect((await d.world.drain(d.world.resources.remediationQueueUrl)).filter((b) => b.includes('"rollback '))).toEqual([]);
  });

  it('a failed start on pay’s own task, naming pay-exec, of what the plan removed: explained, and rolled back', async () => {
    const summary = await d.invoke<Watched>('task-stopped', stopped({ reason: secretReason(session(PAY), apiKey) }));
    expect(summary.denial).toMatchObject({ roleArn: PAY_ARN, resource: apiKey });
    expect(summary.watch).toMatchObject({ requested: true, notice: expect.stringMatching(/denial explained by plan/) });
    const asked = (await d.world.drain(d.world.resources.remediationQueueUrl)).filter((b) => b.includes('"rollback '));
    expect(asked).toHaveLength(1);
    const out = await d.invoke<{ outcomes: { outcome: string }[] }>('remediate', sqsEvent(asked));
    expect(out.outcomes).toMatchObject([{ outcome: 'rolled-back' }]);
    expect(Object.keys((await d.world.readRole(PAY)).inline)).toEqual(['hand-made']);
  });
});
