// Whether a role already is its plan: the Leash policy in place with the same document and nothing to delete,
// detach, add or remove. Such a plan is not proposed again.
import type { Plan, RoleGrant } from '../types.js';

export function isNoop(plan: Plan, grant: Pick<RoleGrant, 'policies'>): boolean {
  const current = grant.policies.find((p) => p.kind === 'inline' && p.name === plan.policyName);
  const same = current !== undefined && JSON.stringify(current.document) === JSON.stringify(plan.document);
  return same && !plan.deleteInline.length && !plan.detach.length && !plan.additions.length && !plan.removals.length;
}
