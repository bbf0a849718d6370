// IAM wildcard semantics for actions and resources, as three questions over glob patterns:
//   match    — does a concrete string fall inside a pattern?
//   includes — is every string of pattern `inner` also a string of pattern `outer` (language inclusion)?
//   overlaps — is there at least one string both patterns accept?
// `*` is any run of characters (possibly empty), `?` exactly one character. Actions compare
// case-insensitively, resources case-sensitively. ARNs are compared segment by segment: IAM documents
// wildcards as applying within a colon-separated segment (partition, service, region, account), while the
// resource part after the fifth colon is one segment whose `*` spans `:` and `/`
// (`log-group:/ecs/x:*` covers `log-group:/ecs/x:log-stream:abc`). A short ARN pattern (`arn:aws:s3:*`)
// is padded with `*` segments, since a trailing `*` expands beyond colon boundaries.

const STAR = -2;
const QMARK = -1;

/** A compiled glob: literal char codes, QMARK or STAR. Runs of wildcards are normalized (`*?` → `?*`). */
type Tokens = number[];

/** Policy variables other than the escapes `${*}`, `${?}`, `${$}` depend on the request context. */
const VARIABLE = /\$\{(?![*?$]\})[^}]*\}/;

export function hasWildcard(value: string): boolean {
  return value.includes('*') || value.includes('?');
}

export function hasPolicyVariable(value: string): boolean {
  return VARIABLE.test(value);
}

// Policies are evaluated many times against many requests: keep compiled patterns (bounded), one map per mode so a
// lookup needs no key string.
const caches = [new Map<string, Tokens>(), new Map<string, Tokens>(), new Map<string, Tokens>(), new Map<string, Tokens>()];

function compile(pattern: string, ignoreCase: boolean, literal: boolean): Tokens {
  const cache = caches[(ignoreCase ? 2 : 0) + (literal ? 1 : 0)]!;
  let hit = cache.get(pattern);
  if (!hit) {
    if (cache.size > 20_000) cache.clear();
    hit = compileUncached(pattern, ignoreCase, literal);
    cache.set(pattern, hit);
  }
  return hit;
}

/** No `*`, `?` or `${`: the pattern names exactly its own characters. */
export function isLiteralText(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 42 || c === 63 || (c === 36 && value.charCodeAt(i + 1) === 123)) return false;
  }
  return true;
}

function compileUncached(pattern: string, ignoreCase: boolean, literal: boolean): Tokens {
  const src = ignoreCase ? pattern.toLowerCase() : pattern;
  const out: Tokens = [];
  for (let i = 0; i < src.length; i++) {
    const ch = src.charCodeAt(i);
    if (literal) {
      out.push(ch);
      continue;
    }
    if (src[i] === '$' && src[i + 1] === '{') {
      const end = src.indexOf('}', i + 2);
      if (end !== -1) {
        const inner = src.slice(i + 2, end);
        // Escapes stand for the literal character; any other variable could resolve to anything.
        if (inner === '*' || inner === '?' || inner === '$') out.push(inner.charCodeAt(0));
        else out.push(STAR);
        i = end;
        continue;
      }
    }
    out.push(src[i] === '*' ? STAR : src[i] === '?' ? QMARK : ch);
  }
  return normalize(out);
}

// Within a run of wildcards, order does not change the language: emit the `?`s first, then one `*`.
function normalize(tokens: Tokens): Tokens {
  const out: Tokens = [];
  for (let i = 0; i < tokens.length;) {
    if (tokens[i]! >= 0) {
      out.push(tokens[i++]!);
      continue;
    }
    let q = 0;
    let star = false;
    while (i < tokens.length && tokens[i]! < 0) {
      if (tokens[i] === STAR) star = true;
      else q++;
      i++;
    }
    for (let k = 0; k < q; k++) out.push(QMARK);
    if (star) out.push(STAR);
  }
  return out;
}

