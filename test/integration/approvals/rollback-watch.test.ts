// Issue 5 acceptance, the post-apply watch: a denial for billing-exec inside the watch window asks the remediation
// function (through the SQS queue) to roll back, which restores the stored state; outside the window nothing happens.
import { afterEach, describe, expect, it } from 'vitest';
import { run as runDenial } from '../../../functions/denial.js';
import { run as runRemediate } from '../../../functions/remediate.js';
import { run as runTaskStopped } from '../../../functions/task-stopped.js';
import { run as runWatch } from '../../../functions/watch.js';
import { run as handleApprovalRequest } from '../../../functions/approvals.js';
import { loadEventJson } from '../../support/corpus.js';
import { useMoto } from '../../support/moto.js';
import { makeWorld, roleArn, sqsEvent, type World } from '../../support/remediation-world.js';

const moto = useMoto();
let w: World | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

const ROLE = 'billing-exec';
const ARN = roleArn(ROLE);
const SCHEDULED = { 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} };

type Json = Record<string, unknown>;

/** events/task-stopped-access-denied.json (billing-exec denied its secret), stopped at `at` when given. */
function taskStopped(at?: string): Json {
  const e = loadEventJson<Json & { detail: Json }>('task-stopped-access-denied.json');
  return at ? { ...e, time: at, detail: { ...e.detail, stoppedAt: at, updatedAt: at } } : e;
}

/** events/denial-secretsmanager.json, made by billing-exec for its own secret at `at`. */
function cloudTrailDenial(at: string): Json {
  const text = JSON.stringify(loadEventJson('denial-secretsmanager.json'))
    .replaceAll('reports-exec', ROLE)
    .replaceAll('reports/smtp-QwErTy', 'billing/db-XyZ123');
  const e = JSON.parse(text) as Json & { detail: Json };
  return { ...e, time: at, detail: { ...e.detail, eventTime: at } };
}

/** billing-exec approved in Slack and applied at the world's start time (07:20Z): the watch window is open. */
async function applied(): Promise<{ world: World; before: string; after: string }> {
  w = await makeWorld(moto.config());
  const before = await w.stateHash(ROLE);
  const { plan } = await w.requestApproval(ROLE);
  expect((await handleApprovalRequest(w.click(plan), w.rt)).body).toBe('applied');
  return { world: w, before, after: await w.stateHash(ROLE) };
}

const rollbacks = async (world: World) =>
  (await world.drain(world.remediationQueueUrl)).filter((b) => (JSON.parse(b) as { reason: string }).reason.startsWith('rollback'));

describe('post-apply watch and rollback, end to end', () => {
  it('an ECS task stopped by a denial inside the window → rollback message → the remediation function restores the role', async () => {
    const { world, before, after } = await applied();
    const view = await world.readRole(ROLE);
    world.clock.advanceMinutes(11);
    const seen = await runTaskStopped(taskStopped(), world.rt);
    expect(seen.denial).toMatchObject({ roleArn: ARN, action: 'secretsmanager:GetSecretValue' });
    expect(await world.stateHash(ROLE)).toBe(after); // the evidence function only reads and asks

    const asked = await rollbacks(world);
    expect(asked.map((b) => JSON.parse(b))).toEqual([{ roleArn: ARN, reason: 'rollback 2026-11-22T07:30:12.918Z' }]);
    const result = await runRemediate(sqsEvent(asked), world.rt);
    expect(result.batchItemFailures).toEqual([]);
    expect(result.outcomes).toMatchObject([{ roleArn: ARN, outcome: 'rolled-back' }]);

    expect(await world.stateHash(ROLE)).toBe(before);
    const restored = await world.readRole(ROLE);
    expect(Object.keys(restored.inline)).toEqual(['billing-extra']);
    expect(restored).not.toEqual(view);
    expect((await world.audit(ROLE)).at(-1)).toMatchObject({ action: 'rollback', actor: 'leash-watch', before: after, after: before });
    expect(await world.rt.watches.get(ARN)).toBeUndefined();
  });

  it('a CloudTrail denial inside the window rolls back the same way', async () => {
    const { world, before } = await applied();
    const at = world.clock.advanceMinutes(30);
    const seen = await runDenial(cloudTrailDenial(at), world.rt);
    expect(seen.denial?.roleArn).toBe(ARN);
    const asked = await rollbacks(world);
    expect(asked).toHaveLength(1);
    expect((await runRemediate(sqsEvent(asked), world.rt)).outcomes).toMatchObject([{ outcome: 'rolled-back' }]);
    expect(await world.stateHash(ROLE)).toBe(before);
  });

  it('a denial after the window closed does not roll back; the watch function closes expired windows', async () => {
    const { world, after } = await applied();
    world.clock.advanceMinutes(10);
    expect(await runWatch(SCHEDULED, world.rt)).toEqual({ closed: [] }); // still open at 07:30
    expect(await world.rt.watches.get(ARN)).toBeDefined();

    const late = world.clock.advanceMinutes(51); // 08:21, the 60-minute window ended at 08:20
    const seen = await runTaskStopped(taskStopped(late), world.rt);
    expect(seen.denial?.roleArn).toBe(ARN);
    expect(seen.rolledBack).toBeUndefined();
    expect(await rollbacks(world)).toEqual([]);

    // Even a rollback request for that late denial is refused by the remediation function's own window check.
    const direct = await runRemediate(sqsEvent([JSON.stringify({ roleArn: ARN, reason: `rollback ${late}` })]), world.rt);
    expect(direct.outcomes).toMatchObject([{ outcome: 'not-rolled-back' }]);
    expect(await world.stateHash(ROLE)).toBe(after);

    expect(await runWatch(SCHEDULED, world.rt)).toEqual({ closed: [ARN] });
    expect(await world.rt.watches.get(ARN)).toBeUndefined();
    expect(await runWatch(SCHEDULED, world.rt)).toEqual({ closed: [] });
    expect(await world.stateHash(ROLE)).toBe(after);
  });
});
