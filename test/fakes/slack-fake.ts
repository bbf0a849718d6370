// A local Slack Web API for chat.postMessage, chat.update and chat.postEphemeral. Like Slack, it takes form-encoded bodies (what
// @slack/web-api sends, `blocks` as a JSON string) and JSON bodies (token only in the Authorization header),
// answers HTTP 200 with `ok: false` for API errors, and checks Block Kit limits (`invalid_blocks`).
import { fail, isObject, startFake, type RecordedRequest, type RunningFake } from './http-fake.js';

export interface SlackMessage {
  channel: string;
  ts: string;
  text?: string;
  blocks: unknown[];
  updates: number;
}

export interface EphemeralMessage {
  channel: string;
  user: string;
  text: string;
}

export interface SlackFake extends RunningFake {
  /** chat.postEphemeral calls, oldest first: what only `user` saw (requested links, replies to later clicks). */
  ephemerals: EphemeralMessage[];
  /** Root to give WebClient as `slackApiUrl`. */
  apiUrl: string;
  messages: Map<string, SlackMessage>;
  message(channel: string, ts: string): SlackMessage | undefined;
}

export interface SlackFakeOptions {
  token: string;
  /** Channel name → id; posts may name either, updates need the id (as in Slack). */
  channels: Record<string, string>;
}

const BLOCK_TYPES = new Set(['header', 'section', 'context', 'divider', 'actions', 'image', 'rich_text', 'input']);

