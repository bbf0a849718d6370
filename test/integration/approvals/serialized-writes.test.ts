// Issue 11 item 5 acceptance on moto, through the real handlers where a handler runs the path: IAM writes for one role
// are serialized (a DynamoDB lease) and survive failure. Two writers raced on one role end at one of their two states,
// never a mix; a run that dies between IAM steps is reverted (or finished) by the next run and recorded; throttling
// during an approved apply gives the approval back with the role exactly as before; a failed automatic rollback is
// handed back by the watch until the role equals its snapshot, and only then does the window close. Faults are injected
// with a middleware on the runtime's own IAM client.
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { run as handleApprovalRequest } from '../../../functions/approvals.js';
import { handlerWith as remediateHandler, run as runRemediate } from '../../../functions/remediate.js';
import { keys } from '../../../lib/adapters/aws/table-schema.js';
import { run as runTaskStopped } from '../../../functions/task-stopped.js';
import { run as runWatch } from '../../../functions/watch.js';
import { planFor } from '../../../lib/app/remediate.js';
import { hashState } from '../../../lib/engine/role/state.js';
import type { RoleState } from '../../../lib/engine/types.js';
import { BusyError } from '../../../lib/errors.js';
import { deniedSecretReason, registerBillingReading, secretArn, stoppedTask } from '../../support/evidence-events.js';
import { faultError } from '../../support/fault-injection.js';
import { useMoto } from '../../support/moto.js';
import { APPROVER, createWorld, type DemoWorld, expectedAfter, remediationAccount, roleArn, sqsEvent } from '../../support/world/index.js';

const moto = useMoto();
let w: DemoWorld | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await w?.close();
  w = undefined;
});

const ROLE = 'billing-exec';
const ARN = roleArn(ROLE);
const SCHEDULED = { 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} };
const WRITE = /^(Put|Delete|Attach|Detach)Role/;
const API_KEY = secretArn('billing/api-key-AbC123');

/** Runs `fault` around every call of the runtime's IAM client: throw before the call, or never answer after it. */
function onIam(world: DemoWorld, fault: (command: string, phase: 'before' | 'after') => Error | 'hang' | undefined): void {
  (world.deps.clients.home.iam.middlewareStack as { add: (mw: unknown, o: object) => void }).add(
    (next: (a: unknown) => Promise<unknown>, ctx: { commandName?: string }) => async (args: unknown) => {
      const command = ctx.commandName ?? '';
      const before = fault(command, 'before');
      if (before instanceof Error) throw before;
      const out = await next(args);
      // The Lambda died (a timeout, a crash) right after this call: its promise never settles, nothing after it runs.
      if (fault(command, 'after') === 'hang') return new Promise(() => undefined);
      return out;
    },
    { step: 'initialize', name: 'testIamFault', override: true },
  );
}

/** billing-exec's pending plan approved in Slack: the approvals function recorded it and queued the apply. */
async function approved(world: DemoWorld) {
  const before = await world.readRole(ROLE);
  const { plan, message } = await world.requestApproval(ROLE);
  expect((await handleApprovalRequest(world.click(plan), world.deps)).body).toBe('approved');
  const queued = await world.drain(world.resources.remediationQueueUrl);
  expect(queued).toEqual([JSON.stringify({ roleArn: ARN, reason: `approved ${plan.planHash}` })]);
  return { plan, message, before, beforeHash: await world.stateHash(ROLE), queued };
}

const hasButtons = (blocks: unknown[]) => blocks.some((b) => (b as { type?: string }).type === 'actions');
const recoveries = async (world: DemoWorld) => (await world.audit(ROLE)).filter((e) => e.actor === 'leash-recovery');

