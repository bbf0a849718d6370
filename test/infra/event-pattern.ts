// A tiny EventBridge pattern matcher for the tests: the subset Leash's rules use (equality lists, `exists`,
// `prefix`, nested objects). Semantics from the EventBridge user guide: every pattern field must match;
// a list matches when any of its entries matches; an event array matches when any element does.

export type Pattern = { [key: string]: Pattern | PatternValue[] };
type PatternValue = string | number | boolean | null | { exists: boolean } | { prefix: string };

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function matchesValue(rule: PatternValue, value: Json | undefined): boolean {
  if (isObject(rule)) {
    if ('exists' in rule) return rule.exists === (value !== undefined);
    if ('prefix' in rule) return typeof value === 'string' && value.startsWith(rule.prefix);
    throw new Error(`unsupported pattern operator ${JSON.stringify(rule)}`);
  }
  if (value === undefined) return false;
  if (Array.isArray(value)) return value.some((v) => matchesValue(rule, v));
  return rule === value;
}

export function matchesPattern(pattern: Pattern, event: unknown): boolean {
  const target = isObject(event) ? event : {};
  return Object.entries(pattern).every(([key, rule]) => {
    const value = target[key] as Json | undefined;
    if (Array.isArray(rule)) return rule.some((r) => matchesValue(r, value));
    // A nested pattern needs an object there (or `exists: false` inside, which holds for a missing object).
    return matchesPattern(rule, isObject(value) ? value : {});
  });
}
