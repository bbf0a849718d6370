// The remediation function's half of an approval: it takes up a queued approval, re-checks it (still approved, still
// the role's current plan, the role's state and needs unchanged, the guardrails as they are now), applies it through
// the apply use case (which re-checks once more right before its compare-and-swap), records the outcome with a
// conditional write and updates the Slack message. A guardrail refusal or a transient failure gives the approval back
// (the plan is pending again, and the message says why); a plan the role has moved past is refused for good.
import { recheck } from '../engine/plan/recheck.js';
import type { Plan } from '../engine/types.js';
import { AdapterError, BusyError, ConflictError, LeashError, RefusedError } from '../errors.js';
import type { Applier } from './apply/applier.js';
import type { AuditLog, PlanDecision, Plans } from './ports.js';
import { planFor, type RemediationDeps } from './remediate.js';
import { readRoleFacts } from './role-facts.js';

export interface ApplyApprovedDeps extends Omit<RemediationDeps, 'plans' | 'applier'> {
  plans: Pick<Plans, 'getPlan' | 'status' | 'transition' | 'currentPlan'>;
  applier: Pick<Applier, 'apply' | 'resume'>;
  audit: Pick<AuditLog, 'record'>;
}

export interface ApprovedOutcome {
  roleArn: string;
  outcome: 'applied' | 'dry-run' | 'refused' | 'pending-again' | 'skipped';
  why: string;
  plan?: Plan;
  steps?: string[];
}

export async function applyApproved(roleArn: string, planHash: string, deps: ApplyApprovedDeps): Promise<ApprovedOutcome> {
  const now = deps.now();
  const status = await deps.plans.status(planHash);
  const plan = await deps.plans.getPlan(planHash);
  // Redelivered, or decided otherwise meanwhile: nothing to do, and the record stays as it is.
  if (!plan || !status || status.status !== 'approved' || plan.roleArn !== roleArn)
    return { roleArn, outcome: 'skipped', why: `plan ${planHash.slice(0, 12)} is not approved (${status?.status ?? 'unknown'})` };
  const by = status.by ?? 'unknown';
  const ctx = { plan, status, by, now, deps };
  // A run of this message (or another change of the role) that died between IAM steps is finished or reverted first,
  // under the role's lease, so the checks below see the role as it really ends up.
  const recovered = await deps.applier.resume(roleArn, now);
  if (recovered?.kind === 'apply' && recovered.id === planHash && recovered.outcome === 'applied')
    return finish(ctx, 'applied', `applied (${recovered.why})`, { audited: true });

  const current = await deps.plans.currentPlan(plan.roleArn);
  if (current !== undefined && current !== plan.planHash) return finish(ctx, 'refused', `superseded by plan ${current.slice(0, 12)}`);
  // The guardrails first: a role that became Terraform's or shared gives the approval back (the plan is approvable
  // again once the role is back as it was), where a plan built now would merely differ.
  const facts = await readRoleFacts(plan.roleArn, deps, deps.settings.defaultMode);
  const refusals = facts ? recheck(plan, facts, 'approval').refusals : [`role ${plan.roleArn} no longer exists`];
  if (refusals.length) {
    const why = `refused by the guardrails: ${refusals.join('; ')}`;
    await deps.audit.record({ at: now, roleArn, actor: by, action: 'refuse', planHash, why, detail: { refusals } });
    return finish(ctx, 'pending-again', why, { audited: true });
  }
  const superseded = await supersededBy(plan, deps);
  if (superseded) return finish(ctx, 'refused', superseded.why, { before: superseded.before });
  try {
    const result = await deps.applier.apply(plan, {
      dryRun: deps.settings.dryRun,
      actor: by,
      reason: `approved by ${by} via ${status.via ?? 'slack'}`,
      now,
      watchMinutes: deps.settings.watchMinutes,
      requirements: (await planFor(plan.roleArn, deps))?.assessment.requirements ?? [],
    });
    const done = result.applied ? 'applied' : 'dry-run: nothing changed';
    return finish(ctx, result.applied ? 'applied' : 'dry-run', done, { steps: result.steps, audited: true });
  } catch (err) {
    // Another writer holds the role, or an interrupted change could not be reverted yet: the message is retried.
    if (err instanceof BusyError || (err instanceof AdapterError && (err.operation === 'apply' || err.operation === 'recovery'))) throw err;
    // The apply use case audited its own refusals.
    if (err instanceof RefusedError && err.rule === 'guardrails') return finish(ctx, 'pending-again', err.message, { audited: true });
    if (err instanceof RefusedError || err instanceof ConflictError) return finish(ctx, 'refused', err.message, { audited: true });
    if (!(err instanceof LeashError)) throw err;
    // Throttled or failed mid-way and restored exactly: nothing changed, so the approval is not spent.
    const why = `not applied (${transientText(err)}); nothing changed, approve again`;
    await deps.audit.record({ at: now, roleArn, actor: by, action: 'refuse', planHash, why: `approved but ${why}` });
    return finish(ctx, 'pending-again', why, { audited: true });
  }
}

