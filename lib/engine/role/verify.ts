// The local half of a plan's verification (Access Analyzer is the other half, in the apply use case): every
// requirement still allowed by the policy set the plan leaves, and the inline policies within IAM's budget.
import type { CoversFn } from '../plan/guardrails.js';
import { INLINE_POLICY_BUDGET, policySize } from '../policy/size.js';
import type { NamedPolicy, PolicyDocument, Requirement } from '../types.js';

/** Problems with the policy set a plan leaves (`next`); empty when it serves every requirement and fits. */
export function localProblems(next: NamedPolicy[], requirements: Requirement[], covers: CoversFn): string[] {
  const problems: string[] = [];
  for (const req of requirements) {
    const { decision } = covers(next, req);
    if (decision !== 'allowed') problems.push(`requirement ${req.action} on ${req.resource} would be ${decision}`);
  }
  const inlineTotal = next.filter((p) => p.kind === 'inline').reduce((n, p) => n + policySize(p.document), 0);
  if (inlineTotal > INLINE_POLICY_BUDGET) {
    problems.push(`inline policies would total ${inlineTotal} characters, over IAM's ${INLINE_POLICY_BUDGET}`);
  }
  return problems;
}

/** All Allow statements of a policy set in one document; Sids dropped (they need not be unique across policies). */
export function mergeAllows(policies: NamedPolicy[]): PolicyDocument {
  const Statement = policies.flatMap((p) => p.document.Statement.filter((s) => s.Effect === 'Allow').map(({ Sid: _sid, ...s }) => s));
  return { Version: '2012-10-17', Statement };
}

/** What CheckNoNewAccess is for: `ask` when Access Analyzer must compare the two documents, otherwise the answer
 *  without it (nothing allowed afterwards is trivially no new access; a role that had nothing cannot be compared
 *  against, and a plan granting it access must list additions). */
export type NoNewAccessCheck = { ask: true } | { ask: false; problems: string[] };

export function noNewAccessCheck(existing: PolicyDocument, next: PolicyDocument): NoNewAccessCheck {
  if (next.Statement.length === 0) return { ask: false, problems: [] };
  if (existing.Statement.length === 0)
    return { ask: false, problems: ['the plan grants access to a role that had none, yet lists no additions'] };
  return { ask: true };
}

const asList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * The other direction of verification: what the plan's document grants that no current requirement needs and the role
 * does not already have. A plan made for a revision that is gone since (a deregistered task definition that asked for a
 * secret) would otherwise grant that secret on approval.
 */
export function beyondIntent(document: PolicyDocument, current: NamedPolicy[], requirements: Requirement[], covers: CoversFn): string[] {
  const problems: string[] = [];
  for (const stmt of document.Statement) {
    if (stmt.Effect !== 'Allow') continue;
    if (stmt.NotAction !== undefined || stmt.NotResource !== undefined) {
      problems.push(`statement ${stmt.Sid ?? '(no Sid)'} uses NotAction/NotResource: broader than any requirement`);
      continue;
    }
    for (const action of asList(stmt.Action)) {
      const one: NamedPolicy[] = [
        { name: 'check', kind: 'inline', document: { Version: '2012-10-17', Statement: [{ ...stmt, Action: [action] }] } },
      ];
      if (requirements.some((r) => covers(one, r).decision === 'allowed')) continue;
      const resources = asList(stmt.Resource);
      const held = resources.every((resource) => covers(current, { action, resource, reasons: [] }).decision === 'allowed');
      if (!held) problems.push(`${action} on ${resources.join(', ')} is granted beyond the role's current intent`);
    }
  }
  return problems;
}
