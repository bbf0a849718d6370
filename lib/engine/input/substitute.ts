// Fills a task-definition template the way a pipeline would, before Leash reads it (`leash check --var KEY=VALUE`).
// Only string values change, never keys, and the JSON is walked as data, so a value can never break its structure.
import { findPlaceholders } from '../intent/placeholder.js';

/** KEY → VALUE. A key matches a placeholder by its name (`AWS_REGION` for `${AWS_REGION}`, `{{AWS_REGION}}`,
 *  ``{{must_env `AWS_REGION`}}``, `$$$AWS_REGION$$$`, `<AWS_REGION>`, `#{AWS_REGION}`) or by its exact text. */
export type Vars = ReadonlyMap<string, string>;

// A key written like a constant (`ACCOUNT_ID`, `REPOSITORY_URI`, `XXXXXXXXXXXX`) also replaces that bare word, as
// CodeDeploy's `REPOSITORY_URI:TAG` and documentation's `ACCOUNT_ID` are written without delimiters.
const BARE_KEY = /^[A-Z][A-Z0-9_]*$/;

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function substituteString(value: string, vars: Vars, used: Set<string>): string {
  let out = value;
  for (const p of findPlaceholders(value)) {
    const key = vars.has(p.text) ? p.text : vars.has(p.name) ? p.name : undefined;
    if (key === undefined) continue;
    used.add(key);
    out = out.split(p.text).join(vars.get(key));
  }
  for (const [key, replacement] of vars) {
    if (!BARE_KEY.test(key)) continue;
    const re = new RegExp(`(?<![A-Za-z0-9_$])${escapeRegExp(key)}(?![A-Za-z0-9_])`, 'g');
    if (!re.test(out)) continue;
    used.add(key);
    out = out.replace(re, () => replacement);
  }
  return out;
}

/** A copy of `value` with every string substituted; `used` names the keys that matched somewhere. */
export function substituteJson(value: unknown, vars: Vars): { value: unknown; used: Set<string> } {
  const used = new Set<string>();
  if (vars.size === 0) return { value, used };
  // An explicit stack: hostile input may nest far deeper than the call stack allows.
  const root: { v: unknown } = { v: value };
  const stack: { holder: Record<string | number, unknown>; key: string | number }[] = [
    { holder: root as Record<string, unknown>, key: 'v' },
  ];
  while (stack.length) {
    const { holder, key } = stack.pop()!;
    const v = holder[key];
    if (typeof v === 'string') holder[key] = substituteString(v, vars, used);
    else if (Array.isArray(v)) {
      const copy = [...v];
      holder[key] = copy;
      copy.forEach((_x, i) => stack.push({ holder: copy as unknown as Record<number, unknown>, key: i }));
    } else if (v !== null && typeof v === 'object') {
      const copy = { ...(v as Record<string, unknown>) };
      holder[key] = copy;
      for (const k of Object.keys(copy)) stack.push({ holder: copy, key: k });
    }
  }
  return { value: root.v, used };
}

/** Parses `KEY=VALUE` pairs (the first `=` splits; the value may be empty or hold `=`). */
export function parseVars(pairs: string[], onError: (pair: string) => never): Map<string, string> {
  const vars = new Map<string, string>();
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq < 1) onError(pair);
    vars.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  return vars;
}
