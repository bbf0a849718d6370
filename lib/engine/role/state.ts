// A role's identity-policy state as compare-and-swap sees it: its hash, and the state (and policy set) a plan
// leaves behind. Pure: the IAM reader supplies the state, the apply use case compares the hashes.
import { canonicalJson, sha256Hex } from '../plan/canonical.js';
import type { NamedPolicy, Plan, RoleState } from '../types.js';
import { normalizeForHash } from './policy-document.js';

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** sha256 of the canonical state: the same logical state hashes the same however IAM orders or encodes it. */
export function hashState(state: RoleState): string {
  return sha256Hex(
    canonicalJson({
      roleArn: state.roleArn,
      inline: [...state.inline].sort(byName).map((p) => ({ name: p.name, document: normalizeForHash(p.document) })),
      attached: [...new Set(state.attached)].sort(),
      attachedVersions: state.attachedVersions ?? {},
    }),
  );
}

/** The role state a fully applied plan leaves: the Leash policy put, the deletes and detaches done. */
export function expectedAfter(current: RoleState, plan: Plan): RoleState {
  const inline = [
    ...current.inline.filter((p) => p.name !== plan.policyName && !plan.deleteInline.includes(p.name)),
    { name: plan.policyName, document: plan.document },
  ].sort(byName);
  const attached = current.attached.filter((a) => !plan.detach.includes(a));
  const versions = current.attachedVersions
    ? Object.fromEntries(Object.entries(current.attachedVersions).filter(([arn]) => attached.includes(arn)))
    : undefined;
  return { roleArn: current.roleArn, inline, attached, ...(versions ? { attachedVersions: versions } : {}) };
}

/** The role's policies now and after the plan (Leash policy + whatever the plan does not delete or detach), given
 *  the documents of its attached managed policies. */
export function policySets(plan: Plan, state: RoleState, managed: NamedPolicy[]): { current: NamedPolicy[]; next: NamedPolicy[] } {
  const inline = state.inline.map((p): NamedPolicy => ({ name: p.name, kind: 'inline', document: p.document }));
  const leash: NamedPolicy = { name: plan.policyName, kind: 'inline', document: plan.document };
  return {
    current: [...inline, ...managed],
    next: [
      leash,
      ...inline.filter((p) => p.name !== plan.policyName && !plan.deleteInline.includes(p.name)),
      ...managed.filter((p) => !plan.detach.includes(p.arn ?? '')),
    ],
  };
}
