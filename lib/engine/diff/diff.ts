// The diff between intent (requirements) and grant (the role's identity policies), as findings:
// missing / conditional per requirement (coverage.ts), excess / too-broad per granting statement
// (grants.ts). Findings with the same (kind, action, resource) are merged; the order is deterministic.
import { canonicalAction } from '../policy/actions.js';
import type { EvaluateOptions } from '../policy/evaluate.js';
import type { Finding, FindingKind, NamedPolicy, Reason, Requirement, StatementRef } from '../types.js';
import { coverageFindings, mergeRequirements } from './coverage.js';
import { grantFindings } from './grants.js';

/** Order of FindingKind as declared in types.ts. */
const KIND_ORDER: FindingKind[] = [
  'missing',
  'denied',
  'unexplained-denial',
  'excess',
  'excess-in-use',
  'too-broad',
  'conditional',
  'trust-policy',
  'shared-role',
  'invalid-mode-tag',
  'invalid-scope-tag',
];

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function uniqueBy<T>(items: T[], key: (t: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const t of items) if (!seen.has(key(t))) seen.set(key(t), t);
  return [...seen.values()];
}

const refKey = (r: StatementRef): string => `${r.policy}\n${r.statement}`;
const reasonKey = (r: Reason): string => JSON.stringify([r.taskDefinition, r.container ?? '', r.field, r.note ?? '']);

function merge(findings: Finding[]): Finding[] {
  const byKey = new Map<string, Finding>();
  for (const f of findings) {
    const key = `${f.kind}\n${f.action}\n${f.resource}`;
    const seen = byKey.get(key);
    if (!seen) {
      byKey.set(key, { ...f });
      continue;
    }
    seen.reasons = [...new Set([...seen.reasons, ...f.reasons])];
    if (f.grantedBy) seen.grantedBy = uniqueBy([...(seen.grantedBy ?? []), ...f.grantedBy], refKey);
    if (f.requiredBy) seen.requiredBy = uniqueBy([...(seen.requiredBy ?? []), ...f.requiredBy], reasonKey);
  }
  return [...byKey.values()].map((f) => (f.requiredBy ? { ...f, requiredBy: uniqueBy(f.requiredBy, reasonKey) } : f));
}

export function diffGrant(reqs: Requirement[], policies: NamedPolicy[], opts: EvaluateOptions = {}): Finding[] {
  const needs = mergeRequirements(reqs.map((r) => ({ ...r, action: canonicalAction(r.action) })));
  const findings = merge([...coverageFindings(needs, policies, opts), ...grantFindings(needs, policies, opts)]);
  return findings.sort(
    (a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || cmp(a.action, b.action) || cmp(a.resource, b.resource),
  );
}
