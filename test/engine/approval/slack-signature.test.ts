import { describe, expect, it } from 'vitest';
import { InputError } from '../../../lib/errors.js';
import { signSlackRequest, verifySlackRequest } from '../../../lib/engine/approval/slack-signature.js';

// Slack's worked example from "Verifying requests from Slack" (docs.slack.dev/authentication/verifying-requests-from-slack),
// reproduced identically by several independent implementations' test suites.
const DOC_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const DOC_TIMESTAMP = '1531420618';
const DOC_BODY =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const DOC_SIGNATURE = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';
const DOC_NOW = new Date(Number(DOC_TIMESTAMP) * 1000 + 30_000);

const doc = { signingSecret: DOC_SECRET, timestamp: DOC_TIMESTAMP, signature: DOC_SIGNATURE, rawBody: DOC_BODY, now: DOC_NOW };

describe('verifySlackRequest', () => {
  it('accepts Slack’s documented example', () => {
    expect(verifySlackRequest(doc)).toEqual({ ok: true });
  });

  it('signs the documented example to the documented signature', () => {
    expect(signSlackRequest({ signingSecret: DOC_SECRET, timestamp: DOC_TIMESTAMP, rawBody: DOC_BODY })).toBe(DOC_SIGNATURE);
  });

  it('rejects a signature made with another secret', () => {
    const forged = signSlackRequest({ signingSecret: 'another-secret-entirely-0000000000', timestamp: DOC_TIMESTAMP, rawBody: DOC_BODY });
    expect(verifySlackRequest({ ...doc, signature: forged })).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('rejects a tampered body', () => {
    const tampered = DOC_BODY.replace('user_id=U2CERLKJA', 'user_id=U0ADMIN00');
    expect(verifySlackRequest({ ...doc, rawBody: tampered })).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('rejects a signature moved to another timestamp', () => {
    const later = String(Number(DOC_TIMESTAMP) + 10);
    expect(verifySlackRequest({ ...doc, timestamp: later })).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('rejects a signature without the v0= prefix or in upper case', () => {
    expect(verifySlackRequest({ ...doc, signature: DOC_SIGNATURE.slice(3) })).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifySlackRequest({ ...doc, signature: DOC_SIGNATURE.toUpperCase() })).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('accepts exactly five minutes of skew, rejects beyond it in either direction', () => {
    const ts = Number(DOC_TIMESTAMP) * 1000;
    expect(verifySlackRequest({ ...doc, now: new Date(ts + 300_000) })).toEqual({ ok: true });
    expect(verifySlackRequest({ ...doc, now: new Date(ts - 300_000) })).toEqual({ ok: true });
    expect(verifySlackRequest({ ...doc, now: new Date(ts + 301_000) })).toEqual({ ok: false, reason: 'stale-timestamp' });
    // A timestamp from the future (now is earlier than the request) is as suspicious as an old one.
    expect(verifySlackRequest({ ...doc, now: new Date(ts - 301_000) })).toEqual({ ok: false, reason: 'stale-timestamp' });
  });

  it('checks the timestamp before the signature, so a replayed valid request is refused', () => {
    const aDayLater = new Date(Number(DOC_TIMESTAMP) * 1000 + 86_400_000);
    expect(verifySlackRequest({ ...doc, now: aDayLater })).toEqual({ ok: false, reason: 'stale-timestamp' });
  });

  it('rejects a timestamp that is not Unix seconds', () => {
    expect(verifySlackRequest({ ...doc, timestamp: '2018-07-12T18:36:58Z' })).toEqual({ ok: false, reason: 'stale-timestamp' });
  });

  it('reports missing headers', () => {
    expect(verifySlackRequest({ ...doc, signature: undefined })).toEqual({ ok: false, reason: 'missing-header' });
    expect(verifySlackRequest({ ...doc, timestamp: undefined })).toEqual({ ok: false, reason: 'missing-header' });
    expect(verifySlackRequest({ ...doc, timestamp: '' })).toEqual({ ok: false, reason: 'missing-header' });
  });

  it('refuses to work with an empty signing secret', () => {
    expect(() => verifySlackRequest({ ...doc, signingSecret: '' })).toThrow(InputError);
  });
});
