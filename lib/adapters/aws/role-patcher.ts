// Applies a plan as a compare-and-swap on the role's state hash, keeps the previous state for rollback, watches
// the role afterwards and rolls back on a denial inside the window. Dry-run changes nothing on the role.
import type { IAMClient } from '@aws-sdk/client-iam';
import { planHash } from '../../engine/plan/canonical.js';
import { roleNameFromArn } from '../../engine/plan/template-change.js';
import type { Plan, Requirement, RoleState } from '../../engine/types.js';
import { AdapterError, ConflictError, LeashError, RefusedError } from '../../errors.js';
import type { AuditLog } from './audit-log.js';
import type { Verification, VerifyInput } from './plan-verifier.js';
import { describeStep, planSteps, restoreSteps, runSteps } from './role-steps.js';
import { isoOf, type StateStore } from './state-store.js';
import { errorMessage } from './sdk-call.js';

export interface RolePatcherDeps {
  iam: IAMClient;
  store: Pick<StateStore, 'putSnapshot' | 'latest' | 'get' | 'openWatch' | 'getWatch' | 'closeWatch' | 'expiredWatches'>;
  audit: Pick<AuditLog, 'record'>;
  readState: (roleName: string) => Promise<RoleState | undefined>;
  hashState: (state: RoleState) => string;
  verifier: { verify(input: VerifyInput): Promise<Verification> };
  /** ISO time now; only onDenial needs it (everything else takes `now`). */
  clock?: () => string;
}

export interface ApplyOptions {
  dryRun: boolean;
  actor: string;
  reason: string;
  now: string;
  watchMinutes: number;
  /** What the role's task definitions need now: verification checks the new policy set still allows all of it. */
  requirements: Requirement[];
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

export class RolePatcher {
  private readonly clock: () => string;

  constructor(private readonly deps: RolePatcherDeps) {
    this.clock = deps.clock ?? (() => new Date().toISOString());
  }

  async apply(plan: Plan, opts: ApplyOptions): Promise<ApplyResult> {
    const { store, hashState } = this.deps;
    const roleName = roleNameFromArn(plan.roleArn);
    const base = { at: opts.now, roleArn: plan.roleArn, actor: opts.actor, planHash: plan.planHash };
    const refuse = async (err: LeashError, before?: string, detail?: unknown): Promise<never> => {
      await this.deps.audit.record({ ...base, action: 'refuse', why: err.message, before, detail });
      throw err;
    };

    if (planHash(plan) !== plan.planHash) await refuse(new RefusedError('plan content does not match its planHash', 'plan-integrity'));
    if (plan.deleteInline.includes(plan.policyName)) await refuse(new RefusedError('plan deletes its own policy', 'plan-integrity'));
    const current = await this.deps.readState(roleName);
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
    if (opts.dryRun) {
      await this.deps.audit.record({
        ...base,
        action: 'skip',
        why: `dry run: ${opts.reason}`,
        before,
        detail: { dryRun: true, steps: stepText },
      });
      return { applied: false, dryRun: true, steps: stepText, before };
    }

    // IAM has no conditional write: re-read right before the first one, since verification took round trips. A change
    // made meanwhile would otherwise be deleted unexamined, and the stale snapshot would roll it away later.
    const latest = await this.deps.readState(roleName);
    const beforeWrite = latest ? hashState(latest) : 'deleted';
    if (beforeWrite !== before) {
      await refuse(
        new ConflictError(`role ${plan.roleArn} changed while the plan was being verified (plan base ${before}, now ${beforeWrite})`),
        beforeWrite,
      );
    }
    const snapshot = await store.putSnapshot(current, before, opts.now);
    try {
      await runSteps(this.deps.iam, roleName, steps);
    } catch (err) {
      const restored = await this.restore(roleName, current, snapshot.hash);
      await this.deps.audit.record({
        ...base,
        action: 'rollback',
        why: `apply failed (${errorMessage(err)}); restored the previous state`,
        before,
        after: restored.after,
        detail: { snapshot: snapshot.id, restoredExactly: restored.exact, error: restored.error },
      });
      if (restored.error !== undefined || !restored.exact) {
        throw new AdapterError(`apply failed and the previous state could not be restored exactly`, 'iam', 'apply', { cause: err });
      }
      throw err;
    }

    // Every step succeeded: the role is the plan. If reading it back fails now, the expected state's hash stands in,
    // so the apply is still recorded and watched rather than reported as a failure.
    const after = await this.hashNow(roleName).catch(() => hashState(expectedAfter(current, plan)));
    const until = opts.watchMinutes > 0 ? new Date(Date.parse(opts.now) + opts.watchMinutes * 60_000).toISOString() : undefined;
    if (until)
      await store.openWatch({
        roleArn: plan.roleArn,
        openedAt: opts.now,
        until,
        stateId: snapshot.id,
        planHash: plan.planHash,
        afterHash: after,
      });
    await this.deps.audit.record({
      ...base,
      action: 'apply',
      why: opts.reason,
      before,
      after,
      detail: { steps: stepText, snapshot: snapshot.id, watchUntil: until },
    });
    return { applied: true, dryRun: false, steps: stepText, before, after, snapshotId: snapshot.id, watchUntil: until };
  }

