// The scope a role's owner declares on the role: resource prefixes inside which `auto` may add access on its own.
// Everything a task definition asks for outside it goes to a person. Compared as ARNs (partition, service,
// Region, account, then the resource name by path segment), never as substrings.
//
// Grammar (tag values are the source; README "Declaring a scope" says the same):
//   keys     leash:scope, and for more than one value's worth leash:scope:2 … leash:scope:9 (entries are the union)
//   value    entries separated by one or more spaces or commas (IAM tag values cannot hold commas: on a role only
//            spaces occur; commas are accepted for scopes written elsewhere). At most 256 characters per value
//            (IAM's limit), each character one of A-Z a-z 0-9 _ . : / = + - @ (ASCII only: no look-alikes).
//   entry    secret:<name>         Secrets Manager secret names            e.g. secret:web/
//            parameter/<name>      SSM parameters, as in the ARN           e.g. parameter/web/  (names /web/…)
//            log-group:<name>      CloudWatch Logs log groups              e.g. log-group:/ecs/web
//            repository/<name>     ECR repositories                        e.g. repository/web/
//            key/<key-id>          one KMS key, by key ID (UUID or mrk-…)  e.g. key/1234abcd-12ab-34cd-56ef-1234567890ab
//            s3:::<bucket>[/<key>] S3 objects of one bucket               e.g. s3:::web-config/prod/
//   <name>   a path: segments separated by "/". Ending with "/" it means everything under that path
//            (secret:web/ → web/db, web/api/key; not web, not web-admin). Without a trailing "/" it means that
//            exact name and everything under it as a path (secret:web → web, web/db; never web-admin or web2).
// The account is always the role's own and the partition the role's; any Region of that partition matches.
// S3 ARNs carry no account: an S3 object is in scope only through an s3::: entry, never "same account".
// KMS keys behind secrets are in scope only through an explicit key/<id> entry (see KEY_NOTE).
import { partitionForRegion } from '../arn.js';
import type { AccessRequest, Finding } from '../types.js';
import { parseArn } from './match.js';

export const SCOPE_TAG = 'leash:scope';
/** Continuation keys for scopes longer than one tag value: leash:scope:2 … leash:scope:9. */
export const SCOPE_TAG_KEYS: readonly string[] = [SCOPE_TAG, ...[2, 3, 4, 5, 6, 7, 8, 9].map((n) => `${SCOPE_TAG}:${n}`)];
/** IAM's limit on one tag value. */
export const TAG_VALUE_MAX = 256;

/**
 * Why a secret does not put its KMS key in scope: the key is not named by the secret's path, one customer-managed
 * key often protects many teams' secrets and other data, and kms:Decrypt on it decrypts every ciphertext under it.
 * The owner names the key on purpose (key/<id>) or a person approves it.
 */
export const KEY_NOTE = 'a KMS key is in scope only through an explicit key/<key-id> entry, never because a secret in scope uses it';

export type ScopeKind = 'secret' | 'parameter' | 'log-group' | 'repository' | 'key' | 's3';

export interface ScopeEntry {
  kind: ScopeKind;
  /** The entry as written. */
  text: string;
  /** The name part (after the kind prefix; for S3 the key prefix). */
  name: string;
  /** S3 only: the bucket. */
  bucket?: string;
}

export interface Scope {
  entries: ScopeEntry[];
}

export interface ScopeReading {
  scope: Scope;
  /** A scope tag is present (even an invalid one). */
  declared: boolean;
  /** `invalid-scope-tag` when any scope tag does not parse; the scope is then empty. */
  finding?: Finding;
}

export type ScopeDecision = { inside: true; entry: string } | { inside: false; why: string };

interface KindSpec {
  kind: ScopeKind;
  prefix: string;
  service: string;
  /** Characters allowed in the name part. */
  name: RegExp;
}

