// Small HMAC/hash helpers shared by the approval code. node:crypto only: the engine stays pure.
import { createHmac, timingSafeEqual } from 'node:crypto';

export function hmacSha256(secret: string, data: string): Buffer {
  return createHmac('sha256', secret).update(data, 'utf8').digest();
}

/** Constant-time string comparison; unequal lengths fail without comparing (the formats are fixed-length). */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

export function toBase64Url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/** Strict base64url decoding: rejects characters outside the alphabet instead of skipping them like Buffer does. */
export function fromBase64Url(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  return Buffer.from(text, 'base64url');
}
