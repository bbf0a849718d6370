// Slack's v0 request signing: HMAC-SHA256 over `v0:{timestamp}:{raw body}` with the app's signing secret,
// sent hex-encoded as `X-Slack-Signature: v0=…` beside `X-Slack-Request-Timestamp` (Unix seconds).
import { InputError } from '../../errors.js';
import { hmacSha256, safeEqual } from './crypto.js';

/** Slack tells apps to reject requests more than five minutes from the local clock (replay window). */
export const SLACK_MAX_SKEW_SECONDS = 300;

export type SlackVerifyResult = { ok: true } | { ok: false; reason: 'stale-timestamp' | 'bad-signature' | 'missing-header' };

export interface SlackVerifyInput {
  signingSecret: string;
  /** `X-Slack-Request-Timestamp` header, as received. */
  timestamp: string | undefined;
  /** `X-Slack-Signature` header, as received (`v0=<hex>`). */
  signature: string | undefined;
  /** The body exactly as received: parsing and re-serialising changes the bytes and breaks the signature. */
  rawBody: string;
  now: Date;
}

export function signSlackRequest(input: { signingSecret: string; timestamp: string; rawBody: string }): string {
  assertSecret(input.signingSecret);
  const base = `v0:${input.timestamp}:${input.rawBody}`;
  return `v0=${hmacSha256(input.signingSecret, base).toString('hex')}`;
}

export function verifySlackRequest(input: SlackVerifyInput): SlackVerifyResult {
  assertSecret(input.signingSecret);
  const { timestamp, signature } = input;
  if (!timestamp || !signature) return { ok: false, reason: 'missing-header' };
  // The timestamp is checked before the HMAC so a captured request cannot be replayed later.
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'stale-timestamp' };
  const skew = Math.abs(Math.floor(input.now.getTime() / 1000) - Number(timestamp));
  if (!(skew <= SLACK_MAX_SKEW_SECONDS)) return { ok: false, reason: 'stale-timestamp' };
  const expected = signSlackRequest({ signingSecret: input.signingSecret, timestamp, rawBody: input.rawBody });
  return safeEqual(expected, signature) ? { ok: true } : { ok: false, reason: 'bad-signature' };
}

// An empty secret would let anyone compute a valid signature: that is a configuration error, not a request error.
function assertSecret(secret: string): void {
  if (!secret) throw new InputError('Slack signing secret is empty', 'slack-signature', 'signingSecret');
}
