// Small IAM-pattern helpers the planner needs to relate findings to policy statements. Deliberately
// literal: it does not evaluate policies (the injected `covers` does that), it only enumerates and matches.
import type { AccessRequest, PolicyDocument, PolicyStatement } from '../types.js';

export function toArray(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function globToRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, caseInsensitive ? 'is' : 's');
}

/** IAM wildcard match (`*`, `?`); a wildcard in `value` is matched as a literal character. */
export function wildcardMatch(pattern: string, value: string, caseInsensitive = false): boolean {
  return globToRegExp(pattern, caseInsensitive).test(value);
}

export function actionMatches(pattern: string, action: string): boolean {
  return wildcardMatch(pattern, action, true);
}

export function hasWildcard(text: string): boolean {
  return text.includes('*') || text.includes('?');
}

export function requestKey(r: AccessRequest): string {
  return `${r.action} ${r.resource}`;
}

/**
 * The (action, resource) pairs an Allow statement names, or `undefined` when it cannot be enumerated
 * (NotAction, NotResource, or no Resource): such a statement may allow anything.
 */
export function statementPairs(stmt: PolicyStatement): AccessRequest[] | undefined {
  if (stmt.NotAction !== undefined || stmt.NotResource !== undefined || stmt.Resource === undefined) return undefined;
  const pairs: AccessRequest[] = [];
  for (const action of toArray(stmt.Action)) for (const resource of toArray(stmt.Resource)) pairs.push({ action, resource });
  return pairs;
}

export function hasDeny(doc: PolicyDocument): boolean {
  return doc.Statement.some((s) => s.Effect === 'Deny');
}

export interface ArnParts {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

export function parseArn(arn: string): ArnParts | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  const [, partition = '', service = '', region = '', account = ''] = parts;
  return { partition, service, region, account, resource: parts.slice(5).join(':') };
}

/** Code-point order: independent of the runtime's locale data, so plans sort the same everywhere. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareRequests(a: AccessRequest, b: AccessRequest): number {
  return compareText(a.action, b.action) || compareText(a.resource, b.resource);
}

/** Sorted, with exact duplicates removed (action compared case-insensitively). */
export function uniqueRequests(list: AccessRequest[]): AccessRequest[] {
  const seen = new Map<string, AccessRequest>();
  for (const r of list) {
    const key = `${r.action.toLowerCase()} ${r.resource}`;
    if (!seen.has(key)) seen.set(key, { action: r.action, resource: r.resource });
  }
  return [...seen.values()].sort(compareRequests);
}
