// Identity-policy evaluation (IAM's order): an applicable explicit Deny wins; otherwise an applicable Allow
// allows; otherwise the request is implicitly denied. Conditions are never guessed: a statement with a
// Condition (or a policy variable in its resources) is "soft" and makes the outcome `conditional` only
// where it could change it:
//   unconditional Allow + conditional Deny → conditional
//   conditional Allow (no unconditional one) → conditional
//   conditional Deny, no Allow → implicit-deny (it can only deny what is denied anyway)
// A permissions boundary intersects: the effective decision is the weaker of identity and boundary.
import type { AccessRequest, ConditionBlock, Evaluation, NamedPolicy, Requirement, StatementRef } from '../types.js';
import { containsAll, statementViews, touches, type StatementView, type Target } from './statements.js';
import { hasWildcard } from './wildcard.js';

export interface EvaluateOptions {
  boundary?: NamedPolicy;
}

function conditionsOf(views: StatementView[]): ConditionBlock[] | undefined {
  const blocks = views.flatMap((v) => (v.condition ? [v.condition] : []));
  return blocks.length ? blocks : undefined;
}

function withConditions(decision: Evaluation['decision'], views: StatementView[]): Evaluation {
  const conditions = conditionsOf(views);
  const matched = views.map((v) => v.ref);
  return conditions ? { decision, matched, conditions } : { decision, matched };
}

/** Decision of one set of policies (identity policies, or the boundary alone) on a target. */
export function decide(policies: NamedPolicy[], target: Target): Evaluation {
  const t = target.actionLower === undefined ? { ...target, actionLower: target.action.toLowerCase() } : target;
  // Most calls meet one matching statement: the lists are created only when something lands in them.
  let hardDeny: StatementView[] | undefined;
  let softDeny: StatementView[] | undefined;
  let hardAllow: StatementView[] | undefined;
  let softAllow: StatementView[] | undefined;
  for (const p of policies) {
    for (const s of statementViews(p)) {
      if (s.effect === 'Deny') {
        if (!touches(s, t)) continue;
        if (s.conditional) (softDeny ??= []).push(s);
        else (hardDeny ??= []).push(s);
      } else if (containsAll(s, t)) {
        if (s.conditional) (softAllow ??= []).push(s);
        else (hardAllow ??= []).push(s);
      }
    }
  }
  if (hardDeny) return { decision: 'explicit-deny', matched: hardDeny.map((s) => s.ref) };
  if (hardAllow) {
    if (softDeny) return withConditions('conditional', softDeny);
    return { decision: 'allowed', matched: hardAllow.map((s) => s.ref) };
  }
  if (softAllow) return withConditions('conditional', [...softAllow, ...(softDeny ?? [])]);
  return { decision: 'implicit-deny', matched: [] };
}

const RANK: Record<Evaluation['decision'], number> = { 'explicit-deny': 0, 'implicit-deny': 1, conditional: 2, allowed: 3 };

/** Identity ∩ boundary: the weaker decision wins; conditional results keep both sides' conditions. */
export function intersect(identity: Evaluation, boundary: Evaluation | undefined): Evaluation {
  if (!boundary) return identity;
  const weaker = RANK[boundary.decision] < RANK[identity.decision] ? boundary : identity;
  if (weaker.decision !== 'conditional' && weaker.decision !== 'allowed') return weaker;
  const matched: StatementRef[] = [...identity.matched, ...boundary.matched];
  const conditions = [...(identity.conditions ?? []), ...(boundary.conditions ?? [])];
  return conditions.length ? { decision: weaker.decision, matched, conditions } : { decision: weaker.decision, matched };
}

function run(policies: NamedPolicy[], t: Target, opts?: EvaluateOptions): Evaluation {
  const identity = decide(policies, t);
  return intersect(identity, opts?.boundary ? decide([opts.boundary], t) : undefined);
}

/** May the role perform `req.action` on the concrete resource `req.resource`? */
export function evaluate(policies: NamedPolicy[], req: AccessRequest, opts?: EvaluateOptions): Evaluation {
  return run(policies, { action: req.action, resource: req.resource, actionLiteral: true, resourceLiteral: true }, opts);
}

/**
 * Is the requirement covered for EVERY resource its pattern names? An Allow counts only if one statement
 * contains the whole pattern (glob language inclusion: a requirement's `*` can only be absorbed by a `*`
 * of the grant, its `?` by a `?` or `*`); a Deny counts as soon as it overlaps any part of the pattern,
 * so a partial deny leaves the requirement uncovered. `*` as a requirement resource is the literal
 * resource IAM evaluates for actions without resource-level permissions (ecr:GetAuthorizationToken),
 * so a Deny on one repository does not touch it.
 */
export function coversRequirement(policies: NamedPolicy[], req: Requirement | AccessRequest, opts?: EvaluateOptions): Evaluation {
  const t: Target = {
    action: req.action,
    resource: req.resource,
    actionLiteral: !hasWildcard(req.action),
    resourceLiteral: req.resource === '*' || !hasWildcard(req.resource),
  };
  const result = run(policies, t, opts);
  if (result.decision === 'allowed') return result;
  // `log-group:G:*` names nothing but G's log streams (`log-group:G:log-stream:S`), which is where CreateLogStream
  // and PutLogEvents are authorized: a grant on `log-group:G:log-stream:*` covers the same resources.
  const streams = /^(arn:[^:]+:logs:[^:]*:[^:]*:log-group:[^*?]+):\*$/.exec(req.resource);
  if (streams && LOG_STREAM_ACTIONS.has(req.action.toLowerCase())) {
    const alt = run(policies, { ...t, resource: `${streams[1]}:log-stream:*` }, opts);
    if (alt.decision === 'allowed') return alt;
  }
  return result;
}

const LOG_STREAM_ACTIONS = new Set(['logs:createlogstream', 'logs:putlogevents']);
