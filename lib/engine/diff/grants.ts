// Grant vs intent, statement by statement: for each Allow (action pattern × resource pattern), which
// actions no requirement needs (`excess`) and which needed actions reach further than needed
// (`too-broad`). Wildcard actions are expanded through the catalogue; what a wildcard grants beyond the
// needed actions is one grouped finding under the pattern as written (`s3:*` on `*`), not hundreds.
import { actionMatches, hasWildcard, resourceIncludes, resourceOverlaps } from '../policy/wildcard.js';
import { canonicalAction, expandActionPattern, isCataloguedService, isWildcardOnlyAction } from '../policy/actions.js';
import type { EvaluateOptions } from '../policy/evaluate.js';
import { containsAll, statementViews, touches, type StatementView, type Target } from '../policy/statements.js';
import type { Finding, NamedPolicy, Requirement } from '../types.js';
import { refText } from './coverage.js';

interface Entry {
  /** As written, or `*` for NotAction / NotResource. */
  pattern: string;
  exclude: string[];
}

const SAMPLE = 5;

function sample(items: string[]): string {
  const head = items.slice(0, SAMPLE).join(', ');
  return items.length > SAMPLE ? `${head} and ${items.length - SAMPLE} more` : head;
}

function entries(patterns: string[], negated: boolean): Entry[] {
  return negated ? [{ pattern: '*', exclude: patterns }] : patterns.map((pattern) => ({ pattern, exclude: [] }));
}

function describeResource(e: Entry): string {
  return e.exclude.length ? `every resource except ${e.exclude.join(', ')}` : e.pattern;
}

/** Is (action, granted resources) still granted after explicit Denies and the permissions boundary? */
function effective(policies: NamedPolicy[], opts: EvaluateOptions, action: string, resource: string): boolean {
  const t: Target = { action, resource, actionLiteral: true, resourceLiteral: false };
  const deniesAll = (s: StatementView): boolean => s.effect === 'Deny' && !s.conditional && containsAll(s, t);
  if (policies.some((p) => statementViews(p).some(deniesAll))) return false;
  if (!opts.boundary) return true;
  const views = statementViews(opts.boundary);
  return !views.some(deniesAll) && views.some((s) => s.effect === 'Allow' && touches(s, t));
}

/** Does this grant serve the requirement (reach at least part of what it names)? */
function serves(resource: Entry, r: Requirement): boolean {
  const literal = r.resource === '*';
  return resourceOverlaps(resource.pattern, r.resource, literal) && !resource.exclude.some((x) => resourceIncludes(x, r.resource, literal));
}

export function grantFindings(reqs: Requirement[], policies: NamedPolicy[], opts: EvaluateOptions): Finding[] {
  const byAction = new Map<string, Requirement[]>();
  for (const r of reqs) {
    const k = r.action.toLowerCase();
    byAction.set(k, [...(byAction.get(k) ?? []), r]);
  }
  const out: Finding[] = [];
  for (const policy of policies) {
    for (const s of statementViews(policy)) {
      if (s.effect !== 'Allow') continue;
      const ref = refText(s.ref);
      const cond = s.conditional ? ' (under conditions)' : '';
      for (const a of entries(s.actions, s.notAction)) {
        const wildcard = hasWildcard(a.pattern);
        const expansion = wildcard ? expandActionPattern(a.pattern) : { actions: [canonicalAction(a.pattern)], uncatalogued: false };
        // Needed actions of services outside the catalogue still count as concrete ones.
        const extra = wildcard
          ? reqs.map((r) => r.action).filter((x) => !isCataloguedService(x.split(':')[0]!) && actionMatches(a.pattern, x))
          : [];
        const concrete = [...new Set([...expansion.actions, ...extra])].filter((x) => !a.exclude.some((n) => actionMatches(n, x)));
        for (const res of entries(s.resources, s.notResource)) {
          const unneeded: string[] = [];
          const needed: string[] = [];
          for (const action of concrete) {
            if (!effective(policies, opts, action, res.pattern)) continue;
            const needs = (byAction.get(action.toLowerCase()) ?? []).filter((r) => serves(res, r));
            if (!needs.length) {
              unneeded.push(action);
              continue;
            }
            needed.push(action);
            const broad = !isWildcardOnlyAction(action) && !needs.some((r) => resourceIncludes(r.resource, res.pattern));
            if (!broad) continue;
            const targets = [...new Set(needs.map((r) => r.resource))].sort();
            out.push({
              kind: 'too-broad',
              severity: 'review',
              action,
              resource: res.pattern,
              reasons: [
                `${ref} grants ${action} on ${describeResource(res)}${cond}, but the task definitions need it only on ${sample(targets)}.`,
              ],
              requiredBy: needs.flatMap((r) => r.reasons),
              grantedBy: [s.ref],
            });
          }
          const grouped = wildcard && (unneeded.length > 1 || expansion.uncatalogued || a.exclude.length > 0);
          if (!grouped) {
            for (const action of unneeded) {
              out.push({
                kind: 'excess',
                severity: 'review',
                action,
                resource: res.pattern,
                reasons: [`${ref} grants ${action} on ${describeResource(res)}${cond}, which no task definition using this role needs.`],
                grantedBy: [s.ref],
              });
            }
            continue;
          }
          if (!unneeded.length && !expansion.uncatalogued) continue;
          const what = a.exclude.length ? `every action except ${a.exclude.join(', ')}` : a.pattern;
          const bits: string[] = [];
          if (unneeded.length) bits.push(`${unneeded.length} actions no task definition using this role needs (${sample(unneeded)})`);
          if (expansion.uncatalogued) bits.push("every action of services outside Leash's catalogue");
          let text = `${ref} grants ${what} on ${describeResource(res)}${cond}: ${bits.join(', plus ')}`;
          if (needed.length) text += `; only ${sample(needed)} of what it grants ${needed.length === 1 ? 'is' : 'are'} needed`;
          out.push({
            kind: 'excess',
            severity: 'review',
            action: a.pattern,
            resource: res.pattern,
            reasons: [`${text}.`],
            grantedBy: [s.ref],
          });
        }
      }
    }
  }
  return out;
}
