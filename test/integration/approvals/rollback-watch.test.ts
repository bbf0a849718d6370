// The post-apply watch, end to end: billing-exec is approved in Slack and applied (its plan narrows GetSecretValue from
// every secret to billing/db). A denial inside the watch window that the plan explains (a new billing revision reads
// billing/api-key: allowed before the apply, denied after) asks the remediation function, through the SQS queue, to roll
// back, and it restores the stored state. A denial the plan does not explain is reported and rolls nothing back; a
// denial after the window neither.
import { afterEach, describe, expect, it } from 'vitest';
import { run as runDenial } from '../../../functions/denial.js';
import { run as runRemediate } from '../../../functions/remediate.js';
import { run as runTaskStopped } from '../../../functions/task-stopped.js';
import { run as runWatch } from '../../../functions/watch.js';
import { run as handleApprovalRequest } from '../../../functions/approvals.js';
import { cloudTrailDenial, deniedSecretReason, registerBillingReading, secretArn, stoppedTask } from '../../support/evidence-events.js';
import { useMoto } from '../../support/moto.js';
import { createWorld, remediationAccount, roleArn, sqsEvent, type DemoWorld } from '../../support/world/index.js';

const moto = useMoto();
let w: DemoWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

const ROLE = 'billing-exec';
const ARN = roleArn(ROLE);
const SCHEDULED = { 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} };
/** A secret the plan took away (billing-extra allowed every secret; the plan names only billing/db). */
const API_KEY = secretArn('billing/api-key-AbC123');
/** The secret billing's task definition names: the plan keeps it. */
const DB = secretArn('billing/db-XyZ123');

/** billing-exec approved in Slack and applied at the world's start time (07:20Z): the watch window is open. */
async function applied(): Promise<{ world: DemoWorld; before: string; after: string }> {
  w = await createWorld(moto.config(), remediationAccount());
  const before = await w.stateHash(ROLE);
  const { plan } = await w.requestApproval(ROLE);
  expect(plan.removals).toContainEqual({ action: 'secretsmanager:GetSecretValue', resource: '*' });
  expect((await handleApprovalRequest(w.click(plan), w.deps)).body).toBe('approved');
  expect(await w.applyQueued()).toMatchObject([{ outcome: 'applied' }]); // the remediation function applies it
  return { world: w, before, after: await w.stateHash(ROLE) };
}

/** The next billing revision, deployed after the apply, fails to start: its execution role may no longer read the key. */
async function newRevisionFailsToStart(world: DemoWorld, at: string) {
  const td = await registerBillingReading(world.clients, API_KEY);
  return runTaskStopped(
    stoppedTask({ taskDefinition: td.split('/').pop()!, reason: deniedSecretReason(ROLE, API_KEY), at, id: `stopped-${at}` }),
    world.deps,
  );
}

const rollbacks = async (world: DemoWorld) =>
  (await world.drain(world.resources.remediationQueueUrl)).filter((b) =>
    (JSON.parse(b) as { reason: string }).reason.startsWith('rollback'),
  );

