// Acts on one approval or rejection (from Slack or a signed link): the plan must exist and be unexpired, the
// approver allowed, the approval unused, and the role unchanged since the plan; only then is the plan applied.
import { decideApproval, type ApprovalRequest, type RefusalReason } from '../engine/approval/decide.js';
import { recheck } from '../engine/plan/recheck.js';
import { ConflictError, LeashError, RefusedError } from '../errors.js';
import type { Plan } from '../engine/types.js';
import type { Applier } from './apply/applier.js';
import type { AuditEntry, AuditLog, Plans } from './ports.js';
import { assessRole, type AssessDeps } from './recompute-role.js';
import type { RemediationSettings } from './remediate.js';
import { readRoleFacts } from './role-facts.js';

export interface ApprovalDeps extends AssessDeps {
  plans: Pick<Plans, 'getPlan' | 'markUsed' | 'isUsed'>;
  /** The apply use case: the role's state hash (the plan's compare-and-swap is re-checked) and the apply itself. */
  applier: Pick<Applier, 'stateHash' | 'apply'>;
  audit: Pick<AuditLog, 'record'>;
  settings: Pick<RemediationSettings, 'approvers' | 'dryRun' | 'watchMinutes' | 'defaultMode'>;
  now: () => string;
}

export type ApprovalOutcome =
  | { status: 'applied' | 'rejected' | 'dry-run'; plan: Plan; by: string; at: string; steps?: string[] }
  | { status: 'refused'; reason: RefusalReason | 'unknown-plan' | 'apply-failed' | 'guardrails'; message: string; plan?: Plan };

const DAY_S = 86_400;

export async function actOnApproval(request: ApprovalRequest & { nonce?: string }, deps: ApprovalDeps): Promise<ApprovalOutcome> {
  const at = deps.now();
  const plan = await deps.plans.getPlan(request.planHash, at);
  if (!plan) {
    return {
      status: 'refused',
      reason: 'unknown-plan',
      message: 'No pending plan with this hash: it expired, was already decided, or never existed.',
    };
  }
  const currentStateHash = await deps.applier.stateHash(plan.roleArn);
  const audit = (action: AuditEntry['action'], why: string, detail?: unknown) =>
    deps.audit.record({
      at,
      roleArn: plan.roleArn,
      actor: request.approver,
      action,
      why,
      planHash: plan.planHash,
      before: currentStateHash,
      detail,
    });
  const decision = decideApproval({
    request,
    // The store already dropped expired plans; the decision re-checks against the plan's own clock.
    plan: { planHash: plan.planHash, roleArn: plan.roleArn, expiresAt: new Date(Date.parse(at) + 1000).toISOString() },
    currentStateHash,
    planBaseStateHash: plan.baseStateHash,
    approvers: deps.settings.approvers,
    // Read first so a replay is refused as a replay; markUsed below is still the atomic guard.
    alreadyUsed:
      (await deps.plans.isUsed('plan', plan.planHash)) || (request.nonce !== undefined && (await deps.plans.isUsed('link', request.nonce))),
    now: new Date(at),
  });
  if (!decision.ok) {
    await audit('refuse', `${request.action} via ${request.via} refused: ${decision.reason}`);
    return { status: 'refused', reason: decision.reason, message: decision.message, plan };
  }
  // Guardrails hold at every decision: the role's tags, trust policy and shared status as they are now (the applier
  // checks them once more right before its compare-and-swap).
  if (request.action === 'approve') {
    const facts = await readRoleFacts(plan.roleArn, deps, deps.settings.defaultMode);
    const refusals = facts ? recheck(plan, facts, 'approval').refusals : [`role ${plan.roleArn} no longer exists`];
    if (refusals.length > 0) {
      await audit('refuse', `approve via ${request.via} refused by the guardrails: ${refusals.join('; ')}`, { refusals });
      return { status: 'refused', reason: 'guardrails', message: `The guardrails refuse this plan now: ${refusals.join('; ')}`, plan };
    }
  }
  // Single use: the plan (and the link's nonce) are consumed atomically before anything changes.
  const ttl = Math.floor(Date.parse(at) / 1000) + 30 * DAY_S;
  const fresh =
    (await deps.plans.markUsed('plan', plan.planHash, ttl)) && (!request.nonce || (await deps.plans.markUsed('link', request.nonce, ttl)));
  if (!fresh) {
    await audit('refuse', `${request.action} via ${request.via} refused: already-used`);
    return { status: 'refused', reason: 'already-used', message: 'This approval was already used.', plan };
  }
  if (request.action === 'reject') {
    await audit('reject', `rejected via ${request.via}`);
    return { status: 'rejected', plan, by: request.approver, at };
  }
  await audit('approve', `approved via ${request.via}`);
  try {
    const result = await deps.applier.apply(plan, {
      dryRun: deps.settings.dryRun,
      actor: request.approver,
      reason: `approved by ${request.approver} via ${request.via}`,
      now: at,
      watchMinutes: deps.settings.watchMinutes,
      requirements: (await assessRole(plan.roleArn, deps))?.requirements ?? [],
    });
    return { status: result.applied ? 'applied' : 'dry-run', plan, by: request.approver, at, steps: result.steps };
  } catch (err) {
    // The applier records its own refusals (compare-and-swap lost, verification failed). Anything else (IAM throttled,
    // a step failed and was rolled back, a bug) is recorded here, or the trail would end at "approve".
    if (!(err instanceof RefusedError || err instanceof ConflictError)) {
      await audit('refuse', `approved but not applied: ${(err as Error)?.name ?? 'Error'}: ${(err as Error)?.message ?? String(err)}`);
    }
    // Only Leash's own errors are outcomes; an unexpected one surfaces (logs, alarms) instead of reading as a refusal.
    if (!(err instanceof LeashError)) throw err;
    return { status: 'refused', reason: 'apply-failed', message: err.message, plan };
  }
}
