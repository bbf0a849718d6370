// Error text scrubbed before it is logged: links, link tokens, Slack signatures, bot tokens, form bodies, and the
// exact secrets of the request, wherever they sit in a message (property over generated tokens and surroundings).
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createToken } from '../../lib/engine/approval/link-token.js';
import { redact } from '../../lib/edge/redact.js';

const tokenOf = (nonce: string) =>
  createToken(
    { planHash: 'a'.repeat(64), roleArn: 'arn:aws:iam::123456789012:role/web', expiresAt: '2030-01-01T00:00:00Z', nonce },
    'k'.repeat(40),
  );
const around = fc.string({ unit: fc.constantFrom(' ', ':', '"', "'", '(', ')', '[', ']', 'x', '\n', '=', '/'), maxLength: 6 });

describe('redact', () => {
  it('removes a link token and its URL wherever it appears, keeping the words around it', () => {
    fc.assert(
      fc.property(fc.uuid(), around, around, (nonce, before, after) => {
        const token = tokenOf(nonce);
        const [claims, mac] = token.split('.') as [string, string];
        for (const text of [
          `GET https://leash.example/approve/${token}${after} failed`,
          `${before}${token}${after}`,
          `token=${encodeURIComponent(token)}&decision=approve`,
        ]) {
          const out = redact(text);
          expect(out).not.toContain(claims.slice(0, 16));
          expect(out).not.toContain(mac.slice(0, 16));
        }
        expect(redact(`GET /approve/${token} failed`)).toBe('GET /approve/[redacted] failed');
      }),
      { numRuns: 200 },
    );
  });

  it('removes Slack signatures, bot tokens, form bodies and the exact secrets it is given (and their long parts)', () => {
    const sig = `v0=${createHmac('sha256', 's').update('x').digest('hex')}`;
    expect(redact(`bad signature ${sig}`)).toBe('bad signature v0=[redacted]');
    expect(redact('auth xoxb-1234-5678-abcdEFGH failed')).toBe('auth xox?-[redacted] failed');
    expect(redact('body payload=%7B%22type%22 was bad')).toBe('body payload=[redacted] was bad');
    const body = 'decision=approve&token=short.secret-value-here';
    expect(redact(`posted ${body}`, [body])).toBe('posted [redacted]');
    expect(redact('part secret-value-here leaked', [body])).toBe('part [redacted] leaked');
  });

  it('leaves ordinary error text alone', () => {
    for (const text of ['ThrottlingException: Rate exceeded', 'role arn:aws:iam::123456789012:role/web not found', 'plan a3f1c9e07b2d']) {
      expect(redact(text)).toBe(text);
    }
  });
});