describe('post-apply watch and rollback, end to end', () => {
  it('a task that fails to start on access the plan removed → rollback message → the remediation function restores the role', async () => {
    const { world, before, after } = await applied();
    const view = await world.readRole(ROLE);
    const at = world.clock.advanceMinutes(11);
    const seen = await newRevisionFailsToStart(world, at);
    // The revision is not indexed yet: its execution role came from ECS (DescribeTaskDefinition), never from the text.
    expect(seen.denial).toMatchObject({ roleArn: ARN, action: 'secretsmanager:GetSecretValue', resource: API_KEY, source: 'stop-reason' });
    expect(seen.watch?.notice).toMatch(/explained by plan .*allowed before the apply and is implicit-deny after it/);
    expect(await world.stateHash(ROLE)).toBe(after); // the evidence function only reads and asks

    const asked = await rollbacks(world);
    expect(asked.map((b) => JSON.parse(b))).toEqual([{ roleArn: ARN, reason: `rollback ${at}` }]);
    const result = await runRemediate(sqsEvent(asked), world.deps);
    expect(result.batchItemFailures).toEqual([]);
    expect(result.outcomes).toMatchObject([{ roleArn: ARN, outcome: 'rolled-back' }]);

    expect(await world.stateHash(ROLE)).toBe(before);
    const restored = await world.readRole(ROLE);
    expect(Object.keys(restored.inline)).toEqual(['billing-extra']);
    expect(restored).not.toEqual(view);
    expect((await world.audit(ROLE)).at(-1)).toMatchObject({ action: 'rollback', actor: 'leash-watch', before: after, after: before });
    expect((await world.audit(ROLE)).at(-1)!.why).toContain(`secretsmanager:GetSecretValue on ${API_KEY}`);
    expect(await world.deps.watches.get(ARN)).toBeUndefined();
  });

  it('a CloudTrail denial the plan explains rolls back the same way', async () => {
    const { world, before } = await applied();
    const at = world.clock.advanceMinutes(30);
    const seen = await runDenial(cloudTrailDenial(ROLE, API_KEY, at), world.deps);
    expect(seen.denial).toMatchObject({ roleArn: ARN, resource: API_KEY });
    const asked = await rollbacks(world);
    expect(asked).toHaveLength(1);
    expect((await runRemediate(sqsEvent(asked), world.deps)).outcomes).toMatchObject([{ outcome: 'rolled-back' }]);
    expect(await world.stateHash(ROLE)).toBe(before);
  });

  it('a denial inside the window that the plan does not explain is reported and rolls nothing back', async () => {
    const { world, after } = await applied();
    const before = (await world.deps.findings.current(ARN))?.findings;
    world.clock.advanceMinutes(10);
    // events/task-stopped-access-denied.json: billing/db, which the plan still allows (it narrowed *, kept this secret).
    const seen = await runTaskStopped(stoppedTask(), world.deps);
    expect(seen.denial).toMatchObject({ roleArn: ARN, resource: DB });
    expect(seen.watch).toMatchObject({ rolledBack: false });
    expect(seen.watch?.notice).toMatch(/not explained by the plan .*allowed before the apply and is allowed after it/);
    // Reported: stored as evidence and folded into the role's findings (a genuine denial), announced.
    expect((await world.deps.findings.current(ARN))?.findings).not.toEqual(before);
    expect(await rollbacks(world)).toEqual([]);

    // Even a rollback request for it is refused: the remediation function re-reads the stored denial and asks again.
    const at = seen.denial!.at;
    const direct = await runRemediate(sqsEvent([JSON.stringify({ roleArn: ARN, reason: `rollback ${at}` })]), world.deps);
    expect(direct.outcomes).toMatchObject([{ outcome: 'not-rolled-back' }]);
    expect((direct.outcomes[0] as { why: string }).why).toMatch(/not explained by the plan/);
    expect(await world.stateHash(ROLE)).toBe(after);
    expect((await world.audit(ROLE)).at(-1)).toMatchObject({ action: 'skip', actor: 'leash-watch' });

    // A rollback request naming a time at which no denial was stored changes nothing either.
    const invented = await runRemediate(
      sqsEvent([JSON.stringify({ roleArn: ARN, reason: 'rollback 2026-11-22T07:25:00.000Z' })]),
      world.deps,
    );
    expect(invented.outcomes).toMatchObject([{ outcome: 'not-rolled-back', why: expect.stringMatching(/no stored denial/) }]);
    expect(await world.stateHash(ROLE)).toBe(after);
  });

  it('a denial after the window closed does not roll back; the watch function closes expired windows', async () => {
    const { world, after } = await applied();
    world.clock.advanceMinutes(10);
    expect(await runWatch(SCHEDULED, world.deps)).toEqual({ closed: [], retried: [] }); // still open at 07:30
    expect(await world.deps.watches.get(ARN)).toBeDefined();

    const late = world.clock.advanceMinutes(51); // 08:21, the 60-minute window ended at 08:20
    const seen = await newRevisionFailsToStart(world, late);
    expect(seen.denial?.roleArn).toBe(ARN);
    expect(seen.rolledBack).toBeUndefined();
    expect(seen.watch).toBeUndefined();
    expect(await rollbacks(world)).toEqual([]);

    // Even a rollback request for that late denial is refused by the remediation function's own window check.
    const direct = await runRemediate(sqsEvent([JSON.stringify({ roleArn: ARN, reason: `rollback ${late}` })]), world.deps);
    expect(direct.outcomes).toMatchObject([{ outcome: 'not-rolled-back' }]);
    expect(await world.stateHash(ROLE)).toBe(after);

    expect(await runWatch(SCHEDULED, world.deps)).toEqual({ closed: [ARN], retried: [] });
    expect(await world.deps.watches.get(ARN)).toBeUndefined();
    expect(await runWatch(SCHEDULED, world.deps)).toEqual({ closed: [], retried: [] });
    expect(await world.stateHash(ROLE)).toBe(after);
  });
});