export async function startSlackFake(opts: SlackFakeOptions): Promise<SlackFake> {
  const messages = new Map<string, SlackMessage>();
  const ephemerals: EphemeralMessage[] = [];
  let seq = 0;
  const ids = new Set(Object.values(opts.channels));

  const fake = await startFake((req) => {
    if (req.method !== 'POST') fail(400, `Slack Web API methods are POSTed here, got ${req.method}`);
    const args = readArgs(req);
    const auth = authError(req, args, opts.token);
    if (auth) return ok200({ ok: false, error: auth });
    switch (req.path) {
      case '/api/chat.postMessage': {
        const channelArg = str(args.channel);
        const channel = ids.has(channelArg) ? channelArg : opts.channels[channelArg.replace(/^#/, '')];
        if (!channel) return ok200({ ok: false, error: 'channel_not_found' });
        const blocks = readBlocks(args.blocks);
        if (typeof blocks === 'string') return ok200({ ok: false, error: 'invalid_blocks', errors: [blocks] });
        const text = typeof args.text === 'string' ? args.text : undefined;
        if (!text && blocks.length === 0) return ok200({ ok: false, error: 'no_text' });
        seq += 1;
        const ts = `${1717236000 + seq}.${String(seq * 100).padStart(6, '0')}`;
        messages.set(`${channel}/${ts}`, { channel, ts, text, blocks, updates: 0 });
        return ok200({ ok: true, channel, ts, message: { type: 'message', text, blocks, ts } });
      }
      case '/api/chat.update': {
        const channel = str(args.channel);
        const ts = str(args.ts);
        if (!ids.has(channel)) return ok200({ ok: false, error: 'channel_not_found' });
        const existing = messages.get(`${channel}/${ts}`);
        if (!existing) return ok200({ ok: false, error: 'message_not_found' });
        const blocks = readBlocks(args.blocks);
        if (typeof blocks === 'string') return ok200({ ok: false, error: 'invalid_blocks', errors: [blocks] });
        if (args.text !== undefined) existing.text = str(args.text);
        if (args.blocks !== undefined) existing.blocks = blocks;
        existing.updates += 1;
        return ok200({ ok: true, channel, ts, text: existing.text });
      }
      case '/api/chat.postEphemeral': {
        const channel = str(args.channel);
        const user = str(args.user);
        if (!ids.has(channel)) return ok200({ ok: false, error: 'channel_not_found' });
        if (!user) return ok200({ ok: false, error: 'user_not_in_channel' });
        if (!str(args.text)) return ok200({ ok: false, error: 'no_text' });
        ephemerals.push({ channel, user, text: str(args.text) });
        return ok200({ ok: true, message_ts: `${1717236000 + ++seq}.000000` });
      }
      default:
        return { status: 404, body: { ok: false, error: 'unknown_method' } };
    }
  });
  return {
    ...fake,
    apiUrl: `${fake.url}/api/`,
    messages,
    ephemerals,
    message: (channel, ts) => messages.get(`${channel}/${ts}`),
  };
}

function ok200(body: unknown): { status: number; body: unknown } {
  return { status: 200, body };
}

function readArgs(req: RecordedRequest): Record<string, unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim();
  if (type !== 'application/x-www-form-urlencoded' && type !== 'application/json') {
    fail(400, `unsupported content type ${JSON.stringify(type)}`);
  }
  if (!isObject(req.body)) fail(400, 'body is not a form or JSON object');
  return req.body;
}

/** Token from `Authorization: Bearer`, or a form `token` field; JSON bodies must use the header (Slack's rule). */
function authError(req: RecordedRequest, args: Record<string, unknown>, token: string): string | undefined {
  const header = req.headers.authorization;
  const isJson = (req.headers['content-type'] ?? '').startsWith('application/json');
  const given = header?.startsWith('Bearer ') ? header.slice(7) : !isJson && typeof args.token === 'string' ? args.token : undefined;
  if (!given) return 'not_authed';
  return given === token ? undefined : 'invalid_auth';
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** Returns the blocks, or a message saying which limit they break. */
function readBlocks(raw: unknown): unknown[] | string {
  if (raw === undefined) return [];
  let blocks: unknown = raw;
  if (typeof raw === 'string') {
    try {
      blocks = JSON.parse(raw);
    } catch {
      return 'blocks is not JSON';
    }
  }
  if (!Array.isArray(blocks)) return 'blocks must be an array';
  if (blocks.length > 50) return `too many blocks: ${blocks.length} > 50`;
  const actionIds = new Set<string>();
  for (const [i, b] of blocks.entries()) {
    if (!isObject(b) || typeof b.type !== 'string' || !BLOCK_TYPES.has(b.type)) return `[${i}] unknown block type`;
    const problem = blockProblem(b, actionIds);
    if (problem) return `[${i}] ${problem}`;
  }
  return blocks;
}

function blockProblem(b: Record<string, unknown>, actionIds: Set<string>): string | undefined {
  const text = isObject(b.text) ? b.text : undefined;
  switch (b.type) {
    case 'header':
      if (text?.type !== 'plain_text' || typeof text.text !== 'string') return 'header needs plain_text';
      if (text.text.length > 150) return 'header text over 150 characters';
      return undefined;
    case 'section':
      if (!text || (text.type !== 'mrkdwn' && text.type !== 'plain_text')) return 'section needs text';
      if (typeof text.text !== 'string' || text.text.length === 0 || text.text.length > 3000)
        return 'section text must be 1-3000 characters';
      return undefined;
    case 'context':
      if (!Array.isArray(b.elements) || b.elements.length === 0 || b.elements.length > 10) return 'context needs 1-10 elements';
      return undefined;
    case 'actions': {
      if (!Array.isArray(b.elements) || b.elements.length === 0 || b.elements.length > 25) return 'actions needs 1-25 elements';
      for (const e of b.elements) {
        if (!isObject(e) || e.type !== 'button') return 'only buttons are supported here';
        const label = isObject(e.text) ? e.text : undefined;
        if (label?.type !== 'plain_text' || typeof label.text !== 'string' || label.text.length > 75)
          return 'button text must be plain_text ≤ 75';
        if (typeof e.action_id !== 'string' || e.action_id.length > 255 || actionIds.has(e.action_id))
          return 'action_id missing, too long or repeated';
        actionIds.add(e.action_id);
        if (e.value !== undefined && (typeof e.value !== 'string' || e.value.length > 2000)) return 'button value over 2000 characters';
        if (e.style !== undefined && e.style !== 'primary' && e.style !== 'danger') return 'button style must be primary or danger';
      }
      return undefined;
    }
    default:
      return undefined;
  }
}