// Sufficient rule for L(inner) ⊆ L(outer): read `inner` as a word over chars, `?` and `*`; an outer `*`
// absorbs any run of inner symbols, an outer `?` one inner char or `?` (never `*`), a literal only itself.
// Exact when `inner` is literal; otherwise it can only answer "no" too often (conservative for grants).
function tokensInclude(outer: Tokens, inner: Tokens): boolean {
  if (!inner.some((t) => t < 0)) return tokensMatchWord(outer, inner);
  const n = outer.length;
  const m = inner.length;
  const memo = new Uint8Array((n + 1) * (m + 1)); // 0 unknown, 1 false, 2 true
  const go = (i: number, j: number): boolean => {
    const key = i * (m + 1) + j;
    const seen = memo[key]!;
    if (seen) return seen === 2;
    let res: boolean;
    if (i === n) res = j === m;
    else if (outer[i] === STAR) res = go(i + 1, j) || (j < m && go(i, j + 1));
    else if (j === m) res = false;
    else if (outer[i] === QMARK) res = inner[j] !== STAR && go(i + 1, j + 1);
    else res = inner[j] === outer[i] && go(i + 1, j + 1);
    memo[key] = res ? 2 : 1;
    return res;
  };
  return go(0, 0);
}

// Does the pattern accept the word (no wildcard tokens)? Greedy with one backtrack point (the last `*`): when a
// later `*` is reached, an earlier one never needs to absorb more, so this is exact, and it allocates nothing.
function tokensMatchWord(pattern: Tokens, word: Tokens): boolean {
  const n = pattern.length;
  const m = word.length;
  let i = 0;
  let j = 0;
  let star = -1;
  let mark = 0;
  while (j < m) {
    const t = i < n ? pattern[i]! : 0;
    if (i < n && (t === QMARK || t === word[j])) {
      i++;
      j++;
    } else if (i < n && t === STAR) {
      star = i++;
      mark = j;
    } else if (star >= 0) {
      i = star + 1;
      j = ++mark;
    } else {
      return false;
    }
  }
  while (i < n && pattern[i] === STAR) i++;
  return i === n;
}

// Exact emptiness test of the intersection: walk both patterns in lock-step, building a common string.
function tokensOverlap(a: Tokens, b: Tokens): boolean {
  const n = a.length;
  const m = b.length;
  const memo = new Uint8Array((n + 1) * (m + 1));
  const go = (i: number, j: number): boolean => {
    const key = i * (m + 1) + j;
    const seen = memo[key]!;
    if (seen) return seen === 2;
    let res = false;
    if (i === n && j === m) res = true;
    if (!res && i < n && a[i] === STAR) res = go(i + 1, j);
    if (!res && j < m && b[j] === STAR) res = go(i, j + 1);
    if (!res && i < n && j < m && !(a[i] === STAR && b[j] === STAR)) {
      const x = a[i]!;
      const y = b[j]!;
      const compatible = x < 0 || y < 0 || x === y;
      if (compatible) res = go(x === STAR ? i : i + 1, y === STAR ? j : j + 1);
    }
    memo[key] = res ? 2 : 1;
    return res;
  };
  return go(0, 0);
}

// --- plain globs (actions, non-ARN strings) ---

export interface GlobOptions {
  ignoreCase?: boolean;
  /** Treat the second argument as a literal string (a request), not a pattern. */
  literal?: boolean;
}

/** Both sides name exactly their own characters: inclusion and matching are (case-folded) equality. */
function plainEqual(a: string, b: string, ignoreCase: boolean): boolean {
  return a === b || (ignoreCase && a.toLowerCase() === b.toLowerCase());
}

export function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
  if (isLiteralText(pattern)) return plainEqual(pattern, value, ignoreCase);
  return tokensInclude(compile(pattern, ignoreCase, false), compile(value, ignoreCase, true));
}

export function globIncludes(outer: string, inner: string, opts: GlobOptions = {}): boolean {
  const ic = opts.ignoreCase ?? false;
  const literal = opts.literal ?? false;
  // Most action comparisons are two plain names (`ecr:BatchGetImage`): no automaton needed.
  if (isLiteralText(outer) && (literal || isLiteralText(inner))) return plainEqual(outer, inner, ic);
  return tokensInclude(compile(outer, ic, false), compile(inner, ic, literal));
}

export function globOverlaps(a: string, b: string, opts: GlobOptions = {}): boolean {
  const ic = opts.ignoreCase ?? false;
  return tokensOverlap(compile(a, ic, false), compile(b, ic, opts.literal ?? false));
}

// --- actions: case-insensitive globs ---

