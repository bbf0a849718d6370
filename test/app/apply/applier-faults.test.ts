// The apply use case's mutation order and fault handling, over an in-memory IAM (test/support/memory).
import { describe, expect, it } from 'vitest';
import type { Verification } from '../../../lib/app/apply/plan-verifier.js';
import { buildPlan } from '../../../lib/engine/plan/build-plan.js';
import { hashState } from '../../../lib/engine/role/state.js';
import type { Plan, RoleState } from '../../../lib/engine/types.js';
import { AdapterError, RefusedError } from '../../../lib/errors.js';
import { memoryApplier } from '../../support/world/memory.js';
import { fakeCovers } from '../../engine/plan/fake-covers.js';
import {
  ACCOUNT,
  broadInline,
  findings,
  MANAGED_ARN,
  managedPolicy,
  requirements,
  ROLE_ARN,
  synthesized,
} from '../../engine/plan/fixtures.js';

const initial: RoleState = {
  roleArn: ROLE_ARN,
  inline: [{ name: broadInline.name, document: broadInline.document }],
  attached: [MANAGED_ARN],
};
const NOW = '2026-03-01T10:00:00.000Z';
const opts = { dryRun: false, actor: 'alice', reason: 'approved', now: NOW, watchMinutes: 30, requirements };
const ROLE_NAME = ROLE_ARN.split('/').pop()!;

function setup(verification: Verification = { ok: true, problems: [] }) {
  const mem = memoryApplier({ verify: async () => verification });
  mem.iam.addRole(initial);
  const role = {
    log: mem.iam.log,
    failOn: mem.iam.failOn.bind(mem.iam),
    current: () => mem.iam.current(ROLE_NAME),
  };
  const plan: Plan = buildPlan({
    roleArn: ROLE_ARN,
    state: initial,
    baseStateHash: hashState(initial),
    grant: [managedPolicy(), broadInline],
    requirements,
    synthesized,
    findings: findings(),
    accountId: ACCOUNT,
    covers: fakeCovers,
  });
  return {
    role,
    mem: { ...mem, entries: mem.audit.entries, snapshots: mem.snapshots.stored, snapshotStore: mem.snapshots },
    patcher: mem.applier,
    plan,
    verifyCalls: mem.verifyCalls,
  };
}

describe('Applier: mutation order and fault handling', () => {
  it('puts the Leash policy before deleting or detaching anything', async () => {
    const { role, patcher, plan } = setup();
    await patcher.apply(plan, opts);
    expect(role.log).toEqual(['put leash-execution-role', 'delete secrets-everywhere', `detach ${MANAGED_ARN}`]);
  });

  it('a failure on the first step leaves the role untouched and rethrows', async () => {
    const { role, mem, patcher, plan } = setup();
    role.failOn('PutRolePolicy');
    await expect(patcher.apply(plan, opts)).rejects.toThrow(/injected PutRolePolicy failure/);
    expect(role.current()).toEqual(initial);
    expect(role.log).toEqual([]);
    expect(mem.entries.at(-1)).toMatchObject({ action: 'rollback', detail: { restoredExactly: true } });
  });

  it('a failure after the delete re-puts the deleted policy and removes the new one', async () => {
    const { role, patcher, plan } = setup();
    role.failOn('DetachRolePolicy');
    await expect(patcher.apply(plan, opts)).rejects.toThrow(/injected DetachRolePolicy failure/);
    expect(role.current()).toEqual(initial);
    expect(role.log).toEqual([
      'put leash-execution-role',
      'delete secrets-everywhere',
      'put secrets-everywhere',
      'delete leash-execution-role',
    ]);
  });

  it('says so when the restore fails too, keeping the original error as cause', async () => {
    const { role, mem, patcher, plan } = setup();
    role.failOn('DetachRolePolicy');
    role.failOn('PutRolePolicy', 2); // the 1st put is the plan's, the 2nd the restore's re-put
    const err = await patcher.apply(plan, opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AdapterError);
    expect((err as Error).message).toContain('could not be restored exactly');
    expect(((err as Error).cause as Error).message).toContain('injected DetachRolePolicy failure');
    expect(mem.entries.at(-1)?.action).toBe('rollback');
  });

  it('never touches IAM when verification fails', async () => {
    const { role, mem, patcher, plan } = setup({ ok: false, problems: ['ValidatePolicy ERROR X'] });
    const err = await patcher.apply(plan, opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RefusedError);
    expect((err as RefusedError).rule).toBe('verification');
    expect(role.log).toHaveLength(0);
    expect(mem.snapshots).toHaveLength(0);
    expect(mem.entries).toEqual([expect.objectContaining({ action: 'refuse', detail: { problems: ['ValidatePolicy ERROR X'] } })]);
  });

  it('refuses a plan whose content no longer matches its hash', async () => {
    const { role, patcher, plan, verifyCalls } = setup();
    const tampered = { ...plan, detach: [] };
    const err = await patcher.apply(tampered, opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RefusedError);
    expect((err as RefusedError).rule).toBe('plan-integrity');
    expect(verifyCalls).toHaveLength(0);
    expect(role.log).toHaveLength(0);
  });

  it('passes the current state and the requirements to the verifier', async () => {
    const { role, patcher, plan, verifyCalls } = setup();
    await patcher.apply(plan, { ...opts, dryRun: true });
    expect(verifyCalls).toEqual([{ plan, state: initial, requirements }]);
    expect(role.log).toHaveLength(0);
  });
});

