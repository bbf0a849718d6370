// One writer per role, and no change left half-done. Every apply and rollback runs holding the role's lease; the first
// thing it does there is to look at the role's last recorded intent: one still open means a writer died between IAM
// steps (a crash, a timeout). An interrupted apply is finished when the role already is its expected end state and
// reverted to its snapshot otherwise (a finished one gets its watch window); an interrupted rollback is finished.
// Either way it is recorded.
import { randomUUID } from 'node:crypto';
import { roleNameOf } from '../../engine/arn.js';
import { hashState } from '../../engine/role/state.js';
import type { RoleState } from '../../engine/types.js';
import { AdapterError, BusyError, RefusedError } from '../../errors.js';
import type { AuditLog, ChangeIntents, RoleLocks, Roles, Snapshots, StoredState, Watches } from '../ports.js';
import { openWatch } from './watch-window.js';

/** Longer than the remediate function's timeout: a lease outlives its holder only when the holder died. */
export const LEASE_MS = 5 * 60_000;
export const RECOVERY_ACTOR = 'leash-recovery';

export interface RecoveryDeps {
  roles: Pick<Roles, 'readState'>;
  snapshots: Pick<Snapshots, 'get'>;
  intents: ChangeIntents;
  watches: Pick<Watches, 'open' | 'close'>;
  audit: Pick<AuditLog, 'record'>;
  locks?: RoleLocks;
}

export type Restore = (
  roleName: string,
  target: RoleState,
  targetHash: string,
) => Promise<{ after?: string; exact: boolean; error?: string }>;

/** What recovery did: nothing open, or how the interrupted change ended. */
export interface Recovery {
  kind: 'apply' | 'rollback';
  /** The interrupted change: the plan hash of an apply, `rollback#<state id>` of a rollback. */
  id: string;
  outcome: 'applied' | 'rolled-back' | 'failed';
  why: string;
}

/** Runs `fn` holding the role's lease (BusyError when another writer holds it), after recovering an open change. */
export async function serialized<T>(
  deps: RecoveryDeps,
  roleArn: string,
  now: string,
  restore: Restore,
  fn: (recovered?: Recovery) => Promise<T>,
): Promise<T> {
  if (!deps.locks) return fn(await recoverOpenChange(deps, roleArn, now, restore));
  const holder = randomUUID();
  if (!(await deps.locks.acquire(roleArn, holder, now, LEASE_MS)))
    throw new BusyError(`another change of ${roleArn} is in progress (its lease is held): retry later`);
  try {
    return await fn(await recoverOpenChange(deps, roleArn, now, restore));
  } finally {
    await deps.locks.release(roleArn, holder);
  }
}

/** A stored state is used only when it is what its hash says: an edited snapshot is refused (and alarmed by callers). */
export function verifiedSnapshot(stored: StoredState | undefined, roleArn: string, id: string): StoredState {
  if (!stored) throw new RefusedError(`no stored state ${id} for ${roleArn}`, 'rollback-snapshot');
  if (hashState(stored.state) !== stored.hash || stored.state.roleArn !== roleArn)
    throw new RefusedError(`stored state ${stored.id} of ${roleArn} does not match its hash: refused (tampered?)`, 'snapshot-integrity');
  return stored;
}

export async function recoverOpenChange(deps: RecoveryDeps, roleArn: string, now: string, restore: Restore): Promise<Recovery | undefined> {
  const open = await deps.intents.last(roleArn);
  if (!open || open.outcome) return undefined;
  const roleName = roleNameOf(roleArn);
  const state = await deps.roles.readState(roleName);
  const hash = state ? hashState(state) : 'deleted';
  const base = { at: now, roleArn, actor: RECOVERY_ACTOR, planHash: open.kind === 'apply' ? open.id : undefined, before: hash };
  let r: Recovery;
  if (hash === open.expectedHash) {
    r = {
      kind: open.kind,
      id: open.id,
      outcome: open.kind === 'apply' ? 'applied' : 'rolled-back',
      why: `interrupted ${open.kind} had completed`,
    };
  } else if (open.kind === 'rollback') {
    const done = await restore(roleName, open.expected, open.expectedHash);
    r = {
      kind: 'rollback',
      id: open.id,
      outcome: done.exact ? 'rolled-back' : 'failed',
      why: `interrupted rollback ${done.exact ? 'finished' : `still failing: ${done.error ?? done.after}`}`,
    };
  } else {
    const snapshot = verifiedSnapshot(await deps.snapshots.get(roleArn, open.snapshotId), roleArn, open.snapshotId);
    const done = await restore(roleName, snapshot.state, snapshot.hash);
    r = {
      kind: 'apply',
      id: open.id,
      outcome: done.exact ? 'rolled-back' : 'failed',
      why: `interrupted apply ${done.exact ? 'reverted to its snapshot' : `could not be reverted: ${done.error ?? done.after}`}`,
    };
  }
  await deps.audit.record({
    ...base,
    action: r.outcome === 'applied' ? 'apply' : 'rollback',
    why: `recovered: ${r.why}`,
    detail: { intent: open.id },
  });
  // A failed recovery leaves the intent open: the next run (a retried message, the watch) tries again.
  if (r.outcome === 'failed') throw new AdapterError(`role ${roleArn}: ${r.why}`, 'iam', 'recovery');
  // A finished apply is watched like any other (its writer may have died before opening the window).
  if (open.kind === 'apply' && r.outcome === 'applied')
    await openWatch(deps.watches, { roleArn, planHash: open.id, stateId: open.snapshotId, afterHash: hash }, open.watch, now);
  await deps.intents.end(roleArn, open.id, r.outcome, now);
  if (open.kind === 'rollback') await deps.watches.close(roleArn);
  return r;
}
