// Deterministic merging: one requirement per (action, resource) and one lookup per (kind, resource), reasons united.
import type { Lookup, Requirement } from '../types.js';
import { addReason } from './context.js';

/** Plain code-unit order: the same on every machine and locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Dedupes on (action, resource), unites reasons (first-seen order) and crossAccount, sorts by action then resource. */
export function mergeRequirements(reqs: Requirement[]): Requirement[] {
  const byKey = new Map<string, Requirement>();
  for (const req of reqs) {
    const key = `${req.action}\u0000${req.resource}`;
    let merged = byKey.get(key);
    if (!merged) {
      merged = { action: req.action, resource: req.resource, reasons: [] };
      byKey.set(key, merged);
    }
    for (const r of req.reasons) addReason(merged.reasons, r);
    if (req.crossAccount) merged.crossAccount = true;
  }
  return [...byKey.values()].sort((a, b) => compareStrings(a.action, b.action) || compareStrings(a.resource, b.resource));
}

/** Dedupes lookups on (kind, resource), keeping first-seen order. */
export function mergeLookups(lookups: Lookup[]): Lookup[] {
  const byKey = new Map<string, Lookup>();
  for (const l of lookups) {
    const key = `${l.kind}\u0000${l.resource}`;
    let merged = byKey.get(key);
    if (!merged) {
      merged = { kind: l.kind, resource: l.resource, reasons: [] };
      byKey.set(key, merged);
    }
    for (const r of l.reasons) addReason(merged.reasons, r);
  }
  return [...byKey.values()];
}
