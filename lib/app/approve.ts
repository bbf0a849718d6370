// Records one approval or rejection (from Slack or a signed link) and hands an approval to the remediation queue. The
// approvals function is internet-facing and answers Slack within its 3 seconds, so this reads and writes Leash's own
// table only, never IAM: the plan must exist, be unexpired and still the role's current plan, the approver allowed;
// then the decision is a conditional write (pending -> approved | rejected, with who and when), so a second click can
// never decide again. The remediation function re-checks everything and applies (apply-approved.ts).
import { decideApproval, type ApprovalRequest, type RefusalReason } from '../engine/approval/decide.js';
import type { Plan } from '../engine/types.js';
import type { AuditEntry, AuditLog, PlanDecision, Plans, RemediationQueue } from './ports.js';

export interface ApprovalDeps {
  plans: Pick<Plans, 'getPlan' | 'status' | 'transition' | 'currentPlan'>;
  audit: Pick<AuditLog, 'record'>;
  /** Where an approval goes to be applied (the remediation queue, grouped by role). */
  queue?: RemediationQueue;
  settings: { approvers: string[] };
  now: () => string;
}

export type ApprovalOutcome =
  | {
      status: 'approved' | 'rejected';
      plan: Plan;
      by: string;
      at: string;
      /** The plan's Slack message, when known (the click's, or the one posted with the approval request). */
      message?: { channel: string; ts: string };
    }
  | {
      status: 'refused';
      reason: RefusalReason | 'unknown-plan' | 'not-queued';
      message: string;
      plan?: Plan;
      /** The decision already recorded, when the plan was decided before (what a later click is told). */
      decided?: PlanDecision;
    };

/** The queue message that asks the remediation function to apply an approved plan. */
export const approvedReason = (planHash: string): string => `approved ${planHash}`;
export const approvedPlanOf = (reason: string): string | undefined => /^approved ([0-9a-f]{64})$/.exec(reason)?.[1];

export async function recordDecision(
  request: ApprovalRequest & { nonce?: string; message?: { channel: string; ts: string } },
  deps: ApprovalDeps,
): Promise<ApprovalOutcome> {
  const at = deps.now();
  const plan = await deps.plans.getPlan(request.planHash, at);
  const status = plan && (await deps.plans.status(plan.planHash));
  if (!plan || !status) {
    return { status: 'refused', reason: 'unknown-plan', message: 'No plan with this hash: it expired or never existed.' };
  }
  const audit = (action: AuditEntry['action'], why: string) =>
    deps.audit.record({ at, roleArn: plan.roleArn, actor: request.approver, action, why, planHash: plan.planHash });
  const decided = status.status === 'pending' ? undefined : status;
  const decision = decideApproval({
    request,
    plan: { planHash: plan.planHash, roleArn: plan.roleArn, expiresAt: status.expiresAt },
    approvers: deps.settings.approvers,
    // The conditional status write below is what makes a decision single-use, for links and clicks alike: a link
    // whose approval was given back (the plan is pending again, nothing changed) approves again.
    alreadyUsed: decided !== undefined,
    now: new Date(at),
  });
  if (!decision.ok) {
    await audit('refuse', `${request.action} via ${request.via} refused: ${decision.reason}`);
    return {
      status: 'refused',
      reason: decision.reason,
      message: decidedMessage(decided) ?? decision.message,
      plan,
      ...(decided ? { decided } : {}),
    };
  }
  const current = await deps.plans.currentPlan(plan.roleArn);
  if (request.action === 'approve' && current !== undefined && current !== plan.planHash) {
    await audit('refuse', `approve via ${request.via} refused: superseded by plan ${current.slice(0, 12)}`);
    return { status: 'refused', reason: 'superseded', message: SUPERSEDED, plan };
  }
  const fresh = await deps.plans.transition(plan.planHash, ['pending'], {
    status: request.action === 'approve' ? 'approved' : 'rejected',
    by: request.approver,
    at,
    via: request.via,
    ...(request.message ? { message: request.message } : {}),
  });
  if (!fresh) {
    const now = await deps.plans.status(plan.planHash);
    await audit('refuse', `${request.action} via ${request.via} refused: already-used`);
    return {
      status: 'refused',
      reason: 'already-used',
      message: decidedMessage(now) ?? 'This approval was already used.',
      plan,
      ...(now ? { decided: now } : {}),
    };
  }
  const message = request.message ?? status.message;
  const recorded = { plan, by: request.approver, at, ...(message ? { message } : {}) };
  if (request.action === 'reject') {
    await audit('reject', `rejected via ${request.via}`);
    return { status: 'rejected', ...recorded };
  }
  await audit('approve', `approved via ${request.via}; queued for the remediation function`);
  try {
    if (!deps.queue) throw new Error('no remediation queue configured');
    await deps.queue.enqueue(plan.roleArn, approvedReason(plan.planHash));
  } catch (err) {
    // Not queued: the approval is given back (the plan is pending again) rather than stranded as approved.
    await deps.plans.transition(plan.planHash, ['approved'], { status: 'pending', at, note: 'the approval could not be queued' });
    await audit('refuse', `approval not queued: ${(err as Error)?.message ?? String(err)}`);
    return {
      status: 'refused',
      reason: 'not-queued',
      message: 'The approval could not be queued; the plan is still pending. Try again.',
      plan,
    };
  }
  return { status: 'approved', ...recorded };
}

const SUPERSEDED = 'A newer plan exists for this role (its policies or what its task definitions need changed): decide that one.';

/** What a later request is told about a decided plan: who decided what, and when. */
export function decidedMessage(d: PlanDecision | undefined): string | undefined {
  if (!d || d.status === 'pending') return undefined;
  const who = d.by ? ` by ${d.by}` : '';
  const when = d.at ? ` at ${d.at}` : '';
  return `This plan was already decided: ${d.status}${who}${when}.${d.note && d.note !== d.status ? ` ${d.note}` : ''}`;
}
