// Guardrails hold at every decision, not only when the plan was made: at approval and again at apply, the role's
// current tags (mode, scope, CloudFormation/Terraform ownership), trust policy, task-role use and instance-profile
// membership are read again and the pending plan is refused, with the reason, when it no longer fits them.
import type { Finding, Mode, Plan } from '../types.js';
import type { Owner } from './guardrails.js';
import { readMode } from './mode.js';
import { ownerFromTags } from './owner.js';
import { outOfScope, readScope, type Scope } from './scope.js';
import { sharedPlanViolations, sharedRoleStatus, type SharedRoleFacts, type SharedRoleStatus } from './shared-role.js';

/** What is true of the role now, read at the moment of the decision (never taken from the stored plan). */
export interface CurrentFacts extends SharedRoleFacts {
  tags: Record<string, string>;
  accountDefaultMode: Mode;
}

/** Who decides: a person approving the plan, or Leash applying it on its own (auto). */
export type Decider = 'approval' | 'auto';

export interface RecheckResult {
  ok: boolean;
  /** Why the plan may not go ahead now; empty when `ok`. */
  refusals: string[];
  mode: Mode;
  owner?: Owner;
  shared: SharedRoleStatus;
  scope: Scope;
  /** invalid-mode-tag / invalid-scope-tag findings the current tags produce. */
  findings: Finding[];
}

const hasSharedFinding = (plan: Plan): boolean => plan.findings.some((f) => f.kind === 'shared-role');

/**
 * Re-checks a pending plan against the role's current facts. Refused when: the facts are about another role; the
 * role is now owned by CloudFormation/Terraform; its mode (exact tag, or the account default) is observe or ticket,
 * or not auto for an automatic apply; it is shared and the decision is automatic, or the plan was made before it
 * became shared, or the plan would cut it; for an automatic apply, an addition is now outside the declared scope
 * or the plan carries reasons that need a person.
 */
export function recheck(plan: Plan, facts: CurrentFacts, via: Decider): RecheckResult {
  const refusals: string[] = [];
  if (facts.roleArn !== plan.roleArn) refusals.push(`the facts are about ${facts.roleArn}, the plan is for ${plan.roleArn}`);

  const owner = ownerFromTags(facts.tags);
  if (owner) refusals.push(`role is now managed by ${owner}: change the template, not the role`);

  const mode = readMode(facts.tags, facts.accountDefaultMode, plan.roleArn);
  const findings: Finding[] = mode.finding ? [mode.finding] : [];
  if (mode.from === 'invalid-tag') refusals.push(`${mode.finding!.reasons[0]}: the role counts as observe`);
  else if (mode.mode === 'observe') refusals.push('mode is now observe: Leash records findings only');
  else if (mode.mode === 'ticket') refusals.push('mode is now ticket: only a ticket, no change');
  else if (via === 'auto' && mode.mode !== 'auto') refusals.push(`mode is now ${mode.mode}: a person must approve this plan`);

  const shared = sharedRoleStatus(facts);
  if (shared.shared) {
    const why = shared.causes.map((c) => c.detail).join('; ');
    if (via === 'auto') refusals.push(`role is shared (${why}): never changed automatically`);
    else if (!hasSharedFinding(plan))
      refusals.push(`role became shared after this plan was made (${why}): a new plan keeps what is not the execution role's`);
    refusals.push(...sharedPlanViolations(plan).map((v) => `role is shared: the plan ${v}`));
  }

  const scope = readScope(facts.tags, plan.roleArn);
  if (scope.finding) findings.push(scope.finding);
  if (via === 'auto') {
    refusals.push(
      ...outOfScope(scope.scope, plan.roleArn, plan.additions).map((line) => `${line}; the scope may have narrowed since the plan`),
    );
    refusals.push(...plan.needsApproval.map((r) => `needs a person: ${r}`));
  }

  const unique = [...new Set(refusals)];
  return { ok: unique.length === 0, refusals: unique, mode: mode.mode, ...(owner ? { owner } : {}), shared, scope: scope.scope, findings };
}