export function actionMatches(pattern: string, action: string): boolean {
  return globMatch(pattern, action, true);
}

export function actionIncludes(outer: string, inner: string, literal = false): boolean {
  return globIncludes(outer, inner, { ignoreCase: true, literal });
}

export function actionOverlaps(a: string, b: string, literal = false): boolean {
  return globOverlaps(a, b, { ignoreCase: true, literal });
}

// --- resources: case-sensitive, ARN-segment aware ---

/** `[partition, service, region, account, resource]` plus the leading `arn`, or undefined for non-ARNs. */
function arnSegments(value: string, pad: boolean): string[] | undefined {
  if (!value.startsWith('arn:')) return undefined;
  const parts = value.split(':');
  if (parts.length < 6) {
    if (!pad) return undefined;
    while (parts.length < 6) parts.push('*');
  }
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

type Op = (outer: Tokens, inner: Tokens) => boolean;

/** A policy resource that names exactly one string: no wildcard, no variable, not a padded short ARN. */
export function isPlainResource(value: string): boolean {
  if (!isLiteralText(value)) return false;
  if (!value.startsWith('arn:')) return true;
  let colons = 0;
  for (let i = 0; i < value.length && colons < 5; i++) if (value.charCodeAt(i) === 58) colons++;
  return colons === 5;
}

function resourceOp(op: Op, policy: string, other: string, otherLiteral: boolean, padOther: boolean): boolean {
  if (policy === '*' && op !== tokensOverlap) return true;
  // Fast path (most grants name exact ARNs): a plain policy string holds only itself.
  if (isPlainResource(policy) && (otherLiteral || isPlainResource(other))) return policy === other;
  const ps = arnSegments(policy, true);
  const os = arnSegments(other, padOther);
  if (!ps || !os) return op(compile(policy, false, false), compile(other, false, otherLiteral));
  for (let k = 0; k < 6; k++) {
    if (!op(compile(ps[k]!, false, false), compile(os[k]!, false, otherLiteral))) return false;
  }
  return true;
}

/**
 * `L` when the pattern is `L*` with a literal `L` that spans the whole ARN header (five colons): such a pattern
 * holds exactly the strings, and includes exactly the patterns without `${`, that start with `L`.
 */
export function literalStarPrefix(pattern: string): string | undefined {
  if (!pattern.endsWith('*')) return undefined;
  const head = pattern.slice(0, -1);
  if (!isLiteralText(head)) return undefined;
  let colons = 0;
  for (let i = 0; i < head.length && colons < 5; i++) if (head.charCodeAt(i) === 58) colons++;
  return colons >= 5 ? head : undefined;
}

/** Characters before the first wildcard or variable: both patterns must agree on them literally. */
export function literalPrefix(value: string, literal = false): string {
  if (literal) return value;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 42 || c === 63 || c === 36) return value.slice(0, i);
  }
  return value;
}

/** Does the concrete resource (a request) fall inside the policy's resource pattern? */
export function resourceMatches(pattern: string, resource: string): boolean {
  if (!resource.startsWith(literalPrefix(pattern, false))) return false;
  return resourceOp(tokensInclude, pattern, resource, true, false);
}

/** Is every resource of pattern `inner` inside pattern `outer`? (`literal`: `inner` is a concrete request.) */
export function resourceIncludes(outer: string, inner: string, literal = false): boolean {
  if (outer === inner) return true;
  // A plain string holds only itself; a pattern with a wildcard names more than one resource.
  if (isPlainResource(outer)) return false;
  // Cheap necessary condition before the automaton: outer's literal prefix is inner's literal prefix.
  if (!literalPrefix(inner, literal).startsWith(literalPrefix(outer, false))) return false;
  return resourceOp(tokensInclude, outer, inner, literal, !literal);
}

/** Can one resource be inside both patterns? (`literal`: `b` is a concrete request.) */
export function resourceOverlaps(a: string, b: string, literal = false): boolean {
  if (a === b || a === '*') return true;
  if (b === '*' && !literal) return true;
  const pa = literalPrefix(a, false);
  const pb = literalPrefix(b, literal);
  if (!pa.startsWith(pb) && !pb.startsWith(pa)) return false;
  return resourceOp(tokensOverlap, a, b, literal, !literal);
}
