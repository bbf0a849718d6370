// Intent vs grant, requirement by requirement: `missing` (urgent) when a requirement is not allowed for
// every resource it names, `conditional` (review) when only conditions stand between it and an allow.
import { coversRequirement, type EvaluateOptions } from '../policy/evaluate.js';
import { statementViews, touches } from '../policy/statements.js';
import type { ConditionBlock, Finding, NamedPolicy, Requirement, StatementRef } from '../types.js';

export function refText(r: StatementRef): string {
  return `${r.policy} statement ${r.statement}${r.sid ? ` (${r.sid})` : ''}`;
}

function conditionKeys(blocks: ConditionBlock[] | undefined): string[] {
  const keys = new Set<string>();
  for (const block of blocks ?? []) for (const op of Object.values(block)) for (const k of Object.keys(op)) keys.add(k);
  return [...keys].sort();
}

/** Requirements with the same action (any case) and resource merged, reasons kept. */
export function mergeRequirements(reqs: Requirement[]): Requirement[] {
  const byKey = new Map<string, Requirement>();
  for (const r of reqs) {
    const key = `${r.action.toLowerCase()}\n${r.resource}`;
    const seen = byKey.get(key);
    if (seen) seen.reasons = [...seen.reasons, ...r.reasons];
    else byKey.set(key, { ...r, reasons: [...r.reasons] });
  }
  return [...byKey.values()];
}

/** Allow statements that grant part of what the requirement names, for a readable "only partly" reason. */
function partlyGranted(policies: NamedPolicy[], r: Requirement): StatementRef[] {
  const t = { action: r.action, resource: r.resource, actionLiteral: true, resourceLiteral: r.resource === '*' };
  return policies.flatMap((p) =>
    statementViews(p)
      .filter((s) => s.effect === 'Allow' && touches(s, t))
      .map((s) => s.ref),
  );
}

export function coverageFindings(reqs: Requirement[], policies: NamedPolicy[], opts: EvaluateOptions): Finding[] {
  const out: Finding[] = [];
  for (const r of reqs) {
    const ev = coversRequirement(policies, r, opts);
    if (ev.decision === 'allowed') continue;
    const what = `${r.action} on ${r.resource}`;
    if (ev.decision === 'conditional') {
      const keys = conditionKeys(ev.conditions);
      out.push({
        kind: 'conditional',
        severity: 'review',
        action: r.action,
        resource: r.resource,
        reasons: [
          `${what} is allowed only under conditions` +
            (keys.length ? ` on ${keys.join(', ')}` : ' (policy variables in the resource)') +
            `: ${ev.matched.map(refText).join('; ')}; ECS fails to start the task whenever they do not hold.`,
        ],
        requiredBy: r.reasons,
        grantedBy: ev.matched,
      });
      continue;
    }
    const reasons: string[] = [];
    if (ev.decision === 'explicit-deny') {
      reasons.push(`${what} is explicitly denied by ${ev.matched.map(refText).join('; ')}.`);
    } else {
      const identity = opts.boundary ? coversRequirement(policies, r) : ev;
      if (identity.decision === 'allowed' || identity.decision === 'conditional') {
        reasons.push(`${what} is granted by the role's policies but not by its permissions boundary ${opts.boundary!.name}.`);
      } else {
        const partly = partlyGranted(policies, r);
        reasons.push(
          partly.length
            ? `${what} is only partly granted (${partly.map(refText).join('; ')} ${partly.length === 1 ? 'covers' : 'cover'} some, not all, of the resources it names).`
            : `No statement allows ${what}.`,
        );
      }
    }
    out.push({ kind: 'missing', severity: 'urgent', action: r.action, resource: r.resource, reasons, requiredBy: r.reasons });
  }
  return out;
}
