// The apply use case, the one place Leash changes a role: plan → re-check (compare-and-swap on the role's state hash,
// plan integrity, verification) → record the intent (previous state, steps, expected end state) → IAM steps → read
// back → open the watch; and rollback, with the same checks. The IAM writes go through the RoleWriter port; which
// steps, in which order, and what the role must look like afterwards are the engine's (engine/role).
import { planHash } from '../../engine/plan/canonical.js';
import { policiesAfter } from '../../engine/plan/explain-denial.js';
import { recheck, type CurrentFacts, type Decider } from '../../engine/plan/recheck.js';
import { roleNameOf } from '../../engine/arn.js';
import { expectedAfter, hashState } from '../../engine/role/state.js';
import { describeStep, planSteps, restoreSteps, type PatchStep } from '../../engine/role/steps.js';
import { inWatchWindow, rollbackVerdict, type WatchedChange, type WatchedDenial } from '../../engine/role/watch.js';
import type { Plan, Requirement, RoleGrant, RoleState } from '../../engine/types.js';
import { AdapterError, ConflictError, LeashError, RefusedError } from '../../errors.js';
import type { AuditLog, ChangeIntent, ChangeIntents, RoleLocks, Roles, RoleWriter, Snapshots, StoredState, Watches } from '../ports.js';
import { serialized, verifiedSnapshot, type Recovery } from './recover.js';
import { openWatch } from './watch-window.js';
import type { Verification, VerifyInput } from './plan-verifier.js';

export interface ApplierDeps {
  roles: Pick<Roles, 'readState' | 'readGrant'>;
  writer: RoleWriter;
  snapshots: Snapshots;
  intents: ChangeIntents;
  watches: Watches;
  audit: Pick<AuditLog, 'record'>;
  /** The per-role lease every IAM write is made under; without it (tests of the mechanics) writes are not serialized. */
  locks?: RoleLocks;
  verifier: { verify(input: VerifyInput): Promise<Verification> };
  /** ISO time now; apply and rollback take theirs from the caller, the watch uses this. */
  now: () => string;
  /** The role's facts now (tags, trust policy, task-role use, instance profiles): the guardrails are re-checked against
   *  them right before the compare-and-swap. Without it no re-check runs (tests of the mechanics only). */
  facts?: (roleArn: string, grant?: RoleGrant) => Promise<CurrentFacts | undefined>;
  /** Set when this runtime may not write IAM (a member account without a write role): every write is refused with it. */
  writeRefusal?: string;
}

export interface ApplyOptions {
  dryRun: boolean;
  actor: string;
  reason: string;
  now: string;
  watchMinutes: number;
  /** What the role's task definitions need now: verification checks the new policy set still allows all of it. */
  requirements: Requirement[];
  /** Who decided: a person's approval (the default) or auto mode. The guardrail re-check is stricter for auto. */
  via?: Decider;
}

export interface ApplyResult {
  applied: boolean;
  dryRun: boolean;
  steps: string[];
  before: string;
  after?: string;
  snapshotId?: string;
  watchUntil?: string;
}

export interface RollbackOptions {
  /** A stored state id; the latest when omitted. */
  to?: string;
  actor: string;
  reason: string;
  now: string;
  /** Roll back only if the role is still in this state (the automatic watch passes the post-apply hash). */
  expectHash?: string;
}

export interface RollbackResult {
  changed: boolean;
  to: string;
  before: string;
  after: string;
  steps: string[];
}

export interface WatchNotice {
  rolledBack: boolean;
  notice: string;
  rollback?: RollbackResult;
}

export const WATCH_ACTOR = 'leash-watch';

export class Applier {
  constructor(private readonly deps: ApplierDeps) {}

  /** The role's state hash now ('deleted' when it is gone): what a plan's compare-and-swap is held against. */
  async stateHash(roleArn: string): Promise<string> {
    const state = await this.deps.roles.readState(roleNameOf(roleArn));
    return state ? hashState(state) : 'deleted';
  }

  /** Applies the plan holding the role's lease, after finishing or reverting a change a dead writer left open. */
  apply(plan: Plan, opts: ApplyOptions): Promise<ApplyResult> {
    return serialized(this.deps, plan.roleArn, opts.now, this.restorer, () => this.applyHeld(plan, opts));
  }

  /** Finishes or reverts a change a dead writer left open on the role (under its lease); what it did, if anything. */
  resume(roleArn: string, now: string): Promise<Recovery | undefined> {
    return serialized(this.deps, roleArn, now, this.restorer, async (recovered) => recovered);
  }

