// Thin wrapper over @slack/web-api: post a plan for approval, then replace it with the outcome. Block construction
// and payload parsing are pure (lib/engine/approval); this file only talks to Slack. The Web API client is loaded on
// first use (dynamic import): a function that never talks to Slack never pays for it at cold start.
import type { KnownBlock, WebClient } from '@slack/web-api';
import type { Slack } from '../../app/ports.js';
import { AdapterError } from '../../errors.js';
import {
  outcomeBlocks,
  pendingBlocks,
  planBlocks,
  planSummaryText,
  type DecisionFacts,
  type Outcome,
  type PendingAgain,
} from '../../engine/approval/blocks.js';
import { slackFallback } from '../../engine/approval/slack-text.js';
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

export class SlackClient implements Slack {
  private web?: Promise<WebClient>;

  /** `token`: the bot token, or a function reading it (from Secrets Manager) when Slack is first used. */
  constructor(
    private readonly token: string | (() => Promise<string | undefined>),
    private readonly options: SlackClientOptions = {},
  ) {}

  private client(): Promise<WebClient> {
    this.web ??= this.connect();
    this.web.catch(() => (this.web = undefined)); // a failed token read is retried on the next call
    return this.web;
  }

  private async connect(): Promise<WebClient> {
    if (this.options.client) return this.options.client;
    const token = typeof this.token === 'string' ? this.token : await this.token();
    if (!token) throw new AdapterError('no Slack bot token configured', 'slack', 'auth');
    const { WebClient } = await import('@slack/web-api');
    return new WebClient(token, {
      ...(this.options.slackApiUrl ? { slackApiUrl: this.options.slackApiUrl } : {}),
      retryConfig: { retries: this.options.retries ?? 2 },
      rejectRateLimitedCalls: false,
    });
  }

  async postPlan(channel: string, plan: Plan, facts?: DecisionFacts): Promise<PostedMessage> {
    try {
      const web = await this.client();
      const res = await web.chat.postMessage({
        channel,
        text: planSummaryText(plan),
        blocks: planBlocks(plan, facts) as KnownBlock[],
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
      const web = await this.client();
      await web.chat.update({
        channel,
        ts,
        text: slackFallback(`Leash: ${outcome.status} for ${plan.roleArn}`),
        blocks: outcomeBlocks(plan, outcome) as KnownBlock[],
      });
    } catch (cause) {
      throw new AdapterError(errorText(cause), 'slack', 'chat.update', { cause });
    }
  }

  async updatePending(channel: string, ts: string, plan: Plan, pending: PendingAgain): Promise<void> {
    try {
      const web = await this.client();
      await web.chat.update({ channel, ts, text: planSummaryText(plan), blocks: pendingBlocks(plan, pending) as KnownBlock[] });
    } catch (cause) {
      throw new AdapterError(errorText(cause), 'slack', 'chat.update', { cause });
    }
  }

  /** `text` is Leash's own mrkdwn (callers escape what they put in it). */
  async postEphemeral(channel: string, user: string, text: string): Promise<void> {
    try {
      const web = await this.client();
      await web.chat.postEphemeral({ channel, user, text });
    } catch (cause) {
      // Slack's error code only: never the cause's message, which may echo the request (and the link in it).
      throw new AdapterError(slackErrorCode(cause), 'slack', 'chat.postEphemeral');
    }
  }
}

function slackErrorCode(cause: unknown): string {
  const data = (cause as { data?: { error?: string } }).data;
  return data?.error ?? (cause instanceof Error ? cause.name : 'error');
}

function errorText(cause: unknown): string {
  const data = (cause as { data?: { error?: string } }).data;
  return data?.error ?? (cause instanceof Error ? cause.message : String(cause));
}
