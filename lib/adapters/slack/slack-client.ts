// Thin wrapper over @slack/web-api: post a plan for approval, then replace it with the outcome. Block construction
// and payload parsing are pure (lib/engine/approval); this file only talks to Slack.
import { WebClient, type KnownBlock } from '@slack/web-api';
import { AdapterError } from '../../errors.js';
import { outcomeBlocks, planBlocks, planSummaryText, type Outcome } from '../../engine/approval/blocks.js';
import { parseInteraction } from '../../engine/approval/interaction.js';
import type { Plan } from '../../engine/types.js';

export interface SlackClientOptions {
  /** Points the client at another API root (tests use a local fake). */
  slackApiUrl?: string;
  /** Retries for network errors and 429s; Lambda timeouts are short, so keep this small. */
  retries?: number;
  /** Inject a prebuilt WebClient instead (then `token`, `slackApiUrl` and `retries` are unused). */
  client?: WebClient;
}

export interface PostedMessage {
  channel: string;
  ts: string;
}

export class SlackClient {
  private readonly web: WebClient;

  constructor(token: string, options: SlackClientOptions = {}) {
    this.web =
      options.client ??
      new WebClient(token, {
        ...(options.slackApiUrl ? { slackApiUrl: options.slackApiUrl } : {}),
        retryConfig: { retries: options.retries ?? 2 },
        rejectRateLimitedCalls: false,
      });
  }

  async postPlan(channel: string, plan: Plan): Promise<PostedMessage> {
    try {
      const res = await this.web.chat.postMessage({
        channel,
        text: planSummaryText(plan),
        blocks: planBlocks(plan) as KnownBlock[],
        unfurl_links: false,
      });
      // Slack answers with the channel id even when posted to a name, and ts identifies the message from now on.
      if (!res.ts || !res.channel) throw new Error('response has no channel/ts');
      return { channel: res.channel, ts: res.ts };
    } catch (cause) {
      throw new AdapterError(errorText(cause), 'slack', 'chat.postMessage', { cause });
    }
  }

  async updateOutcome(channel: string, ts: string, plan: Plan, outcome: Outcome): Promise<void> {
    try {
      await this.web.chat.update({
        channel,
        ts,
        text: `Leash: ${outcome.status} for ${plan.roleArn}`,
        blocks: outcomeBlocks(plan, outcome) as KnownBlock[],
      });
    } catch (cause) {
      throw new AdapterError(errorText(cause), 'slack', 'chat.update', { cause });
    }
  }
}

/** Re-exported for handlers that only import the adapter; parsing itself is pure. */
export { parseInteraction };

function errorText(cause: unknown): string {
  const data = (cause as { data?: { error?: string } }).data;
  return data?.error ?? (cause instanceof Error ? cause.message : String(cause));
}
