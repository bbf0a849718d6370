// Deterministic merging: one requirement per (action, resource) and one lookup per (kind, resource), reasons united.
// Linear in the reasons: a role shared by thousands of task definitions has requirements with thousands of them.
import type { Lookup, Reason, Requirement } from '../types.js';

function sameReason(a: Reason, b: Reason): boolean {
  return a.taskDefinition === b.taskDefinition && a.container === b.container && a.field === b.field && a.note === b.note;
}

/** Identity of a reason (the fields sameReason compares), unambiguous: lengths before values, `-` for absent. */
function reasonKey(r: Reason): string {
  const part = (v: string | undefined): string => (v === undefined ? '-' : `${v.length}:${v}`);
  return part(r.taskDefinition) + part(r.container) + part(r.field) + part(r.note);
}

/**
 * Appends the reasons `into` does not hold yet, in first-seen order. Short lists are searched; past 16 reasons a
 * set of keys (kept in `seen`, by list) answers instead.
 */
function unite(into: Reason[], reasons: Reason[], seen: Map<Reason[], Set<string>>): void {
  for (const r of reasons) {
    const keys = seen.get(into);
    if (keys) {
      const key = reasonKey(r);
      if (keys.has(key)) continue;
      keys.add(key);
    } else {
      if (into.some((x) => sameReason(x, r))) continue;
      if (into.length >= 16) seen.set(into, new Set([...into, r].map(reasonKey)));
    }
    into.push(r);
  }
}

/** Plain code-unit order: the same on every machine and locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Dedupes on (action, resource), unites reasons (first-seen order) and crossAccount, sorts by action then resource. */
export function mergeRequirements(reqs: Requirement[]): Requirement[] {
  // Grouped by action, then resource: no composite key strings, and each group sorts on resources alone
  // (the default sort orders strings by code units, as compareStrings does).
  const byAction = new Map<string, Map<string, Requirement>>();
  const seen = new Map<Reason[], Set<string>>();
  for (const req of reqs) {
    let byResource = byAction.get(req.action);
    if (!byResource) byAction.set(req.action, (byResource = new Map()));
    let merged = byResource.get(req.resource);
    if (!merged) byResource.set(req.resource, (merged = { action: req.action, resource: req.resource, reasons: [] }));
    unite(merged.reasons, req.reasons, seen);
    if (req.crossAccount) merged.crossAccount = true;
  }
  return [...byAction.keys()].sort().flatMap((action) => {
    const byResource = byAction.get(action)!;
    return [...byResource.keys()].sort().map((resource) => byResource.get(resource)!);
  });
}

/** Dedupes lookups on (kind, resource), keeping first-seen order. */
export function mergeLookups(lookups: Lookup[]): Lookup[] {
  const byKind = new Map<string, Map<string, Lookup>>();
  const seen = new Map<Reason[], Set<string>>();
  const out: Lookup[] = [];
  for (const l of lookups) {
    let byResource = byKind.get(l.kind);
    if (!byResource) byKind.set(l.kind, (byResource = new Map()));
    let merged = byResource.get(l.resource);
    if (!merged) {
      byResource.set(l.resource, (merged = { kind: l.kind, resource: l.resource, reasons: [] }));
      out.push(merged);
    }
    unite(merged.reasons, l.reasons, seen);
  }
  return out;
}
