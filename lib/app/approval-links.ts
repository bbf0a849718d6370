// Signed approval links: minted for email approvers when a plan is posted (sent on the approvals topic, one message
// each), and for a Slack approver only when they ask for the page of a plan too long to approve in Slack (answered
// to them alone, ephemerally). Never minted for a Slack id into any message others can read.
import { randomUUID } from 'node:crypto';
import { createToken } from '../engine/approval/link-token.js';
import { approvalPath } from '../engine/approval/page.js';
import type { Plan } from '../engine/types.js';
import type { ApprovalLink } from './ports.js';

/** Minutes a link asked for in Slack stays valid: it is for reviewing now, not a standing credential. */
export const REQUESTED_LINK_MINUTES = 30;

/** The approvers who receive links by message: emails only (Slack approvers approve in Slack). */
export function emailApprovers(approvers: string[]): string[] {
  return approvers.map((a) => a.trim()).filter((a) => /^[^@\s]+@[^@\s]+$/.test(a));
}

export function mintLink(
  plan: Pick<Plan, 'planHash' | 'roleArn'>,
  approver: string,
  expiresAt: string,
  secret: string,
  baseUrl: string,
): ApprovalLink {
  const token = createToken(
    { planHash: plan.planHash, roleArn: plan.roleArn, approverHint: approver, expiresAt, nonce: randomUUID() },
    secret,
  );
  return { approver, url: baseUrl + approvalPath(token) };
}
