// Deterministic merging: one requirement per (action, resource) and one lookup per (kind, resource), reasons united.
import type { Lookup, Reason, Requirement } from '../types.js';

function sameReason(a: Reason, b: Reason): boolean {
  return a.taskDefinition === b.taskDefinition && a.container === b.container && a.field === b.field && a.note === b.note;
}

/** Identity of a reason (the fields sameReason compares), unambiguous: lengths before values, `-` for absent. */
function reasonKey(r: Reason): string {
  const part = (v: string | undefined): string => (v === undefined ? '-' : `${v.length}:${v}`);
  return part(r.taskDefinition) + part(r.container) + part(r.field) + part(r.note);
}

/** Reasons united in first-seen order; past a few, a set of keys keeps it linear (a role shared by thousands). */
class ReasonList {
  readonly list: Reason[] = [];
  private seen: Set<string> | undefined;

  add(reasons: Reason[]): void {
    for (const r of reasons) {
      if (this.seen) {
        const key = reasonKey(r);
        if (this.seen.has(key)) continue;
        this.seen.add(key);
      } else {
        if (this.list.some((x) => sameReason(x, r))) continue;
        if (this.list.length >= 16) this.seen = new Set([...this.list, r].map(reasonKey));
      }
      this.list.push(r);
    }
  }
}

/** Plain code-unit order: the same on every machine and locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Dedupes on (action, resource), unites reasons (first-seen order) and crossAccount, sorts by action then resource. */
export function mergeRequirements(reqs: Requirement[]): Requirement[] {
  // Grouped by action, then resource: no composite key strings, and each group sorts on resources alone.
  const byAction = new Map<string, Map<string, { merged: Requirement; reasons: ReasonList }>>();
  for (const req of reqs) {
    let byResource = byAction.get(req.action);
    if (!byResource) byAction.set(req.action, (byResource = new Map()));
    let entry = byResource.get(req.resource);
    if (!entry) {
      const reasons = new ReasonList();
      entry = { merged: { action: req.action, resource: req.resource, reasons: reasons.list }, reasons };
      byResource.set(req.resource, entry);
    }
    entry.reasons.add(req.reasons);
    if (req.crossAccount) entry.merged.crossAccount = true;
  }
  return [...byAction.keys()]
    .sort(compareStrings)
    .flatMap((action) => [...byAction.get(action)!.values()].map((e) => e.merged).sort((a, b) => compareStrings(a.resource, b.resource)));
}

/** Dedupes lookups on (kind, resource), keeping first-seen order. */
export function mergeLookups(lookups: Lookup[]): Lookup[] {
  const byKey = new Map<string, { merged: Lookup; reasons: ReasonList }>();
  for (const l of lookups) {
    const key = `${l.kind}\u0000${l.resource}`;
    let entry = byKey.get(key);
    if (!entry) {
      const reasons = new ReasonList();
      entry = { merged: { kind: l.kind, resource: l.resource, reasons: reasons.list }, reasons };
      byKey.set(key, entry);
    }
    entry.reasons.add(l.reasons);
  }
  return [...byKey.values()].map((e) => e.merged);
}
