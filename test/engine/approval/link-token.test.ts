import { describe, expect, it } from 'vitest';
import { InputError } from '../../../lib/errors.js';
import { createToken, verifyToken, type LinkClaims } from '../../../lib/engine/approval/link-token.js';
import { PLAN_HASH, ROLE_ARN } from './fixtures.js';

const SECRET = 'k'.repeat(16) + 'link-secret-for-tests-0001';
const CLAIMS: LinkClaims = {
  planHash: PLAN_HASH,
  roleArn: ROLE_ARN,
  approverHint: 'alice@example.com',
  expiresAt: '2024-06-01T12:00:00.000Z',
  nonce: 'n-6f1c2b7e',
};
const BEFORE = new Date('2024-06-01T11:59:59.000Z');

function flipChar(s: string, index: number): string {
  const c = s[index] === 'A' ? 'B' : 'A';
  return s.slice(0, index) + c + s.slice(index + 1);
}

describe('link tokens', () => {
  it('round-trips the claims while valid', () => {
    const token = createToken(CLAIMS, SECRET);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(verifyToken(token, SECRET, BEFORE)).toEqual({ ok: true, claims: CLAIMS });
  });

  it('is expired at and after expiresAt', () => {
    const token = createToken(CLAIMS, SECRET);
    expect(verifyToken(token, SECRET, new Date('2024-06-01T12:00:00.000Z'))).toEqual({ ok: false, reason: 'expired' });
    expect(verifyToken(token, SECRET, new Date('2024-06-02T00:00:00.000Z'))).toEqual({ ok: false, reason: 'expired' });
  });

  it('rejects a payload rewritten to another plan, even re-encoded cleanly', () => {
    const token = createToken(CLAIMS, SECRET);
    const [, mac] = token.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ ...CLAIMS, planHash: 'f'.repeat(64) })).toString('base64url');
    expect(verifyToken(`${forgedPayload}.${mac}`, SECRET, BEFORE)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('rejects a payload with an extended expiry', () => {
    const token = createToken(CLAIMS, SECRET);
    const [, mac] = token.split('.');
    const later = Buffer.from(JSON.stringify({ ...CLAIMS, expiresAt: '2030-01-01T00:00:00.000Z' })).toString('base64url');
    expect(verifyToken(`${later}.${mac}`, SECRET, BEFORE)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('rejects a tampered signature', () => {
    const token = createToken(CLAIMS, SECRET);
    const dot = token.indexOf('.');
    expect(verifyToken(flipChar(token, dot + 3), SECRET, BEFORE)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('rejects a token made with another secret', () => {
    const token = createToken(CLAIMS, 'z'.repeat(40));
    expect(verifyToken(token, SECRET, BEFORE)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('calls structurally broken tokens malformed', () => {
    const token = createToken(CLAIMS, SECRET);
    expect(verifyToken('', SECRET, BEFORE)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyToken(token.replace('.', ''), SECRET, BEFORE)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyToken(`${token}.extra`, SECRET, BEFORE)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyToken(`${token.split('.')[0]}.!!!`, SECRET, BEFORE)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('gives every link its own token through the nonce', () => {
    expect(createToken(CLAIMS, SECRET)).not.toBe(createToken({ ...CLAIMS, nonce: 'n-other' }, SECRET));
  });

  it('refuses weak secrets and unusable claims when creating', () => {
    expect(() => createToken(CLAIMS, 'short')).toThrow(InputError);
    expect(() => createToken({ ...CLAIMS, nonce: '' }, SECRET)).toThrow(/nonce/);
    expect(() => createToken({ ...CLAIMS, expiresAt: 'tomorrow' }, SECRET)).toThrow(/expiresAt/);
  });
});
