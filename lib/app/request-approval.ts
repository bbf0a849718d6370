// Sends a plan to the people who may approve it: a Slack message with buttons, and each approver's own signed link
// in a message of its own (filtered by the approver attribute), so nobody else holds a link that acts in their name.
import type { Plan } from '../engine/types.js';
import type { ApprovalLink, Notifier, Slack } from './ports.js';

export interface ApprovalChannels {
  slack?: Slack;
  slackChannel?: string;
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
    message = await channels.slack.postPlan(channels.slackChannel, plan);
    sent.push(`slack ${message.channel} ${message.ts}`);
  }
  if (channels.notifier && links.length) {
    for (const link of links) await channels.notifier.publishApprovalLink(plan, link);
    sent.push(`sns ${links.length} link(s), one message per approver`);
  }
  return { sent, ...(message ? { message: { channel: message.channel, ts: message.ts } } : {}) };
}
