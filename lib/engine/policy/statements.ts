// A statement seen as a set of (action, resource) pairs, and two questions about a target set:
// does the statement contain all of it, and does it touch any of it? With a concrete request both
// questions reduce to "does the statement match"; with a requirement pattern (`secret:db-??????`) an
// Allow must contain the whole pattern, while a Deny counts as soon as it touches part of it.
import type { ConditionBlock, NamedPolicy, PolicyDocument, PolicyStatement, StatementRef } from '../types.js';
import {
  actionIncludes,
  actionOverlaps,
  hasPolicyVariable,
  isLiteralText,
  isPlainResource,
  literalStarPrefix,
  resourceIncludes,
  resourceOverlaps,
} from './wildcard.js';

export interface StatementView {
  ref: StatementRef;
  effect: 'Allow' | 'Deny';
  /** Action patterns, or the NotAction patterns when `notAction`. */
  actions: string[];
  notAction: boolean;
  /** Resource patterns, or the NotResource patterns when `notResource`. */
  resources: string[];
  notResource: boolean;
  /** Non-empty Condition block, if any. */
  condition?: ConditionBlock;
  /** Applies only in some request contexts: a Condition, or a policy variable in its resources. */
  conditional: boolean;
  /** Resource strings, for the common exact-ARN case. */
  exact: Set<string>;
  /** Action patterns without wildcards, lower-cased: a plain target action is looked up, not matched. */
  plainActions: Set<string>;
  /** Action patterns with a wildcard or a `${…}` escape. */
  wildActions: string[];
  /** Resource patterns that name more than one string (wildcard, variable, short ARN): the rest is in `exact`. */
  wildResources: string[];
  /** For each of `wildResources`, its `L` when it is `L*` (literalStarPrefix): inclusion is then a prefix test. */
  starPrefixes: (string | undefined)[];
}

/** What is asked about: one action and one resource, each either a concrete request or a pattern. */
export interface Target {
  action: string;
  resource: string;
  actionLiteral: boolean;
  resourceLiteral: boolean;
  /** `action` lower-cased, when the caller computed it once for many statements. */
  actionLower?: string;
}

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function view(policy: NamedPolicy, s: PolicyStatement, index: number): StatementView {
  const notAction = s.Action === undefined && s.NotAction !== undefined;
  const notResource = s.Resource === undefined && s.NotResource !== undefined;
  // A statement without Resource (only in non-identity policies) applies to every resource.
  const resources = notResource ? list(s.NotResource) : s.Resource === undefined ? ['*'] : list(s.Resource);
  const condition = s.Condition && Object.keys(s.Condition).length > 0 ? s.Condition : undefined;
  const ref: StatementRef = s.Sid ? { policy: policy.name, statement: index, sid: s.Sid } : { policy: policy.name, statement: index };
  const actions = notAction ? list(s.NotAction) : list(s.Action);
  const wildResources = resources.filter((r) => !isPlainResource(r));
  return {
    ref,
    effect: s.Effect,
    actions,
    notAction,
    resources,
    notResource,
    ...(condition ? { condition } : {}),
    conditional: condition !== undefined || resources.some(hasPolicyVariable),
    exact: new Set(resources),
    plainActions: new Set(actions.filter(isLiteralText).map((a) => a.toLowerCase())),
    wildActions: actions.filter((a) => !isLiteralText(a)),
    wildResources,
    starPrefixes: wildResources.map(literalStarPrefix),
  };
}

const cache = new WeakMap<PolicyDocument, StatementView[]>();

export function statementViews(policy: NamedPolicy): StatementView[] {
  let views = cache.get(policy.document);
  if (!views || views[0]?.ref.policy !== policy.name) {
    views = policy.document.Statement.map((s, i) => view(policy, s, i));
    cache.set(policy.document, views);
  }
  return views;
}

function actionIn(s: StatementView, t: Target, all: boolean): boolean {
  const inc = (p: string): boolean => actionIncludes(p, t.action, t.actionLiteral);
  const ovl = (p: string): boolean => actionOverlaps(p, t.action, t.actionLiteral);
  // A plain target is inside a plain pattern only when the two are equal (case-insensitively): look it up.
  if (!s.notAction && all && (t.actionLiteral || isLiteralText(t.action))) {
    return s.plainActions.has(t.actionLower ?? t.action.toLowerCase()) || s.wildActions.some(inc);
  }
  if (!s.notAction) return s.actions.some(all ? inc : ovl);
  // NotAction: the statement holds every action outside the listed patterns.
  return all ? !s.actions.some(ovl) : !s.actions.some(inc);
}

function resourceIn(s: StatementView, t: Target, all: boolean): boolean {
  const inc = (p: string): boolean => resourceIncludes(p, t.resource, t.resourceLiteral);
  const ovl = (p: string): boolean => resourceOverlaps(p, t.resource, t.resourceLiteral);
  // A plain policy resource includes only itself: `exact` answers for all of them at once.
  if (!s.notResource && all) {
    if (s.exact.has(t.resource)) return true;
    // `${…}` in the target may stand for a character of `L`: only then is the prefix test not the answer.
    const prefixTest = !t.resource.includes('${');
    return s.wildResources.some((p, i) => {
      const head = s.starPrefixes[i];
      return head !== undefined && prefixTest ? t.resource.startsWith(head) : inc(p);
    });
  }
  if (!s.notResource) return s.exact.has(t.resource) || s.resources.some(all ? inc : ovl);
  return all ? !s.resources.some(ovl) : !s.resources.some(inc);
}

/** The statement's (action, resource) set contains the whole target. */
export function containsAll(s: StatementView, t: Target): boolean {
  return actionIn(s, t, true) && resourceIn(s, t, true);
}

/** The statement's set shares at least one (action, resource) with the target (may over-approximate). */
export function touches(s: StatementView, t: Target): boolean {
  return actionIn(s, t, false) && resourceIn(s, t, false);
}
