// The complete before → after change of a plan, statement by statement: what the new policy grants (and which task
// definition, container and field need each grant), what every overwritten, deleted or detached policy grants now,
// what compaction widened, and what stays. Shared by the approval page (all of it) and Slack (all of it, or nothing:
// a message that cannot hold all of it offers the page instead of Approve). Plain text; each channel escapes it.
import { actionMatches, statementPairs, wildcardMatch } from '../plan/match.js';
import type { GrantNeed, Plan, PolicyStatement, Reason, ReplacedPolicy } from '../types.js';

export interface ReviewLine {
  sign: '+' | '-' | '~' | '=';
  text: string;
  /** Short qualifier: `new access`, `removed`, `still allowed by the new policy`. */
  note?: string;
  /** For grants: who needs it (`family:rev container app containerDefinitions[0].secrets[0].valueFrom`). */
  why?: string[];
}

export interface ReviewSection {
  title: string;
  lines: ReviewLine[];
}

const CHANGE_TITLES: Record<ReplacedPolicy['change'], string> = {
  replace: 'current version (overwritten)',
  delete: 'deleted',
  detach: 'detached',
};

export function reasonText(r: Reason): string {
  return [r.taskDefinition, r.container ? `container ${r.container}` : '', r.field, r.note ? `(${r.note})` : ''].filter(Boolean).join(' ');
}

function pairText(s: PolicyStatement, action: string, resource: string): string {
  return `${s.Effect === 'Deny' ? 'DENY ' : ''}${action} on ${resource}`;
}

/** A statement that cannot be listed as pairs (NotAction, NotResource, no Resource): shown as its JSON. */
function rawText(s: PolicyStatement): string {
  return `statement ${JSON.stringify(s)}`;
}

function conditionText(s: PolicyStatement): string | undefined {
  return s.Condition ? `only when ${JSON.stringify(s.Condition)}` : undefined;
}

function whyFor(needs: GrantNeed[], action: string, resource: string): string[] {
  const reasons = needs
    .filter((n) => actionMatches(action, n.action) && wildcardMatch(resource, n.resource))
    .flatMap((n) => n.reasons.map(reasonText));
  return [...new Set(reasons)];
}

function newPolicySection(plan: Plan): ReviewSection {
  const replacing = (plan.replaced ?? []).some((r) => r.change === 'replace');
  const lines: ReviewLine[] = [];
  for (const s of plan.document.Statement) {
    const pairs = statementPairs(s);
    const condition = conditionText(s);
    if (!pairs) {
      lines.push({ sign: '+', text: rawText(s) });
      continue;
    }
    for (const { action, resource } of pairs) {
      const isNew = plan.additions.some((a) => a.action === action && a.resource === resource);
      const narrowed = isNew ? undefined : plan.removals.find((r) => r.action === action && r.resource !== resource);
      const why = whyFor(plan.needs ?? [], action, resource);
      const note = [isNew ? 'new access' : '', narrowed ? `narrows the removed grant on ${narrowed.resource}` : '', condition ?? '']
        .filter(Boolean)
        .join('; ');
      lines.push({ sign: '+', text: pairText(s, action, resource), ...(note ? { note } : {}), ...(why.length ? { why } : {}) });
    }
  }
  // Every addition is listed, even one the document lists under a wider pattern (compaction).
  for (const a of plan.additions) {
    if (!lines.some((l) => l.text === `${a.action} on ${a.resource}`)) {
      const why = whyFor(plan.needs ?? [], a.action, a.resource);
      lines.push({ sign: '+', text: `${a.action} on ${a.resource}`, note: 'new access', ...(why.length ? { why } : {}) });
    }
  }
  const title = `Inline policy ${plan.policyName}: ${replacing ? 'new version' : 'added'}`;
  return { title, lines: lines.length ? lines : [{ sign: '=', text: 'no statements' }] };
}

function replacedSection(plan: Plan, p: ReplacedPolicy): ReviewSection {
  const kind = p.kind === 'inline' ? 'Inline policy' : 'Managed policy';
  const lines: ReviewLine[] = [];
  for (const s of p.document.Statement) {
    const pairs = statementPairs(s);
    if (!pairs) {
      lines.push({ sign: '-', text: rawText(s) });
      continue;
    }
    for (const { action, resource } of pairs) {
      const removed = plan.removals.some((r) => r.action === action && r.resource === resource);
      const condition = conditionText(s);
      const note = [removed ? 'removed' : '', condition ?? ''].filter(Boolean).join('; ');
      lines.push({ sign: '-', text: pairText(s, action, resource), ...(note ? { note } : {}) });
    }
  }
  return { title: `${kind} ${p.policy}: ${CHANGE_TITLES[p.change]}`, lines: lines.length ? lines : [{ sign: '=', text: 'no statements' }] };
}

/** Every section of the change, in the order an approver reads it. */
export function planReview(plan: Plan): ReviewSection[] {
  const sections = [newPolicySection(plan), ...(plan.replaced ?? []).map((p) => replacedSection(plan, p))];
  // Plans made before `replaced` existed still list their deletes and detaches (without their contents).
  if (!plan.replaced) {
    const gone = [
      ...plan.deleteInline.map((n) => `delete inline policy ${n}`),
      ...plan.detach.map((a) => `detach managed policy ${a}`),
      ...plan.removals.map((r) => `${r.action} on ${r.resource}`),
    ];
    if (gone.length) sections.push({ title: 'Removed', lines: gone.map((text) => ({ sign: '-', text })) });
  }
  if (plan.compaction.length) {
    sections.push({
      title: 'Widened to fit IAM size limits',
      lines: plan.compaction.map((c) => ({
        sign: '~',
        text: `${c.action}: ${c.from.length} resource(s) compacted to ${c.to}`,
        note: `adds: ${c.extraAccess}`,
      })),
    });
  }
  if (plan.kept?.length) {
    sections.push({ title: 'Left as they are', lines: plan.kept.map((k) => ({ sign: '=', text: k.policy, note: k.reason })) });
  }
  return sections;
}
