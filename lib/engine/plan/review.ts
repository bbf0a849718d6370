// What the approver must see besides the new document: the policies the plan overwrites, deletes or detaches, as
// they are now, and the task definition, container and field behind every requirement. Carried in the plan (so the
// plan hash covers what the approval page shows) and rendered by lib/engine/approval/review-lines.ts.
import type { GrantNeed, NamedPolicy, Plan, ReplacedPolicy, Requirement } from '../types.js';
import { compareText } from './match.js';

export function reviewOf(goneOrReplaced: NamedPolicy[], requirements: Requirement[], policyName: string): Pick<Plan, 'replaced' | 'needs'> {
  const replaced: ReplacedPolicy[] = goneOrReplaced.map((p) => ({
    policy: p.kind === 'inline' ? p.name : (p.arn ?? p.name),
    kind: p.kind,
    change: p.kind !== 'inline' ? 'detach' : p.name === policyName ? 'replace' : 'delete',
    document: p.document,
  }));
  const needs: GrantNeed[] = requirements.map((r) => ({ action: r.action, resource: r.resource, reasons: r.reasons }));
  return {
    replaced: replaced.sort((a, b) => compareText(a.policy, b.policy)),
    needs: needs.sort((a, b) => compareText(a.action, b.action) || compareText(a.resource, b.resource)),
  };
}