const KINDS: readonly KindSpec[] = [
  { kind: 'secret', prefix: 'secret:', service: 'secretsmanager', name: /^[A-Za-z0-9/_+=.@-]+$/ },
  { kind: 'parameter', prefix: 'parameter/', service: 'ssm', name: /^[A-Za-z0-9/_.-]+$/ },
  { kind: 'log-group', prefix: 'log-group:', service: 'logs', name: /^[A-Za-z0-9/_.-]+$/ },
  { kind: 'repository', prefix: 'repository/', service: 'ecr', name: /^[a-z0-9/_.-]+$/ },
  {
    kind: 'key',
    prefix: 'key/',
    service: 'kms',
    name: /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/,
  },
  { kind: 's3', prefix: 's3:::', service: 's3', name: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](?:\/[A-Za-z0-9_.:/=+@-]*)?$/ },
];

const SERVICE_OF: Record<ScopeKind, string> = Object.fromEntries(KINDS.map((k) => [k.kind, k.service])) as Record<ScopeKind, string>;
const TAG_CHARS = /^[A-Za-z0-9_.:/=+\-@ ,]*$/;

function parseEntry(text: string): ScopeEntry | string {
  const spec = KINDS.find((k) => text.startsWith(k.prefix));
  if (!spec) return `${JSON.stringify(text)} does not start with one of ${KINDS.map((k) => k.prefix).join(' ')}`;
  const name = text.slice(spec.prefix.length);
  if (!spec.name.test(name)) return `${JSON.stringify(text)}: ${JSON.stringify(name)} is not a valid ${spec.kind} name or prefix`;
  if (spec.kind === 's3') {
    const slash = name.indexOf('/');
    const bucket = slash < 0 ? name : name.slice(0, slash);
    return { kind: 's3', text, bucket, name: slash < 0 ? '' : name.slice(slash + 1) };
  }
  if (spec.kind !== 'key') {
    if (/^\/*$/.test(name)) return `${JSON.stringify(text)} names no path segment: a scope must not cover every ${spec.kind}`;
    if (name.includes('//')) return `${JSON.stringify(text)} has an empty path segment ("//")`;
    if (spec.kind === 'parameter' && name.startsWith('/')) {
      return `${JSON.stringify(text)}: write the parameter path as in its ARN (parameter/web/ for /web/…), without a second "/"`;
    }
  }
  return { kind: spec.kind, text, name };
}

/** Parses one tag value; a string array of problems when any entry is wrong. */
export function parseScopeValue(value: string): ScopeEntry[] | string[] {
  const problems: string[] = [];
  if (value.length > TAG_VALUE_MAX) problems.push(`the value has ${value.length} characters; IAM allows ${TAG_VALUE_MAX} per tag value`);
  if (!TAG_CHARS.test(value)) {
    const bad = [...new Set([...value].filter((ch) => !TAG_CHARS.test(ch)))].map(
      (ch) => `U+${ch.codePointAt(0)!.toString(16).padStart(4, '0')}`,
    );
    problems.push(`characters outside A-Z a-z 0-9 _ . : / = + - @ (space, comma as separators): ${bad.join(' ')}`);
    return problems;
  }
  const entries: ScopeEntry[] = [];
  for (const text of value.split(/[ ,]+/).filter((t) => t !== '')) {
    const e = parseEntry(text);
    if (typeof e === 'string') problems.push(e);
    else entries.push(e);
  }
  return problems.length > 0 ? problems : entries;
}

/**
 * The role's declared scope from its tags. Any malformed scope tag (a bad entry, a value IAM would refuse, a key
 * that is a scope key only up to case or an unknown continuation key) makes the whole scope empty and yields an
 * `invalid-scope-tag` finding: a half-read scope could be wider or narrower than the owner meant.
 */
export function readScope(tags: Record<string, string> | undefined, roleArn: string): ScopeReading {
  const problems: string[] = [];
  const entries: ScopeEntry[] = [];
  let declared = false;
  for (const [key, value] of Object.entries(tags ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const lower = key.toLowerCase();
    if (lower !== SCOPE_TAG && !lower.startsWith(`${SCOPE_TAG}:`)) continue;
    declared = true;
    if (!SCOPE_TAG_KEYS.includes(key)) {
      problems.push(`tag key ${JSON.stringify(key)} is not one of ${SCOPE_TAG}, ${SCOPE_TAG}:2 … ${SCOPE_TAG}:9`);
      continue;
    }
    const parsed = parseScopeValue(value);
    if (parsed.length > 0 && typeof parsed[0] === 'string') problems.push(...(parsed as string[]).map((p) => `${key}: ${p}`));
    else entries.push(...(parsed as ScopeEntry[]));
  }
  if (problems.length === 0) return { scope: { entries }, declared };
  return {
    scope: { entries: [] },
    declared,
    finding: {
      kind: 'invalid-scope-tag',
      severity: 'review',
      action: SCOPE_TAG,
      resource: roleArn,
      reasons: [...problems, 'the declared scope is treated as empty: auto mode adds nothing without a person until the tag is fixed'],
    },
  };
}

const hasWildcard = (s: string) => s.includes('*') || s.includes('?');

/**
 * Is every name `pattern` can match inside the path `prefix`? `prefix` ending with "/" covers the names under it;
 * otherwise the name itself and the names under it. A wildcard pattern is inside only if the literal text before
 * its first wildcard already lies under the path (so `web/*` is inside `web`, `web*` is not).
 */
export function pathCovers(prefix: string, pattern: string): boolean {
  const dir = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
  const star = pattern.search(/[*?]/);
  if (star >= 0) return pattern.slice(0, star).startsWith(dir);
  return pattern === prefix || pattern.startsWith(dir);
}

/** The secret name an IAM resource `secret:<...>` can match: the full-ARN suffix (-AbCdEf) or its `-??????` form stripped. */
function secretName(resource: string): string {
  const rest = resource.slice('secret:'.length);
  return rest.replace(/-(?:\?{6}|[A-Za-z0-9]{6})$/, '');
}

/** The name part of a resource ARN for a scope kind, or why it has none. */
function nameOf(kind: ScopeKind, resource: string): string | undefined {
  switch (kind) {
    case 'secret':
      return resource.startsWith('secret:') ? secretName(resource) : undefined;
    case 'parameter':
      return resource.startsWith('parameter/') ? resource.slice('parameter/'.length) : undefined;
    case 'repository':
      return resource.startsWith('repository/') ? resource.slice('repository/'.length) : undefined;
    case 'key':
      return resource.startsWith('key/') ? resource.slice('key/'.length) : undefined;
    case 'log-group': {
      if (!resource.startsWith('log-group:')) return undefined;
      const [group, ...rest] = resource.slice('log-group:'.length).split(':');
      const tail = rest.join(':');
      // The group itself, all its streams (`:*`) or named streams: all of them belong to the group.
      if (tail !== '' && tail !== '*' && !tail.startsWith('log-stream:')) return undefined;
      return group;
    }
    default:
      return undefined;
  }
}

function kindOfResource(service: string, resource: string): ScopeKind | undefined {
  if (service === 'secretsmanager' && resource.startsWith('secret:')) return 'secret';
  if (service === 'ssm' && resource.startsWith('parameter/')) return 'parameter';
  if (service === 'logs' && resource.startsWith('log-group:')) return 'log-group';
  if (service === 'ecr' && resource.startsWith('repository/')) return 'repository';
  if (service === 'kms' && resource.startsWith('key/')) return 'key';
  return undefined;
}

function roleParts(roleArn: string): { partition: string; account: string } | undefined {
  const arn = parseArn(roleArn);
  if (!arn || arn.service !== 'iam' || !/^\d{12}$/.test(arn.account) || !arn.resource.startsWith('role/')) return undefined;
  return { partition: arn.partition, account: arn.account };
}

/**
 * Is adding `req` to `roleArn` inside `scope`? Only exact ARN comparisons: the resource's partition is the role's,
 * its account is the role's, its Region a real Region of that partition, its service the entry's (and the
 * action's), and its name inside the entry's path. S3 objects and buckets are inside only through an s3::: entry.
 * `ecr:GetAuthorizationToken` (resource "*", it names no repository) is inside once any repository/ entry is.
 */
export function scopeDecision(scope: Scope, roleArn: string, req: AccessRequest): ScopeDecision {
  const role = roleParts(roleArn);
  if (!role) return { inside: false, why: `${roleArn} is not a role ARN` };
  const actionService = req.action.split(':')[0]?.toLowerCase() ?? '';
  if (req.resource === '*') {
    if (req.action.toLowerCase() === 'ecr:getauthorizationtoken') {
      const repo = scope.entries.find((e) => e.kind === 'repository');
      return repo ? { inside: true, entry: repo.text } : { inside: false, why: 'no repository/ entry in the declared scope' };
    }
    return { inside: false, why: 'resource "*" names no resource' };
  }
  const arn = parseArn(req.resource);
  if (!arn) return { inside: false, why: 'the resource is not an ARN' };
  if (arn.partition !== role.partition) return { inside: false, why: `partition ${arn.partition} is not the role's ${role.partition}` };
  if (arn.service !== actionService)
    return { inside: false, why: `the resource belongs to ${arn.service}, the action to ${actionService}` };

  if (arn.service === 's3') {
    if (arn.region !== '' || arn.account !== '') return { inside: false, why: 'an S3 ARN has no Region or account' };
    const slash = arn.resource.indexOf('/');
    const bucket = slash < 0 ? arn.resource : arn.resource.slice(0, slash);
    if (hasWildcard(bucket)) return { inside: false, why: 'wildcard in the bucket name' };
    const entries = scope.entries.filter((e) => e.kind === 's3' && e.bucket === bucket);
    if (entries.length === 0) return { inside: false, why: `no s3::: entry for bucket ${bucket} (S3 objects are never "same account")` };
    // The bucket itself (s3:GetBucketLocation) is inside when an entry names the bucket; objects by key path.
    if (slash < 0) return { inside: true, entry: entries[0]!.text };
    const key = arn.resource.slice(slash + 1);
    const hit = entries.find((e) => pathCovers(e.name, key));
    return hit ? { inside: true, entry: hit.text } : { inside: false, why: `key ${key} is under no s3:::${bucket}/ entry` };
  }

  if (arn.account !== role.account) return { inside: false, why: `account ${arn.account || '(none)'} is not the role's ${role.account}` };
  if (partitionForRegion(arn.region) !== role.partition) {
    return { inside: false, why: `${JSON.stringify(arn.region)} is not a Region of partition ${role.partition}` };
  }
  const kind = kindOfResource(arn.service, arn.resource);
  if (!kind) return { inside: false, why: `${arn.service} resource ${arn.resource} is of no scope kind` };
  const name = nameOf(kind, arn.resource);
  if (name === undefined || name === '') return { inside: false, why: `${arn.resource} is not a ${kind} ARN Leash can place` };
  const entries = scope.entries.filter((e) => e.kind === kind && SERVICE_OF[e.kind] === arn.service);
  if (kind === 'key') {
    // Exact key IDs only: a key is never "under" anything.
    const hit = entries.find((e) => e.name === name);
    return hit ? { inside: true, entry: hit.text } : { inside: false, why: KEY_NOTE };
  }
  const hit = entries.find((e) => pathCovers(e.name, name));
  return hit
    ? { inside: true, entry: hit.text }
    : { inside: false, why: `${kind} ${name} is under no ${kind} entry of the declared scope` };
}

/** Guardrail wording: one line per addition outside the scope (empty when all are inside). */
export function outOfScope(scope: Scope, roleArn: string, additions: AccessRequest[]): string[] {
  const out: string[] = [];
  for (const add of additions) {
    const d = scopeDecision(scope, roleArn, add);
    if (!d.inside) out.push(`adds ${add.action} on ${add.resource}: outside the declared scope (${d.why})`);
  }
  return out;
}