  private readonly restorer = (roleName: string, target: RoleState, targetHash: string) => this.restore(roleName, target, targetHash);

  private async applyHeld(plan: Plan, opts: ApplyOptions): Promise<ApplyResult> {
    const { audit } = this.deps;
    const roleName = roleNameOf(plan.roleArn);
    const base = { at: opts.now, roleArn: plan.roleArn, actor: opts.actor, planHash: plan.planHash };
    const refuse = async (err: LeashError, before?: string, detail?: unknown): Promise<never> => {
      await audit.record({ ...base, action: 'refuse', why: err.message, before, detail });
      throw err;
    };

    if (planHash(plan) !== plan.planHash) await refuse(new RefusedError('plan content does not match its planHash', 'plan-integrity'));
    if (plan.deleteInline.includes(plan.policyName)) await refuse(new RefusedError('plan deletes its own policy', 'plan-integrity'));
    const current = await this.deps.roles.readState(roleName);
    if (!current) return refuse(new ConflictError(`role ${plan.roleArn} no longer exists`));
    const before = hashState(current);
    if (before !== plan.baseStateHash) {
      await refuse(
        new ConflictError(`role ${plan.roleArn} changed since the plan was made (plan base ${plan.baseStateHash}, now ${before})`),
        before,
      );
    }

    const steps = planSteps(plan, current);
    const verification = await this.deps.verifier.verify({ plan, state: current, requirements: opts.requirements });
    if (!verification.ok) {
      await refuse(new RefusedError(`verification failed: ${verification.problems.join('; ')}`, 'verification'), before, {
        problems: verification.problems,
      });
    }
    const stepText = steps.map(describeStep);
    // Guardrails hold at every decision: the role's tags, trust policy and shared status as they are now.
    const grant = await this.deps.roles.readGrant(roleName);
    if (this.deps.facts) {
      const facts = await this.deps.facts(plan.roleArn, grant);
      const r = facts ? recheck(plan, facts, opts.via ?? 'approval') : { ok: false, refusals: [`role ${plan.roleArn} no longer exists`] };
      if (!r.ok)
        await refuse(new RefusedError(`refused by the guardrails: ${r.refusals.join('; ')}`, 'guardrails'), before, {
          refusals: r.refusals,
        });
    }
    if (opts.dryRun) {
      await audit.record({ ...base, action: 'skip', why: `dry run: ${opts.reason}`, before, detail: { dryRun: true, steps: stepText } });
      return { applied: false, dryRun: true, steps: stepText, before };
    }

    // IAM has no conditional write: re-read right before the first one, since verification took round trips. A change
    // made meanwhile would otherwise be deleted unexamined, and the stale snapshot would roll it away later.
    const latest = await this.deps.roles.readState(roleName);
    const beforeWrite = latest ? hashState(latest) : 'deleted';
    if (beforeWrite !== before) {
      await refuse(
        new ConflictError(`role ${plan.roleArn} changed while the plan was being verified (plan base ${before}, now ${beforeWrite})`),
        beforeWrite,
      );
    }
    if (this.deps.writeRefusal) await refuse(new RefusedError(this.deps.writeRefusal, 'write-role'), beforeWrite);
    const snapshot = await this.deps.snapshots.put(current, before, opts.now);
    const expected = expectedAfter(current, plan);
    const watch = { minutes: opts.watchMinutes, ...(grant ? { change: watchedChange(plan, grant) } : {}) };
    await this.begin(plan.planHash, 'apply', opts, current, before, snapshot, steps, expected, watch);
    try {
      await this.deps.writer.run(roleName, steps);
    } catch (err) {
      const restored = await this.restore(roleName, current, snapshot.hash);
      await audit.record({
        ...base,
        action: 'rollback',
        why: `apply failed (${errorText(err)}); restored the previous state`,
        before,
        after: restored.after,
        detail: { snapshot: snapshot.id, restoredExactly: restored.exact, error: restored.error },
      });
      if (restored.error !== undefined || !restored.exact) {
        // The intent stays open: the next run on this role (a retried message) reverts it first (apply/recover.ts).
        throw new AdapterError(`apply failed and the previous state could not be restored exactly`, 'iam', 'apply', { cause: err });
      }
      await this.deps.intents.end(plan.roleArn, plan.planHash, 'rolled-back', opts.now);
      throw err;
    }

    // Every step succeeded: the role is the plan. If reading it back fails now, the expected state's hash stands in,
    // so the apply is still recorded and watched rather than reported as a failure.
    const after = await this.hashNow(roleName).catch(() => hashState(expected));
    // The watch opens before the intent closes: a writer dying in between leaves the intent open, and recovery opens
    // the same watch (apply/recover.ts), so a finished change is never left unwatched.
    const until = await openWatch(
      this.deps.watches,
      { roleArn: plan.roleArn, planHash: plan.planHash, stateId: snapshot.id, afterHash: after },
      watch,
      opts.now,
    );
    await this.deps.intents.end(plan.roleArn, plan.planHash, 'applied', opts.now);
    await audit.record({
      ...base,
      action: 'apply',
      why: opts.reason,
      before,
      after,
      detail: { steps: stepText, snapshot: snapshot.id, watchUntil: until },
    });
    return { applied: true, dryRun: false, steps: stepText, before, after, snapshotId: snapshot.id, watchUntil: until };
  }