  /** Restores a stored snapshot exactly (latest when `to` is not given) and checks the hash afterwards. */
  /** `expectHash`: roll back only if the role is still in that state (the automatic watch passes the post-apply hash). */
  async rollback(
    roleArn: string,
    opts: { to?: string; actor: string; reason: string; now: string; expectHash?: string },
  ): Promise<RollbackResult> {
    const { store, hashState } = this.deps;
    const target = opts.to ? await store.get(roleArn, opts.to) : await store.latest(roleArn);
    const base = { at: opts.now, roleArn, actor: opts.actor };
    if (!target) {
      const err = new RefusedError(`no stored state ${opts.to ?? '(latest)'} for ${roleArn}`, 'rollback-snapshot');
      await this.deps.audit.record({ ...base, action: 'refuse', why: err.message });
      throw err;
    }
    const roleName = roleNameFromArn(roleArn);
    const current = await this.deps.readState(roleName);
    if (!current) throw new ConflictError(`role ${roleArn} no longer exists`);
    const before = hashState(current);
    if (opts.expectHash !== undefined && before !== opts.expectHash) {
      const err = new ConflictError(
        `role ${roleArn} changed since it was checked (expected ${opts.expectHash}, now ${before}): not rolled back`,
      );
      await this.deps.audit.record({ ...base, action: 'refuse', why: err.message, before });
      throw err;
    }
    const steps = restoreSteps(current, target.state);
    if (before !== target.hash) await store.putSnapshot(current, before, opts.now); // a rollback can be undone too
    const restored =
      before === target.hash
        ? { after: before, exact: true, error: undefined }
        : await this.restore(roleName, target.state, target.hash, current);
    await store.closeWatch(roleArn);
    const result = { changed: before !== target.hash, to: target.id, before, after: restored.after ?? '', steps: steps.map(describeStep) };
    const why = restored.exact ? opts.reason : `${opts.reason} (state after rollback does not match the snapshot)`;
    await this.deps.audit.record({
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

  /** A denial for the role: inside an open watch window, and with the role still as Leash left it → roll back. */
  async onDenial(roleArn: string, denialAt: string): Promise<WatchNotice | undefined> {
    const watch = await this.deps.store.getWatch(roleArn);
    if (!watch) return undefined;
    const t = Date.parse(denialAt);
    if (!(t >= Date.parse(watch.openedAt) && t <= Date.parse(watch.until))) return undefined;
    const now = this.clock();
    const current = await this.hashNow(roleNameFromArn(roleArn));
    if (current !== watch.afterHash) {
      const notice = `denial at ${isoOf(denialAt)} inside the watch window of plan ${watch.planHash}, but the role changed since the apply: not rolled back automatically`;
      await this.deps.audit.record({
        at: now,
        roleArn,
        actor: WATCH_ACTOR,
        action: 'skip',
        planHash: watch.planHash,
        why: notice,
        before: current,
      });
      return { rolledBack: false, notice };
    }
    const notice = `denial at ${isoOf(denialAt)} inside the watch window of plan ${watch.planHash}: rolled back to ${watch.stateId}`;
    const rollback = await this.rollback(roleArn, {
      to: watch.stateId,
      actor: WATCH_ACTOR,
      reason: notice,
      now,
      expectHash: watch.afterHash,
    });
    return { rolledBack: true, notice, rollback };
  }

  /** Ends every watch window whose time is up; returns the roles. */
  async closeExpiredWatches(now: string): Promise<string[]> {
    const roles = await this.deps.store.expiredWatches(now);
    for (const roleArn of roles) await this.deps.store.closeWatch(roleArn);
    return roles;
  }

  private async hashNow(roleName: string): Promise<string> {
    const state = await this.deps.readState(roleName);
    if (!state) throw new ConflictError(`role ${roleName} disappeared`);
    return this.deps.hashState(state);
  }

  /** Brings the role back to `target` (the state before the change) whatever partial state it is in now. */
  private async restore(
    roleName: string,
    target: RoleState,
    targetHash: string,
    fromKnown?: RoleState,
  ): Promise<{ after?: string; exact: boolean; error?: string }> {
    try {
      const now = fromKnown ?? (await this.deps.readState(roleName));
      if (!now) return { exact: false, error: 'role disappeared' };
      await runSteps(this.deps.iam, roleName, restoreSteps(now, target), true);
      const after = await this.hashNow(roleName);
      return { after, exact: after === targetHash };
    } catch (err) {
      return { exact: false, error: errorMessage(err) };
    }
  }
}

/** The role state a fully applied plan leaves: the Leash policy put, the deletes and detaches done. */
export function expectedAfter(current: RoleState, plan: Plan): RoleState {
  const inline = [
    ...current.inline.filter((p) => p.name !== plan.policyName && !plan.deleteInline.includes(p.name)),
    { name: plan.policyName, document: plan.document },
  ].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const attached = current.attached.filter((a) => !plan.detach.includes(a));
  const versions = current.attachedVersions
    ? Object.fromEntries(Object.entries(current.attachedVersions).filter(([arn]) => attached.includes(arn)))
    : undefined;
  return { roleArn: current.roleArn, inline, attached, ...(versions ? { attachedVersions: versions } : {}) };
}
