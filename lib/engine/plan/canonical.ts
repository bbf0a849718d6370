// Canonical JSON (object keys sorted, `undefined` dropped as JSON.stringify drops it) and its sha256, so that
// the same plan or state always hashes the same no matter how its objects were built.
import { createHash } from 'node:crypto';
import type { Plan } from '../types.js';

function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : sortDeep(v)));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortDeep(v);
    }
    return out;
  }
  return value;
}

export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortDeep(value));
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function hashCanonical(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}

/** Hash over every field of the plan except `planHash` itself (ignored if present). */
export function planHash(plan: Omit<Plan, 'planHash'> & { planHash?: string }): string {
  const { planHash: _ignored, ...rest } = plan;
  return hashCanonical(rest);
}
