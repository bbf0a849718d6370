// Brute-force extra access, written from the definition (README, "Compaction") and independent of the compaction
// code: it enumerates every family of every requirement and asks the evaluator (policy/, checked against the
// IAM simulator) whether the final policy allows it.
//
//   family of a resource: its ARN base (`arn:p:svc:region:account:` plus the resource type up to the first `/` or
//     `:`; no type for S3) + a prefix of its name that is empty or ends at `/ - _ . :` (none past the first `*`,
//     `?` or `$`) + `*`.
//   families of an action A: the families of the resources A is required on, minus those a requirement of A
//     covers whole.
//   extra access of a policy: the (action, family) pairs it allows.
import fc from 'fast-check';
import { coversRequirement } from '../../../lib/engine/policy/evaluate.js';
import { resourceIncludes } from '../../../lib/engine/policy/wildcard.js';
import type { NamedPolicy, PolicyDocument, Requirement } from '../../../lib/engine/types.js';

function families(resource: string): string[] {
  const parts = resource.split(':');
  if (parts[0] !== 'arn' || parts.length < 6) return [];
  const header = parts.slice(0, 5).join(':') + ':';
  let rest = resource.slice(header.length);
  let base = header;
  if (parts[2] !== 's3') {
    const m = /[/:]/.exec(rest);
    if (m) {
      base += rest.slice(0, m.index + 1);
      rest = rest.slice(m.index + 1);
    }
  }
  const out = [`${base}*`];
  for (let i = 0; i < rest.length && !'*?$'.includes(rest[i]!); i++)
    if ('/-_.:'.includes(rest[i]!)) out.push(`${base}${rest.slice(0, i + 1)}*`);
  return out;
}

/** Action → its required resources (the spelling synthesize uses for catalogued actions is the requirement's). */
export function requiredByAction(reqs: Requirement[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const r of reqs) {
    const resource = r.action === 'ecr:GetAuthorizationToken' ? '*' : r.resource;
    out.set(r.action, (out.get(r.action) ?? new Set()).add(resource));
  }
  return out;
}

/** Action → its families (the candidate universe). */
export function universe(reqs: Requirement[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const [action, resources] of requiredByAction(reqs)) {
    const all = new Set([...resources].flatMap(families));
    out.set(action, new Set([...all].filter((f) => ![...resources].some((r) => resourceIncludes(r, f)))));
  }
  return out;
}

/** Every (action, family) pair of the universe the policy allows, as `action family` strings. */
export function bruteForceExtra(reqs: Requirement[], document: PolicyDocument): Set<string> {
  const policy: NamedPolicy = { name: 'final', kind: 'inline', document };
  const out = new Set<string>();
  for (const [action, fams] of universe(reqs)) {
    for (const f of fams) {
      if (coversRequirement([policy], { action, resource: f, reasons: [] }).decision === 'allowed') out.add(`${action} ${f}`);
    }
  }
  return out;
}

// --- generated requirement sets: few name parts and delimiters, so names share prefixes at many depths ---

const ACCOUNT = '123456789012';
const why = [{ taskDefinition: 'gen:1', field: 'containerDefinitions[0]' }];
const nameArb = fc
  .array(fc.tuple(fc.constantFrom('a', 'b', 'app', 'db', 'x1'), fc.constantFrom('/', '-', '_', '.')), { minLength: 1, maxLength: 4 })
  .chain((parts) => fc.constantFrom('', 'z', 'q9').map((tail) => parts.map(([p, d]) => p + d).join('') + (tail || parts[0]![0])));
const regionArb = fc.constantFrom('eu-west-1', 'us-east-1');

const shapes = {
  ecr: (r: string, n: string): Requirement[] =>
    ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'].map((action) => ({
      action,
      resource: `arn:aws:ecr:${r}:${ACCOUNT}:repository/${n}`,
      reasons: why,
    })),
  secret: (r: string, n: string): Requirement[] => [
    { action: 'secretsmanager:GetSecretValue', resource: `arn:aws:secretsmanager:${r}:${ACCOUNT}:secret:${n}-??????`, reasons: why },
  ],
  parameter: (r: string, n: string): Requirement[] => [
    { action: 'ssm:GetParameters', resource: `arn:aws:ssm:${r}:${ACCOUNT}:parameter/${n}`, reasons: why },
  ],
  key: (r: string, n: string): Requirement[] => [{ action: 'kms:Decrypt', resource: `arn:aws:kms:${r}:${ACCOUNT}:key/${n}`, reasons: why }],
  logs: (r: string, n: string, create: boolean): Requirement[] => {
    const group = `arn:aws:logs:${r}:${ACCOUNT}:log-group:/ecs/${n}`;
    const out: Requirement[] = ['logs:CreateLogStream', 'logs:PutLogEvents'].map((action) => ({
      action,
      resource: `${group}:*`,
      reasons: why,
    }));
    if (create) out.push(...[group, `${group}:*`].map((resource) => ({ action: 'logs:CreateLogGroup', resource, reasons: why })));
    return out;
  },
  // Wildcards inside a name (a requirement can be a pattern): compaction must read these by glob, not by prefix.
  odd: (_r: string, n: string, star: boolean): Requirement[] => [
    { action: 's3:GetObject', resource: `arn:aws:s3:::${n.split(/[/._-]/)[0]!}/${star ? `${n}?*` : `?${n}*x`}`, reasons: why },
  ],
  object: (_r: string, n: string, whole: boolean): Requirement[] => {
    const bucket = n.split(/[/._-]/)[0]!;
    return [
      { action: 's3:GetObject', resource: `arn:aws:s3:::${bucket}/${n}${whole ? '/*' : ''}`, reasons: why },
      { action: 's3:GetBucketLocation', resource: `arn:aws:s3:::${bucket}`, reasons: why },
    ];
  },
};

/** Any mix of execution-role requirements (logs and S3 share ARN bases between statements). */
export const requirementsArb = fc
  .array(fc.tuple(fc.constantFrom('ecr', 'secret', 'parameter', 'key', 'logs', 'object', 'odd'), regionArb, nameArb, fc.boolean()), {
    minLength: 4,
    maxLength: 90,
  })
  .map((items) => [
    { action: 'ecr:GetAuthorizationToken', resource: '*', reasons: why },
    ...items.flatMap(([shape, r, n, flag]) =>
      shape === 'logs' || shape === 'object' || shape === 'odd' ? shapes[shape](r, n, flag) : shapes[shape](r, n),
    ),
  ]);

/**
 * Requirements where every ARN base belongs to one action set (statements never merge, undoing a widening is
 * local), in groups of numbered names of varied sizes, some with a family per member (`team-3/v`).
 */
export const separateRequirementsArb = fc
  .array(
    fc.tuple(
      fc.constantFrom('ecr', 'secret', 'parameter', 'key'),
      regionArb,
      nameArb,
      fc.integer({ min: 1, max: 30 }),
      fc.constantFrom('', '/v', '.x-y'),
    ),
    { minLength: 1, maxLength: 8 },
  )
  .map((groups) =>
    groups.flatMap(([shape, r, n, count, tail]) =>
      Array.from({ length: count }, (_, i) => shapes[shape as 'ecr' | 'secret' | 'parameter' | 'key'](r, `${n}-${i + 10}${tail}`)).flat(),
    ),
  );
