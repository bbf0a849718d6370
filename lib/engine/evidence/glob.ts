// IAM wildcard matching: `*` is any run of characters (including `/` and `:`), `?` exactly one.

export function iamGlobMatch(pattern: string, value: string, opts: { caseInsensitive?: boolean } = {}): boolean {
  const p = opts.caseInsensitive ? pattern.toLowerCase() : pattern;
  const v = opts.caseInsensitive ? value.toLowerCase() : value;
  // Iterative matcher with single-star backtracking: linear-ish, no regex built from input.
  let pi = 0;
  let vi = 0;
  let star = -1;
  let mark = 0;
  while (vi < v.length) {
    if (pi < p.length && (p[pi] === '?' || p[pi] === v[vi])) {
      pi++;
      vi++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      mark = vi;
    } else if (star >= 0) {
      pi = star + 1;
      vi = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

/** Actions compare case-insensitively (IAM treats `ecr:batchgetimage` as `ecr:BatchGetImage`). */
export function actionMatches(pattern: string, action: string): boolean {
  return iamGlobMatch(pattern, action, { caseInsensitive: true });
}

/**
 * Resource ARNs compare case-sensitively. A secret named without its 6-character suffix (rebuilt from a
 * `secretId` that was a bare name) still matches the `<name>-??????` pattern Leash writes for it.
 */
export function resourceMatches(pattern: string, resource: string): boolean {
  if (iamGlobMatch(pattern, resource)) return true;
  return /:secretsmanager:[^:]*:[^:]*:secret:[^*?]*$/.test(resource) && iamGlobMatch(pattern, `${resource}-XXXXXX`);
}
