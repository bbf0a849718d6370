// Policy documents as IAM returns them (URL-encoded, RFC 3986; SDK v3 does not decode: spec §3.5, §11.13)
// and the canonical form used to hash a role's state.
import { canonicalJson } from '../plan/canonical.js';
import { PolicyError } from '../../errors.js';
import type { PolicyDocument, PolicyStatement } from '../types.js';

/** Decodes and parses one document; `Statement` becomes an array. `source` names where it came from. */
export function decodePolicyDocument(raw: string | undefined, source: string): PolicyDocument {
  if (raw === undefined) throw new PolicyError('policy document is missing', source, '$');
  let text: string;
  try {
    // IAM always encodes; a plain document (already decoded by some proxy) is accepted as is.
    text = raw.trimStart().startsWith('{') ? raw : decodeURIComponent(raw);
  } catch (err) {
    throw new PolicyError('policy document is not valid URL encoding', source, '$', { cause: err });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new PolicyError('policy document is not valid JSON', source, '$', { cause: err });
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new PolicyError('policy document is not an object', source, '$');
  const doc = parsed as { Statement?: unknown };
  if (doc.Statement === undefined) throw new PolicyError('policy document has no Statement', source, '$.Statement');
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  statements.forEach((s, i) => {
    if (!s || typeof s !== 'object' || Array.isArray(s)) throw new PolicyError('statement is not an object', source, `$.Statement[${i}]`);
  });
  return { ...(parsed as object), Statement: statements as PolicyStatement[] } as PolicyDocument;
}

const isScalar = (v: unknown): boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

// IAM compares condition values as strings, so `true` and `"true"` are the same value.
const sortedSet = (v: unknown): unknown =>
  Array.isArray(v) || isScalar(v) ? [...new Set((Array.isArray(v) ? v : [v]).map(String))].sort() : v;

function normalizeMapOfLists(v: unknown): unknown {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return sortedSet(v);
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, sortedSet(x)]));
}

/** Drops differences IAM gives no meaning to: a single string vs a one-element list, list order, duplicates,
 *  statement order. Used only for hashing; the engine gets documents as read. */
export function normalizeForHash(doc: PolicyDocument): PolicyDocument {
  const statements = doc.Statement.map((s) => {
    const out: Record<string, unknown> = { ...s };
    for (const key of ['Action', 'NotAction', 'Resource', 'NotResource'] as const) if (key in s) out[key] = sortedSet(s[key]);
    for (const key of ['Principal', 'NotPrincipal'] as const) if (key in s) out[key] = s[key] === '*' ? '*' : normalizeMapOfLists(s[key]);
    if (s.Condition) {
      out.Condition = Object.fromEntries(Object.entries(s.Condition).map(([op, block]) => [op, normalizeMapOfLists(block)]));
    }
    return out as unknown as PolicyStatement;
  });
  const sorted = statements.map((s) => [canonicalJson(s), s] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { ...doc, Statement: sorted.map(([, s]) => s) };
}
