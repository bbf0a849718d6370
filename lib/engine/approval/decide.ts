// Whether one approval (or rejection) may be acted on. Pure: the caller reads the current role state, asks the
// single-use store whether the request was already consumed, and passes the answers in.

export type ApprovalAction = 'approve' | 'reject';

export interface ApprovalRequest {
  planHash: string;
  /** Slack user id (`U…`/`W…`) for Slack, email for signed links. */
  approver: string;
  action: ApprovalAction;
  via: 'slack' | 'link';
  /** The role the button or link names, when it names one. */
  roleArn?: string;
}

export interface ApprovablePlan {
  planHash: string;
  roleArn: string;
  /** ISO-8601 instant. */
  expiresAt: string;
}

export interface DecideInput {
  request: ApprovalRequest;
  plan: ApprovablePlan;
  /** The role's state hash now and the plan's base: compared only when given (the approvals function reads no IAM:
   *  the remediation function compares them when it applies). */
  currentStateHash?: string;
  planBaseStateHash?: string;
  /** Allowed approvers: Slack user ids and/or emails. */
  approvers: string[];
  /** The request's nonce / message was already consumed (replay). */
  alreadyUsed: boolean;
  now: Date;
}

export type RefusalReason =
  | 'no-approvers-configured'
  | 'approver-not-allowed'
  | 'plan-hash-mismatch'
  | 'role-mismatch'
  | 'already-used'
  | 'expired'
  | 'state-changed'
  | 'superseded';

export type ApprovalDecision = { ok: true; action: ApprovalAction } | { ok: false; reason: RefusalReason; message: string };

const MESSAGES: Record<RefusalReason, string> = {
  'no-approvers-configured': 'No approvers are configured for this role, so nobody can approve.',
  'approver-not-allowed': 'You are not on the list of approvers for this role.',
  'plan-hash-mismatch': 'This approval is for a different version of the plan.',
  'role-mismatch': 'This approval names a different role than the plan.',
  'already-used': 'This approval was already used.',
  expired: 'This plan has expired; a new one will be proposed.',
  'state-changed': "The role's policies changed since the plan was made; a new plan will be proposed.",
  superseded: 'A newer plan exists for this role (its policies or what its task definitions need changed): decide that one.',
};

/**
 * Checks in order of what the request claims (plan, role), who asks, replay, time, then the live state.
 * A rejection skips the state check: refusing a change is safe whatever the role looks like now.
 */
export function decideApproval(input: DecideInput): ApprovalDecision {
  const { request, plan } = input;
  const refuse = (reason: RefusalReason): ApprovalDecision => ({ ok: false, reason, message: MESSAGES[reason] });

  if (request.planHash !== plan.planHash) return refuse('plan-hash-mismatch');
  if (request.roleArn !== undefined && request.roleArn !== plan.roleArn) return refuse('role-mismatch');
  if (input.approvers.length === 0) return refuse('no-approvers-configured');
  if (!isAllowedApprover(request.approver, input.approvers)) return refuse('approver-not-allowed');
  if (input.alreadyUsed) return refuse('already-used');
  const expiresAt = Date.parse(plan.expiresAt);
  // An unreadable expiry fails closed.
  if (!(input.now.getTime() < expiresAt)) return refuse('expired');
  if (request.action === 'approve' && input.currentStateHash !== undefined && input.currentStateHash !== input.planBaseStateHash)
    return refuse('state-changed');
  return { ok: true, action: request.action };
}

/** Slack ids match exactly (they are case-sensitive); emails match case-insensitively. Blank never matches. */
export function isAllowedApprover(approver: string, approvers: string[]): boolean {
  const who = approver.trim();
  if (!who) return false;
  const isEmail = who.includes('@');
  return approvers.some((a) => {
    const allowed = a.trim();
    if (!allowed) return false;
    return isEmail ? allowed.includes('@') && allowed.toLowerCase() === who.toLowerCase() : allowed === who;
  });
}