describe('one writer per role, and no change left half-done', () => {
  it('an approved apply and an automatic rollback raced on one role (8 trials) end at one of their two states, never a mix', async () => {
    w = await createWorld(moto.config(), remediationAccount());
    const { plan } = await w.requestApproval(ROLE);
    const original = (await w.deps.roles.readState(ROLE))!;
    const S = hashState(original);
    const view = await w.readRole(ROLE);
    const base = await w.deps.snapshots.put(original, S, w.clock.now());
    // The rollback's stored state: the role as it was, plus a policy the plan would never write.
    const legacyDoc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow' as const, Action: 'sqs:SendMessage', Resource: '*' }] };
    const other: RoleState = { ...original, inline: [...original.inline, { name: 'legacy', document: legacyDoc }] };
    const target = await w.deps.snapshots.put(other, hashState(other), w.clock.advanceMinutes(1));
    const requirements = (await planFor(ARN, w.deps))!.assessment.requirements;
    const ends = { plan: expectedAfter(view, plan), rollback: { ...view, inline: { ...view.inline, legacy: legacyDoc } } };
    const seen = new Map<string, number>();
    let busy = 0;

    for (let trial = 0; trial < 8; trial++) {
      const now = w.clock.advanceMinutes(1);
      const later = new Date(Date.parse(now) + 1000).toISOString();
      const apply = () =>
        w!.deps.applier.apply(plan, { dryRun: false, actor: APPROVER, reason: 'approved', now, watchMinutes: 60, requirements });
      // The watch's rollback: only while the role is still in the state it watched (here, as it was before).
      const rollback = () =>
        w!.deps.applier.rollback(ARN, { to: target.id, actor: 'leash-watch', reason: 'explained denial', now: later, expectHash: S });
      const writers = trial % 2 ? [apply, rollback] : [rollback, apply];
      const results = await Promise.allSettled(writers.map((f) => f()));
      // A writer that found the role's lease held is retried, as SQS redelivers its message; then it is decided.
      for (const [i, r] of results.entries()) {
        if (r.status === 'rejected' && r.reason instanceof BusyError) {
          busy++;
          await (writers[i] as () => Promise<unknown>)().catch((err: unknown) => expect(err).not.toBeInstanceOf(BusyError));
        }
      }
      const end = await w.readRole(ROLE);
      expect([ends.plan, ends.rollback]).toContainEqual(end);
      const which = JSON.stringify(end) === JSON.stringify(ends.plan) ? 'plan' : 'rollback';
      seen.set(which, (seen.get(which) ?? 0) + 1);
      // Neither change is left open: the next trial starts from a settled role.
      expect((await w.deps.intents.last(ARN))?.outcome).toBeDefined();
      await w.deps.applier.rollback(ARN, { to: base.id, actor: 'test', reason: 'reset', now: w.clock.advanceMinutes(1) });
      expect(await w.stateHash(ROLE)).toBe(S);
    }
    expect([...seen.values()].reduce((a, b) => a + b, 0)).toBe(8);
    expect(busy).toBeGreaterThan(0); // the writers did overlap: the lease, not luck, kept them apart
  });

  it('a run that dies after its first IAM write is reverted by the next run (after its lease expired), recorded, then applied', async () => {
    w = await createWorld(moto.config(), remediationAccount());
    const { plan, message, before, queued } = await approved(w);
    let crash = true;
    const writes: string[] = [];
    onIam(w, (command, phase) => {
      if (phase === 'after' && WRITE.test(command)) {
        writes.push(command);
        if (crash) return ((crash = false), 'hang');
      }
      return undefined;
    });
    void runRemediate(sqsEvent(queued), w.deps); // dies after its first write: never settles
    await expect.poll(() => writes.length, { interval: 50, timeout: 10_000 }).toBe(1);
    await new Promise((r) => setTimeout(r, 200));
    const halfDone = await w.readRole(ROLE);
    expect(halfDone).not.toEqual(before);
    expect(halfDone).not.toEqual(expectedAfter(before, plan));
    expect((await w.deps.intents.last(ARN))?.outcome).toBeUndefined(); // its intent is open

    // Redelivered while the dead run's lease still holds: refused (retried later), the role untouched.
    w.clock.advanceMinutes(1);
    const early = await runRemediate(sqsEvent(queued), w.deps);
    expect(early.batchItemFailures).toHaveLength(1);
    expect(await w.readRole(ROLE)).toEqual(halfDone);

    // Past the lease (5 minutes): the next run reverts the half-done change to its verified snapshot, then applies.
    w.clock.advanceMinutes(5);
    const next = await runRemediate(sqsEvent(queued), w.deps);
    expect(next.batchItemFailures).toEqual([]);
    expect(next.outcomes).toMatchObject([{ outcome: 'applied' }]);
    expect(await w.readRole(ROLE)).toEqual(expectedAfter(before, plan));
    expect(await recoveries(w)).toMatchObject([
      { action: 'rollback', why: 'recovered: interrupted apply reverted to its snapshot', detail: { intent: plan.planHash } },
    ]);
    const audit = await w.audit(ROLE);
    expect(audit.findIndex((e) => e.actor === 'leash-recovery')).toBeLessThan(audit.findLastIndex((e) => e.action === 'apply'));
    expect(await w.deps.plans.status(plan.planHash)).toMatchObject({ status: 'applied', by: APPROVER });
    expect(JSON.stringify(w.slack.message(message.channel, message.ts)!.blocks)).toContain('*Applied* by <@U0APPROVER>');
  });

  it('a run that dies after its last IAM write is finished by the next run: recorded as applied, nothing written again', async () => {
    w = await createWorld(moto.config(), remediationAccount());
    const { plan, before, queued } = await approved(w);
    const expectedWrites = 2; // put the Leash policy, delete billing-extra
    const writes: string[] = [];
    onIam(w, (command, phase) => {
      if (phase !== 'after' || !WRITE.test(command)) return undefined;
      writes.push(command);
      return writes.length === expectedWrites ? 'hang' : undefined;
    });
    void runRemediate(sqsEvent(queued), w.deps);
    await expect.poll(() => writes.length, { interval: 50, timeout: 10_000 }).toBe(expectedWrites);
    await new Promise((r) => setTimeout(r, 200));
    expect(await w.readRole(ROLE)).toEqual(expectedAfter(before, plan));

    w.clock.advanceMinutes(6);
    const next = await runRemediate(sqsEvent(queued), w.deps);
    expect(next.outcomes).toMatchObject([{ outcome: 'applied', why: 'applied (interrupted apply had completed)' }]);
    expect(writes).toHaveLength(expectedWrites);
    expect(await recoveries(w)).toMatchObject([{ action: 'apply', why: 'recovered: interrupted apply had completed' }]);
    expect(await w.deps.intents.last(ARN)).toMatchObject({ id: plan.planHash, outcome: 'applied' });
    expect(await w.deps.plans.status(plan.planHash)).toMatchObject({ status: 'applied' });
  });

  it('Throttling during an approved apply gives the approval back: the role exactly as before, the message says so', async () => {
    w = await createWorld(moto.config(), remediationAccount());
    const { plan, message, before, queued } = await approved(w);
    let throttled = 0;
    // The second IAM step (delete billing-extra) is throttled past the SDK's retries, once.
    onIam(w, (command, phase) =>
      phase === 'before' && command === 'DeleteRolePolicyCommand' && throttled++ === 0
        ? faultError('throttle', 'IAMClient', 'r-1')
        : undefined,
    );
    const out = await runRemediate(sqsEvent(queued), w.deps);
    expect(out.batchItemFailures).toEqual([]);
    expect(out.outcomes).toMatchObject([
      { outcome: 'pending-again', why: expect.stringMatching(/Throttling.*nothing changed, approve again/) },
    ]);
    expect(await w.readRole(ROLE)).toEqual(before);
    expect(await w.deps.plans.status(plan.planHash)).toMatchObject({ status: 'pending' });
    expect(await w.deps.intents.last(ARN)).toMatchObject({ id: plan.planHash, outcome: 'rolled-back' });
    const msg = w.slack.message(message.channel, message.ts)!;
    expect(hasButtons(msg.blocks)).toBe(true);
    expect(JSON.stringify(msg.blocks)).toMatch(/Still pending:\* approved by <@U0APPROVER>, but `not applied \(Throttling/);

    // Still approvable: the same approver approves again and this time it is applied.
    expect((await handleApprovalRequest(w.click(plan), w.deps)).body).toBe('approved');
    expect(await w.applyQueued()).toMatchObject([{ outcome: 'applied' }]);
    expect(await w.readRole(ROLE)).toEqual(expectedAfter(before, plan));
  });

  it('a failed automatic rollback is handed back by the watch until the role equals its snapshot; only then the window closes', async () => {
    w = await createWorld(moto.config(), remediationAccount());
    const { beforeHash, queued } = await approved(w);
    expect((await runRemediate(sqsEvent(queued), w.deps)).outcomes).toMatchObject([{ outcome: 'applied' }]);
    const after = await w.stateHash(ROLE);
    expect(after).not.toBe(beforeHash);

    let failing = true;
    onIam(w, (command, phase) =>
      failing && phase === 'before' && command === 'PutRolePolicyCommand'
        ? Object.assign(new Error('injected: IAM unavailable'), { name: 'ServiceUnavailable', $fault: 'server' })
        : undefined,
    );
    const at = w.clock.advanceMinutes(11);
    const td = await registerBillingReading(w.clients, API_KEY);
    await runTaskStopped(
      stoppedTask({ taskDefinition: td.split('/').pop()!, reason: deniedSecretReason(ROLE, API_KEY), at, id: `stopped-${at}` }),
      w.deps,
    );
    const asked = (await w.drain(w.resources.remediationQueueUrl)).filter((b) => b.includes('"rollback '));
    expect(asked).toHaveLength(1);
    const first = await runRemediate(sqsEvent(asked), w.deps);
    expect(first.batchItemFailures).toHaveLength(1); // retried by SQS; and by the watch, below
    expect(await w.stateHash(ROLE)).not.toBe(beforeHash);

    // Past the window's end: the watch keeps it open and hands the rollback back to the remediation function.
    w.clock.advanceMinutes(60);
    expect(await runWatch(SCHEDULED, w.deps)).toEqual({ closed: [], retried: [ARN] });
    expect(await w.deps.watches.get(ARN)).toBeDefined();
    const resume = await w.drain(w.resources.remediationQueueUrl);
    expect(resume.map((b) => JSON.parse(b))).toEqual([{ roleArn: ARN, reason: expect.stringMatching(/resume/) }]);
    expect((await runRemediate(sqsEvent(resume), w.deps)).batchItemFailures).toHaveLength(1); // IAM still failing
    expect(await runWatch(SCHEDULED, w.deps)).toEqual({ closed: [], retried: [ARN] });
    expect(await w.deps.watches.get(ARN)).toBeDefined();

    failing = false;
    const again = await runRemediate(sqsEvent(await w.drain(w.resources.remediationQueueUrl)), w.deps);
    expect(again.batchItemFailures).toEqual([]);
    expect(again.outcomes).toMatchObject([{ roleArn: ARN, outcome: 'rolled-back' }]);
    expect(await w.stateHash(ROLE)).toBe(beforeHash);
    expect(await w.deps.watches.get(ARN)).toBeUndefined(); // closed by the rollback that reached the snapshot
    expect(await runWatch(SCHEDULED, w.deps)).toEqual({ closed: [], retried: [] });
    expect((await recoveries(w)).at(-1)).toMatchObject({ action: 'rollback', why: expect.stringMatching(/interrupted rollback finished/) });
  });
});

/** Runs the deployed remediation handler (middleware, report, metrics) over the world; its result and JSON lines. */
async function remediateThroughHandler(world: DemoWorld, bodies: string[]) {
  const lines: string[] = [];
  const capture = (chunk: unknown) => (lines.push(String(chunk)), true);
  vi.spyOn(process.stdout, 'write').mockImplementation(capture as typeof process.stdout.write);
  const result = (await remediateHandler(world.deps)(sqsEvent(bodies), lambdaContext('leash-remediate'))) as Awaited<
    ReturnType<typeof runRemediate>
  >;
  vi.restoreAllMocks();
  const json = lines
    .flatMap((l) => l.split('\n'))
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { result, json };
}

describe('stored state is trusted only when it verifies', () => {
  it('a snapshot edited in the records table: the rollback is refused, audited, SnapshotTampered emitted, the role unchanged', async () => {
    w = await createWorld(moto.config(), remediationAccount());
    const { queued } = await approved(w);
    expect((await runRemediate(sqsEvent(queued), w.deps)).outcomes).toMatchObject([{ outcome: 'applied' }]);
    const after = await w.readRole(ROLE);

    // Someone with write access to the table turns the stored state into `*` on `*`.
    const table = w.config.recordsTable ?? w.config.table;
    const items = await w.deps.clients.home.ddb.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :p AND begins_with(sk, :s)',
        ExpressionAttributeValues: { ':p': keys.role(ARN), ':s': 'STATE#' },
      }),
    );
    expect(items.Items).toHaveLength(1);
    const item = items.Items![0]!;
    const state = JSON.parse(String(item.state)) as RoleState;
    state.inline = [{ name: 'pwned', document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }];
    await w.deps.clients.home.ddb.send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: item.pk, sk: item.sk },
        UpdateExpression: 'SET #s = :s',
        ExpressionAttributeNames: { '#s': 'state' },
        ExpressionAttributeValues: { ':s': JSON.stringify(state) },
      }),
    );

    // A denial the plan explains asks for the automatic rollback, which must not write the edited state.
    const at = w.clock.advanceMinutes(11);
    const td = await registerBillingReading(w.clients, API_KEY);
    await runTaskStopped(
      stoppedTask({ taskDefinition: td.split('/').pop()!, reason: deniedSecretReason(ROLE, API_KEY), at, id: `stopped-${at}` }),
      w.deps,
    );
    const asked = (await w.drain(w.resources.remediationQueueUrl)).filter((b) => b.includes('"rollback '));
    expect(asked).toHaveLength(1);
    const { result, json } = await remediateThroughHandler(w, asked);
    expect(result.batchItemFailures).toEqual([]); // not retried: retrying cannot make the stored state true
    expect(result.outcomes).toMatchObject([{ roleArn: ARN, outcome: 'tampered', why: expect.stringMatching(/does not match its hash/) }]);
    expect(await w.readRole(ROLE)).toEqual(after);
    expect(Object.keys((await w.readRole(ROLE)).inline)).not.toContain('pwned');
    expect((await w.audit(ROLE)).at(-1)).toMatchObject({ action: 'refuse', detail: { alarm: 'snapshot-tampered' } });
    // The metric the LeashSnapshotTamperedAlarm watches, in the handler's EMF output.
    const emf = json.filter((l) => '_aws' in l && 'SnapshotTampered' in l);
    expect(emf).toHaveLength(1);
    expect(emf[0]).toMatchObject({
      SnapshotTampered: 1,
      _aws: {
        CloudWatchMetrics: [
          expect.objectContaining({
            Namespace: 'Leash',
            Metrics: expect.arrayContaining([expect.objectContaining({ Name: 'SnapshotTampered' })]),
          }),
        ],
      },
    });
  });
});

const lambdaContext = (fn: string): Context =>
  ({
    awsRequestId: randomUUID(),
    functionName: fn,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${fn}`,
    memoryLimitInMB: '512',
    logGroupName: `/aws/lambda/${fn}`,
    logStreamName: 'test',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 29_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  }) as Context;
