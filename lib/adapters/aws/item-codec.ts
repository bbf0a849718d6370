// Large JSON values (requirements with their reasons, findings) stored compactly: plain JSON when small, gzip
// when not, and a clear error before DynamoDB's 400 KB item limit is reached.
import { gunzipSync, gzipSync } from 'node:zlib';
import { AdapterError, InputError } from '../../errors.js';

const GZIP_ABOVE = 32 * 1024;
// Leaves room under 400 KB for keys and the other attributes.
const MAX_BODY = 350 * 1024;

export type EncodedBody = { body: string } | { bodyGz: Uint8Array };

export function encodeBody(value: unknown, what: string): EncodedBody {
  const json = JSON.stringify(value);
  if (Buffer.byteLength(json) <= GZIP_ABOVE) return { body: json };
  const gz = gzipSync(json);
  if (gz.byteLength > MAX_BODY)
    throw new AdapterError(`${what} is ${gz.byteLength} bytes compressed, over the item budget`, 'dynamodb', 'encode');
  return { bodyGz: new Uint8Array(gz) };
}

export function decodeBody<T>(item: Record<string, unknown>): T {
  if (typeof item.body === 'string') return JSON.parse(item.body) as T;
  if (item.bodyGz instanceof Uint8Array) return JSON.parse(gunzipSync(item.bodyGz).toString('utf8')) as T;
  throw new AdapterError('item has no body', 'dynamodb', 'decode');
}

/** ISO-8601 in one canonical form, so string comparison orders instants. */
export function canonicalInstant(value: string, what: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new InputError(`not a timestamp: "${value}"`, 'dynamodb', what);
  return new Date(ms).toISOString();
}

/** Epoch seconds `days` after `iso`, for the table's TTL attribute. */
export function expiresAfter(iso: string, days: number): number {
  return Math.floor(Date.parse(iso) / 1000) + days * 86_400;
}