describe('Applier.rollback', () => {
  it('refuses when there is no stored state', async () => {
    const { patcher } = setup();
    await expect(patcher.rollback(ROLE_ARN, { actor: 'bob', reason: 'r', now: NOW })).rejects.toBeInstanceOf(RefusedError);
  });

  it('grants back before it removes, and re-puts an inline policy whose document changed', async () => {
    const { role, patcher, plan } = setup();
    await patcher.apply(plan, opts);
    role.log.length = 0;
    await patcher.rollback(ROLE_ARN, { actor: 'bob', reason: 'r', now: '2026-03-01T10:05:00.000Z' });
    expect(role.log).toEqual(['put secrets-everywhere', `attach ${MANAGED_ARN}`, 'delete leash-execution-role']);
    expect(role.current()).toEqual(initial);
  });
});

describe('Applier: the intent recorded before the first IAM write', () => {
  it('stores the steps and the expected end state before IAM changes, and closes the intent with the outcome', async () => {
    const { mem, patcher, plan } = setup();
    let seenAtFirstWrite: unknown;
    const run = mem.iam.run.bind(mem.iam);
    mem.iam.run = async (name, steps, o) => {
      seenAtFirstWrite ??= await mem.intents.last(ROLE_ARN);
      return run(name, steps, o);
    };
    const result = await patcher.apply(plan, opts);
    expect(seenAtFirstWrite).toMatchObject({
      id: plan.planHash,
      kind: 'apply',
      actor: 'alice',
      beforeHash: hashState(initial),
      snapshotId: result.snapshotId,
      steps: [
        { op: 'put-inline', name: plan.policyName },
        { op: 'delete-inline', name: 'secrets-everywhere' },
        { op: 'detach', arn: MANAGED_ARN },
      ],
      expectedHash: result.after,
    });
    expect(seenAtFirstWrite).not.toHaveProperty('outcome');
    expect(await mem.intents.last(ROLE_ARN)).toMatchObject({ id: plan.planHash, outcome: 'applied' });
  });

  it('a failed apply closes its intent as rolled back', async () => {
    const { role, mem, patcher, plan } = setup();
    role.failOn('DetachRolePolicy');
    await expect(patcher.apply(plan, opts)).rejects.toThrow(/injected/);
    expect(await mem.intents.last(ROLE_ARN)).toMatchObject({ id: plan.planHash, outcome: 'rolled-back' });
  });

  // One writer per role: a change a dead writer left open is dealt with (under the role's lease) before another starts.
  const leftOpen = (id: string, expected: RoleState, snapshotId = 's') => ({
    id,
    roleArn: ROLE_ARN,
    kind: 'apply' as const,
    actor: 'leash-auto',
    at: NOW,
    beforeHash: hashState(initial),
    snapshotId,
    steps: [],
    expected,
    expectedHash: hashState(expected),
  });
  const stray = {
    name: 'stray',
    document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow' as const, Action: 's3:*', Resource: '*' }] },
  };

  it('a change left open that had completed is finished and recorded first; then the next change runs', async () => {
    const { role, mem, patcher, plan } = setup();
    await mem.intents.begin(leftOpen('other-plan', initial));
    await patcher.apply(plan, opts);
    const recovered = mem.entries.findIndex((e) => e.actor === 'leash-recovery');
    expect(mem.entries[recovered]).toMatchObject({
      action: 'apply',
      why: 'recovered: interrupted apply had completed',
      before: hashState(initial),
      detail: { intent: 'other-plan' },
    });
    expect(recovered).toBeLessThan(mem.entries.findIndex((e) => e.action === 'apply' && e.actor === 'alice'));
    expect(role.log).toEqual(['put leash-execution-role', 'delete secrets-everywhere', `detach ${MANAGED_ARN}`]); // no write of its own
    expect(await mem.intents.last(ROLE_ARN)).toMatchObject({ id: plan.planHash, outcome: 'applied' });
  });

  /** The writer dies (a Lambda timeout) the first time it calls `store[method]`; later calls go through. */
  function dieOnce<S, K extends keyof S>(store: S, method: K): void {
    const real = store[method] as (...a: unknown[]) => Promise<unknown>;
    let died = false;
    store[method] = (async (...a: unknown[]) => {
      if (died) return real.apply(store, a);
      died = true;
      throw new Error('Task timed out');
    }) as S[K];
  }

  // A writer can die after its last IAM write and before it closes the change: the role is the plan, and recovery must
  // watch it exactly as the writer would have, or a denial the change causes would never roll it back.
  it.each([
    ['opening the watch', 'watches.open'],
    ['closing the intent', 'intents.end'],
  ] as const)('a writer that dies after its last IAM write, before %s: recovery opens the same watch', async (_, dies) => {
    const clean = setup();
    await clean.patcher.apply(clean.plan, opts);
    const watched = await clean.mem.watches.get(ROLE_ARN);

    const { role, mem, patcher, plan } = setup();
    if (dies === 'watches.open') dieOnce(mem.watches, 'open');
    else dieOnce(mem.intents, 'end');
    await expect(patcher.apply(plan, opts)).rejects.toThrow(/timed out/);
    expect((await mem.intents.last(ROLE_ARN))?.outcome).toBeUndefined();
    const writes = role.log.length;

    const LATER = '2026-03-01T10:07:00.000Z';
    expect(await patcher.resume(ROLE_ARN, LATER)).toMatchObject({ kind: 'apply', id: plan.planHash, outcome: 'applied' });
    expect(role.log.length).toBe(writes); // nothing written again
    const watch = await mem.watches.get(ROLE_ARN);
    expect(watch).toMatchObject({
      planHash: plan.planHash,
      afterHash: hashState(role.current()!),
      openedAt: LATER,
      until: '2026-03-01T10:37:00.000Z',
    });
    expect(watch!.change).toEqual(watched!.change);
    expect(watch!.change!.removals.length).toBeGreaterThan(0);
    expect(watch!.stateId).toBe((await mem.intents.last(ROLE_ARN))!.snapshotId);
    expect(await mem.intents.last(ROLE_ARN)).toMatchObject({ id: plan.planHash, outcome: 'applied' });
  });

  it('recovery opens no watch for an apply made with a 0-minute window, nor for an intent that describes none', async () => {
    const { mem, patcher, plan } = setup();
    dieOnce(mem.intents, 'end');
    await expect(patcher.apply(plan, { ...opts, watchMinutes: 0 })).rejects.toThrow(/timed out/);
    expect(await patcher.resume(ROLE_ARN, NOW)).toMatchObject({ outcome: 'applied' });
    expect(await mem.watches.get(ROLE_ARN)).toBeUndefined();

    const other = setup();
    await other.mem.intents.begin(leftOpen('older-plan', initial)); // written before intents carried their watch
    expect(await other.patcher.resume(ROLE_ARN, NOW)).toMatchObject({ outcome: 'applied' });
    expect(await other.mem.watches.get(ROLE_ARN)).toBeUndefined();
  });

  it('a change left half-done is reverted to its verified snapshot and recorded before the next change writes', async () => {
    const { role, mem, patcher, plan } = setup();
    const snapshot = await mem.snapshotStore.put(initial, hashState(initial), NOW);
    await mem.intents.begin(leftOpen('other-plan', { ...initial, attached: [] }, snapshot.id));
    await mem.iam.run(ROLE_NAME, [{ op: 'put-inline', ...stray }]); // the dead writer's first step
    role.log.length = 0;
    await patcher.apply(plan, opts);
    expect(mem.entries.find((e) => e.actor === 'leash-recovery')).toMatchObject({
      action: 'rollback',
      why: 'recovered: interrupted apply reverted to its snapshot',
      detail: { intent: 'other-plan' },
    });
    // The revert (delete stray) comes before the new change's first write; the new change then starts from `initial`.
    expect(role.log).toEqual(['delete stray', 'put leash-execution-role', 'delete secrets-everywhere', `detach ${MANAGED_ARN}`]);
    expect(role.current()!.inline.map((p) => p.name)).toEqual(['leash-execution-role']);
  });

  it('a change left half-done whose snapshot fails its hash is never reverted to it, and nothing else writes', async () => {
    const { role, mem, patcher, plan } = setup();
    const snapshot = await mem.snapshotStore.put(initial, hashState(initial), NOW);
    mem.snapshots[0]!.state.inline.push(stray); // edited in the store: no longer what its hash says
    await mem.intents.begin(leftOpen('other-plan', { ...initial, attached: [] }, snapshot.id));
    await mem.iam.run(ROLE_NAME, [{ op: 'put-inline', ...stray }]);
    const halfDone = role.current();
    role.log.length = 0;
    await expect(patcher.apply(plan, opts)).rejects.toMatchObject({ name: 'RefusedError', rule: 'snapshot-integrity' });
    expect(role.log).toEqual([]);
    expect(role.current()).toEqual(halfDone);
    expect((await mem.intents.last(ROLE_ARN))?.outcome).toBeUndefined(); // still open: a person must look
  });
});
