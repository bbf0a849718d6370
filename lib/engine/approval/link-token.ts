// Signed approval links: `<base64url(JSON claims)>.<base64url(HMAC-SHA256)>`. No JWT library, no `alg` header to
// confuse: one algorithm, one key. Single use is the caller's job (a store keyed by `nonce`), expiry is checked here.
import { InputError } from '../../errors.js';
import { fromBase64Url, hmacSha256, safeEqual, toBase64Url } from './crypto.js';

export interface LinkClaims {
  planHash: string;
  roleArn: string;
  /** Who the link was sent to (email or Slack user id); informative, the approver list still decides. */
  approverHint?: string;
  /** ISO-8601 instant after which the link is dead. */
  expiresAt: string;
  /** Unique per link: the key under which the caller records that the link was used. */
  nonce: string;
}

export type TokenResult = { ok: true; claims: LinkClaims } | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' };

// Domain separation: a MAC made for another purpose with the same secret never verifies as a link token.
const CONTEXT = 'leash-link-v1.';
const MIN_SECRET_LENGTH = 32;

export function createToken(claims: LinkClaims, secret: string): string {
  assertSecret(secret);
  const problem = claimProblem(claims);
  if (problem) throw new InputError(problem.message, 'link-token', `$.${problem.field}`);
  const ordered: LinkClaims = {
    planHash: claims.planHash,
    roleArn: claims.roleArn,
    ...(claims.approverHint !== undefined ? { approverHint: claims.approverHint } : {}),
    expiresAt: claims.expiresAt,
    nonce: claims.nonce,
  };
  const payload = toBase64Url(JSON.stringify(ordered));
  return `${payload}.${toBase64Url(hmacSha256(secret, CONTEXT + payload))}`;
}

export function verifyToken(token: string, secret: string, now: Date): TokenResult {
  assertSecret(secret);
  const parts = token.split('.');
  if (parts.length !== 2) return { ok: false, reason: 'malformed' };
  const [payload, mac] = parts as [string, string];
  const payloadBytes = fromBase64Url(payload);
  if (!payload || !mac || !payloadBytes || !fromBase64Url(mac)) return { ok: false, reason: 'malformed' };
  // The MAC is checked before anything inside the payload is trusted or even parsed.
  if (!safeEqual(toBase64Url(hmacSha256(secret, CONTEXT + payload)), mac)) return { ok: false, reason: 'bad-signature' };
  let claims: unknown;
  try {
    claims = JSON.parse(payloadBytes.toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (!isClaims(claims) || claimProblem(claims)) return { ok: false, reason: 'malformed' };
  if (!(now.getTime() < Date.parse(claims.expiresAt))) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}

function isClaims(value: unknown): value is LinkClaims {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.planHash === 'string' &&
    typeof v.roleArn === 'string' &&
    typeof v.expiresAt === 'string' &&
    typeof v.nonce === 'string' &&
    (v.approverHint === undefined || typeof v.approverHint === 'string')
  );
}

function claimProblem(c: LinkClaims): { field: string; message: string } | undefined {
  if (!c.planHash) return { field: 'planHash', message: 'planHash is empty' };
  if (!c.roleArn.startsWith('arn:')) return { field: 'roleArn', message: 'roleArn is not an ARN' };
  if (!c.nonce) return { field: 'nonce', message: 'nonce is empty' };
  if (Number.isNaN(Date.parse(c.expiresAt))) return { field: 'expiresAt', message: 'expiresAt is not an ISO-8601 instant' };
  return undefined;
}

function assertSecret(secret: string): void {
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new InputError(`link secret must be at least ${MIN_SECRET_LENGTH} characters`, 'link-token', 'secret');
  }
}