/** Why the approved plan is no longer the one to apply (a plan built now would differ), with the role's state hash. */
async function supersededBy(plan: Plan, deps: ApplyApprovedDeps): Promise<{ why: string; before?: string } | undefined> {
  const fresh = await planFor(plan.roleArn, deps);
  if (!fresh) return { why: `role ${plan.roleArn} no longer exists`, before: 'deleted' };
  const before = fresh.plan.baseStateHash;
  if (before !== plan.baseStateHash) return { why: "state-changed: the role's policies changed since the plan was made", before };
  if (fresh.plan.planHash !== plan.planHash)
    return { why: 'superseded: what the role needs changed since the plan was made (a new plan follows)', before };
  return undefined;
}

interface Ctx {
  plan: Plan;
  status: PlanDecision;
  by: string;
  now: string;
  deps: ApplyApprovedDeps;
}

interface Finish {
  steps?: string[];
  /** Already in the audit trail (the apply use case records its own outcome and refusals). */
  audited?: boolean;
  before?: string;
}

async function finish(ctx: Ctx, outcome: ApprovedOutcome['outcome'], why: string, f: Finish = {}): Promise<ApprovedOutcome> {
  const { plan, status, by, now, deps } = ctx;
  const { steps } = f;
  const pendingAgain = outcome === 'pending-again';
  const to = pendingAgain ? 'pending' : (outcome as 'applied' | 'dry-run' | 'refused');
  await deps.plans.transition(plan.planHash, ['approved'], { status: to, at: now, note: why, ...(pendingAgain ? {} : { by }) });
  if (!f.audited)
    await deps.audit.record({
      at: now,
      roleArn: plan.roleArn,
      actor: by,
      action: 'refuse',
      planHash: plan.planHash,
      why,
      ...(f.before ? { before: f.before } : {}),
    });
  const slack = deps.channels.slack;
  const msg = status.message;
  if (slack && msg) {
    if (pendingAgain) await slack.updatePending(msg.channel, msg.ts, plan, { by, why });
    else
      await slack.updateOutcome(msg.channel, msg.ts, plan, {
        // A dry run applied nothing: the message must not say Applied.
        status: outcome === 'refused' ? 'refused' : outcome === 'dry-run' ? 'approved' : 'applied',
        by: outcome === 'refused' ? 'leash' : by,
        at: now,
        ...(outcome === 'refused' ? { reason: why } : outcome === 'dry-run' ? { reason: 'dry-run: nothing changed' } : {}),
      });
  }
  return { roleArn: plan.roleArn, outcome, why, plan, ...(steps ? { steps } : {}) };
}

const transientText = (err: Error): string => {
  const cause = (err as { cause?: { name?: string } }).cause;
  return cause?.name ? `${cause.name}: ${err.message}` : err.message;
};