  /** Restores a stored state exactly (the latest when `to` is not given) and checks the hash afterwards, holding the
   *  role's lease. The stored state is used only when it matches its hash. */
  rollback(roleArn: string, opts: RollbackOptions): Promise<RollbackResult> {
    return serialized(this.deps, roleArn, opts.now, this.restorer, () => this.rollbackHeld(roleArn, opts));
  }

  private async rollbackHeld(roleArn: string, opts: RollbackOptions): Promise<RollbackResult> {
    const { snapshots, audit } = this.deps;
    const stored = opts.to ? await snapshots.get(roleArn, opts.to) : await snapshots.latest(roleArn);
    const base = { at: opts.now, roleArn, actor: opts.actor };
    let target: StoredState;
    try {
      target = verifiedSnapshot(stored, roleArn, opts.to ?? '(latest)');
    } catch (err) {
      const tampered = (err as RefusedError).rule === 'snapshot-integrity';
      await audit.record({
        ...base,
        action: 'refuse',
        why: (err as Error).message,
        detail: tampered ? { alarm: 'snapshot-tampered', snapshot: stored?.id } : undefined,
      });
      throw err;
    }
    if (this.deps.writeRefusal) {
      const err = new RefusedError(this.deps.writeRefusal, 'write-role');
      await audit.record({ ...base, action: 'refuse', why: err.message });
      throw err;
    }
    const roleName = roleNameOf(roleArn);
    const current = await this.deps.roles.readState(roleName);
    if (!current) throw new ConflictError(`role ${roleArn} no longer exists`);
    const before = hashState(current);
    if (opts.expectHash !== undefined && before !== opts.expectHash) {
      const err = new ConflictError(
        `role ${roleArn} changed since it was checked (expected ${opts.expectHash}, now ${before}): not rolled back`,
      );
      await audit.record({ ...base, action: 'refuse', why: err.message, before });
      throw err;
    }
    const steps = restoreSteps(current, target.state);
    const changed = before !== target.hash;
    let restored: { after?: string; exact: boolean; error?: string } = { after: before, exact: true };
    if (changed) {
      // A rollback can be undone too: the state it replaces is stored first, and the intent recorded.
      const snapshot = await snapshots.put(current, before, opts.now);
      const id = `rollback#${target.id}`;
      await this.begin(id, 'rollback', opts, current, before, snapshot, steps, target.state);
      restored = await this.restore(roleName, target.state, target.hash, current);
      // Not there yet: the intent stays open and the watch window with it; the next run finishes the rollback.
      if (restored.exact) await this.deps.intents.end(roleArn, id, 'rolled-back', opts.now);
    }
    if (restored.exact) await this.deps.watches.close(roleArn);
    const result = { changed, to: target.id, before, after: restored.after ?? '', steps: steps.map(describeStep) };
    const why = restored.exact ? opts.reason : `${opts.reason} (state after rollback does not match the snapshot)`;
    await audit.record({
      ...base,
      action: 'rollback',
      why,
      before,
      after: restored.after,
      detail: { to: target.id, steps: result.steps, error: restored.error },
    });
    if (!restored.exact) {
      throw new AdapterError(
        `rollback to ${target.id} did not reach the snapshot (hash ${restored.after})${restored.error ? `: ${restored.error}` : ''}`,
        'iam',
        'rollback',
      );
    }
    return result;
  }

