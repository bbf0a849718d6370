// The IAM mutations a plan or a rollback consists of, in an order that never leaves the role with less than the
// final access: grants (put, attach) before removals (delete, detach), within IAM's inline size budget.
import { canonicalJson } from '../plan/canonical.js';
import { INLINE_POLICY_BUDGET, policySize } from '../policy/size.js';
import type { Plan, PolicyDocument, RoleState } from '../types.js';

export type PatchStep =
  | { op: 'put-inline'; name: string; document: PolicyDocument }
  | { op: 'attach'; arn: string }
  | { op: 'delete-inline'; name: string }
  | { op: 'detach'; arn: string };

export function describeStep(s: PatchStep): string {
  return s.op === 'put-inline' || s.op === 'delete-inline' ? `${s.op} ${s.name}` : `${s.op} ${s.arn}`;
}

export function planSteps(plan: Plan, current?: RoleState): PatchStep[] {
  return withinInlineBudget(
    [
      { op: 'put-inline', name: plan.policyName, document: plan.document },
      ...plan.deleteInline.map((name): PatchStep => ({ op: 'delete-inline', name })),
      ...plan.detach.map((arn): PatchStep => ({ op: 'detach', arn })),
    ],
    current,
  );
}

/**
 * Grants go first, unless a put would take the role's inline policies over IAM's 10,240 characters on the way
 * (the end state fits, the moment between may not): then the inline deletes go first. build-plan asks for a
 * person's approval whenever that brief narrower moment is needed.
 */
export function withinInlineBudget(steps: PatchStep[], current?: RoleState): PatchStep[] {
  if (!current) return steps;
  const sizes = new Map(current.inline.map((p) => [p.name, policySize(p.document)]));
  let fits = true;
  for (const s of steps) {
    if (s.op === 'put-inline') sizes.set(s.name, policySize(s.document));
    if (s.op === 'delete-inline') sizes.delete(s.name);
    if ([...sizes.values()].reduce((a, b) => a + b, 0) > INLINE_POLICY_BUDGET) fits = false;
  }
  if (fits) return steps;
  return [...steps.filter((s) => s.op === 'delete-inline'), ...steps.filter((s) => s.op !== 'delete-inline')];
}

/** Steps that turn `current` into exactly `target` (inline documents compared canonically). */
export function restoreSteps(current: RoleState, target: RoleState): PatchStep[] {
  const now = new Map(current.inline.map((p) => [p.name, canonicalJson(p.document)]));
  const wanted = new Set(target.inline.map((p) => p.name));
  return withinInlineBudget(
    [
      ...target.inline
        .filter((p) => now.get(p.name) !== canonicalJson(p.document))
        .map((p): PatchStep => ({ op: 'put-inline', name: p.name, document: p.document })),
      ...target.attached.filter((a) => !current.attached.includes(a)).map((arn): PatchStep => ({ op: 'attach', arn })),
      ...current.inline.filter((p) => !wanted.has(p.name)).map((p): PatchStep => ({ op: 'delete-inline', name: p.name })),
      ...current.attached.filter((a) => !target.attached.includes(a)).map((arn): PatchStep => ({ op: 'detach', arn })),
    ],
    current,
  );
}
