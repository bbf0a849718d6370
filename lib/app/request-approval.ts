// Sends a plan to the people who may approve it: a Slack message with buttons (Slack approvers decide there), and
// each email approver's own signed link in a message of its own on the approvals topic (filtered by the approver
// attribute), so nobody else holds a link that acts in their name.
import type { DecisionFacts } from '../engine/approval/blocks.js';
import type { Plan } from '../engine/types.js';
import type { ApprovalLink, Notifier, Slack } from './ports.js';

export interface ApprovalChannels {
  slack?: Slack;
  slackChannel?: string;
  /** Said in the Slack message before anyone clicks. */
  facts?: DecisionFacts;
  /** The approvals topic (never the findings topic). */
  notifier?: Pick<Notifier, 'publishApprovalLink'>;
}

/** Where the request went, for the audit trail, and the Slack message (kept with the plan, so the outcome of a
 *  decision taken by link updates it too). */
export async function requestApproval(
  plan: Plan,
  links: ApprovalLink[],
  channels: ApprovalChannels,
): Promise<{ sent: string[]; message?: { channel: string; ts: string } }> {
  const sent: string[] = [];
  let message: { channel: string; ts: string } | undefined;
  if (channels.slack && channels.slackChannel) {
    message = await channels.slack.postPlan(channels.slackChannel, plan, channels.facts);
    sent.push(`slack ${message.channel} ${message.ts}`);
  }
  if (channels.notifier && links.length) {
    for (const link of links) await channels.notifier.publishApprovalLink(plan, link);
    sent.push(`approvals topic: ${links.length} link(s), one message per email approver`);
  }
  return { sent, ...(message ? { message: { channel: message.channel, ts: message.ts } } : {}) };
}