  /** A stored denial of the role: inside an open watch window, explained by the applied plan, and with the role still
   *  as Leash left it → roll back. A denial the plan does not explain is recorded and kept. */
  async onDenial(roleArn: string, denial: WatchedDenial): Promise<WatchNotice | undefined> {
    const now = this.deps.now();
    // A rollback that failed earlier is finished first (it is what this denial asks for, once more).
    const recovered = denial.roleArn === roleArn ? await this.resume(roleArn, now) : undefined;
    if (recovered?.kind === 'rollback') return { rolledBack: true, notice: `retried rollback: ${recovered.why}` };
    const watch = await this.deps.watches.get(roleArn);
    if (denial.roleArn !== roleArn || !inWatchWindow(watch, denial.at)) return undefined;
    const current = await this.hashNow(roleNameOf(roleArn));
    const verdict = rollbackVerdict(watch, denial, current);
    if (verdict.act === 'none') return undefined;
    if (verdict.act === 'keep') {
      await this.deps.audit.record({
        at: now,
        roleArn,
        actor: WATCH_ACTOR,
        action: 'skip',
        planHash: watch.planHash,
        why: verdict.notice,
        before: current,
      });
      return { rolledBack: false, notice: verdict.notice };
    }
    const rollback = await this.rollback(roleArn, {
      to: verdict.to,
      actor: WATCH_ACTOR,
      reason: verdict.notice,
      now,
      expectHash: verdict.expectHash,
    });
    return { rolledBack: true, notice: verdict.notice, rollback };
  }

  /** Ends every watch window whose time is up; returns the roles. */
  async closeExpiredWatches(now: string): Promise<string[]> {
    const closed: string[] = [];
    for (const roleArn of await this.deps.watches.expired(now)) {
      // A rollback that has not reached its stored state keeps the window open until it does.
      if (await this.unfinishedRollback(roleArn)) continue;
      await this.deps.watches.close(roleArn);
      closed.push(roleArn);
    }
    return closed;
  }

  /** Roles whose window is over but whose rollback has not reached the stored state yet: to be retried. */
  async unfinishedRollbacks(now: string): Promise<string[]> {
    const roles: string[] = [];
    for (const roleArn of await this.deps.watches.expired(now)) if (await this.unfinishedRollback(roleArn)) roles.push(roleArn);
    return roles;
  }

  private async unfinishedRollback(roleArn: string): Promise<boolean> {
    const last = await this.deps.intents.last(roleArn);
    return last?.kind === 'rollback' && !last.outcome;
  }

  /** Records what the change will do before its first IAM write (and takes the role's one-writer slot). */
  private async begin(
    id: string,
    kind: 'apply' | 'rollback',
    opts: { actor: string; now: string },
    current: RoleState,
    before: string,
    snapshot: StoredState,
    steps: PatchStep[],
    expected: RoleState,
    watch?: ChangeIntent['watch'],
  ): Promise<void> {
    await this.deps.intents.begin({
      id,
      roleArn: current.roleArn,
      kind,
      actor: opts.actor,
      at: opts.now,
      beforeHash: before,
      snapshotId: snapshot.id,
      steps,
      expected,
      expectedHash: hashState(expected),
      ...(watch ? { watch } : {}),
    });
  }

  private async hashNow(roleName: string): Promise<string> {
    const state = await this.deps.roles.readState(roleName);
    if (!state) throw new ConflictError(`role ${roleName} disappeared`);
    return hashState(state);
  }

  /** Brings the role back to `target` (the state before the change) whatever partial state it is in now. */
  private async restore(
    roleName: string,
    target: RoleState,
    targetHash: string,
    fromKnown?: RoleState,
  ): Promise<{ after?: string; exact: boolean; error?: string }> {
    try {
      const now = fromKnown ?? (await this.deps.roles.readState(roleName));
      if (!now) return { exact: false, error: 'role disappeared' };
      await this.deps.writer.run(roleName, restoreSteps(now, target), { tolerateGone: true });
      const after = await this.hashNow(roleName);
      return { after, exact: after === targetHash };
    } catch (err) {
      return { exact: false, error: errorText(err) };
    }
  }
}

/** The plan's removals and the identity policies around it, kept in the watch to hold later denials against. */
function watchedChange(plan: Plan, grant: RoleGrant): WatchedChange {
  return {
    removals: plan.removals,
    before: grant.policies,
    after: policiesAfter(plan, grant.policies),
    ...(grant.permissionsBoundary ? { boundary: grant.permissionsBoundary } : {}),
  };
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));
