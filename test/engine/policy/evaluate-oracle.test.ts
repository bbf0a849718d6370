// Property test: `evaluate` against an independent IAM simulator (@cloud-copilot/iam-simulate, AGPL,
// devDependency, imported ONLY here as a test oracle). Random identity policies (Allow/Deny,
// Action/NotAction, Resource/NotResource, `*`/`?` wildcards, mixed-case actions, optional permissions
// boundary) and random valid requests; conditions are left out, so both sides must agree exactly.
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../lib/engine/policy/evaluate.js';
import type { Decision, NamedPolicy, PolicyDocument, PolicyStatement } from '../../../lib/engine/types.js';

const ACCOUNT = '123456789012';
const PRINCIPAL = `arn:aws:iam::${ACCOUNT}:role/exec`;

// Each kind: actions valid for the ARN it builds (the oracle validates action ↔ resource type).
interface Kind {
  actions: string[];
  arn: (region: string, name: string) => string;
  /** Length of the literal resource-type prefix after the fifth colon (kept free of wildcards). */
  product: number;
}
const KINDS: Kind[] = [
  {
    actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:PutImage'],
    arn: (r, n) => `arn:aws:ecr:${r}:${ACCOUNT}:repository/${n}`,
    product: 'repository/'.length,
  },
  {
    actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    arn: (r, n) => `arn:aws:logs:${r}:${ACCOUNT}:log-group:/ecs/${n}:log-stream:s/${n}`,
    product: 'log-group:'.length,
  },
  {
    actions: ['logs:CreateLogGroup', 'logs:DeleteLogGroup'],
    arn: (r, n) => `arn:aws:logs:${r}:${ACCOUNT}:log-group:/ecs/${n}`,
    product: 'log-group:'.length,
  },
  {
    actions: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'],
    arn: (r, n) => `arn:aws:secretsmanager:${r}:${ACCOUNT}:secret:${n}-AbCdEf`,
    product: 'secret:'.length,
  },
  {
    actions: ['ssm:GetParameters', 'ssm:PutParameter'],
    arn: (r, n) => `arn:aws:ssm:${r}:${ACCOUNT}:parameter/${n}`,
    product: 'parameter/'.length,
  },
  { actions: ['kms:Decrypt'], arn: (r, n) => `arn:aws:kms:${r}:${ACCOUNT}:key/${n}`, product: 'key/'.length },
  { actions: ['s3:GetObject', 's3:PutObject'], arn: (_r, n) => `arn:aws:s3:::bucket/${n}`, product: 0 },
];
const REGIONS = ['us-east-1', 'eu-west-1'];
const NAMES = ['app', 'App', 'team/app', 'team/web', 'db', 'db-x', 'a:b', 'ab'];
const ACTION_PATTERNS = [
  '*',
  'ecr:*',
  'ecr:Batch*',
  'ecr:Get*',
  'ECR:batchgetimage',
  'ecr:?utImage',
  'logs:*',
  'logs:Put*',
  'logs:*Log*',
  'logs:createlogstream',
  's3:Get?bject',
  's3:*Object',
  'secretsmanager:*',
  'secretsmanager:GetSecretValue',
  'ssm:Get*',
  'ssm:*Parameter*',
  'kms:Decrypt',
  'kms:*',
  'ecr:GetAuthorizationToken',
  'ecr:*Token',
];

const requestArb = fc.oneof(
  {
    weight: 9,
    arbitrary: fc
      .record({ kind: fc.nat(KINDS.length - 1), a: fc.nat(9), region: fc.constantFrom(...REGIONS), name: fc.constantFrom(...NAMES) })
      .map(({ kind, a, region, name }) => {
        const k = KINDS[kind]!;
        return { action: k.actions[a % k.actions.length]!, resource: k.arn(region, name) };
      }),
  },
  { weight: 1, arbitrary: fc.constant({ action: 'ecr:GetAuthorizationToken', resource: '*' }) },
);

// A resource pattern: an ARN of some kind with wildcards put in the header segments or the resource id.
const mutation = fc.record({ at: fc.nat(60), len: fc.nat(6), op: fc.constantFrom('star', 'qmark', 'upper') });
const resourcePatternArb = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom('*', 'arn:aws:ecr:*', 'arn:aws:logs:*', 'arn:aws:s3:::*', 'arn:*') },
  {
    weight: 6,
    arbitrary: fc
      .record({
        kind: fc.nat(KINDS.length - 1),
        region: fc.constantFrom(...REGIONS, '*', 'us-*', '??-west-1'),
        name: fc.constantFrom(...NAMES),
        muts: fc.array(mutation, { maxLength: 2 }),
      })
      .map(({ kind, region, name, muts }) => {
        const k = KINDS[kind]!;
        const arn = k.arn(region, name);
        const header = arn.split(':').slice(0, 5).join(':').length + 1 + k.product;
        let id = arn.slice(header);
        for (const m of muts) {
          const at = m.at % (id.length + 1);
          if (m.op === 'star') id = `${id.slice(0, at)}*${id.slice(at + m.len)}`;
          else if (m.op === 'qmark' && at < id.length) id = `${id.slice(0, at)}?${id.slice(at + 1)}`;
          else if (m.op === 'upper') id = id.toUpperCase();
        }
        return arn.slice(0, header) + id;
      }),
  },
);

const listArb = <T>(arb: fc.Arbitrary<T>) => fc.array(arb, { minLength: 1, maxLength: 3 });
const statementArb: fc.Arbitrary<PolicyStatement> = fc
  .record({
    effect: fc.constantFrom<'Allow' | 'Deny'>('Allow', 'Allow', 'Deny'),
    notAction: fc.boolean(),
    notResource: fc.boolean(),
    actions: listArb(fc.constantFrom(...ACTION_PATTERNS)),
    resources: listArb(resourcePatternArb),
  })
  .map(({ effect, notAction, notResource, actions, resources }) => {
    const s: PolicyStatement = { Effect: effect };
    // NotAction/NotResource only now and then, so the positive forms dominate.
    if (notAction && actions.length > 1) s.NotAction = actions;
    else s.Action = actions.length === 1 ? actions[0]! : actions;
    if (notResource && resources.length > 1) s.NotResource = resources;
    else s.Resource = resources.length === 1 ? resources[0]! : resources;
    return s;
  });
const documentArb: fc.Arbitrary<PolicyDocument> = fc
  .array(statementArb, { minLength: 1, maxLength: 4 })
  .map((Statement) => ({ Version: '2012-10-17', Statement }));

const ORACLE: Record<string, Decision> = { Allowed: 'allowed', ExplicitlyDenied: 'explicit-deny', ImplicitlyDenied: 'implicit-deny' };

// Oracle defect found by this test: iam-simulate expands a short ARN (`arn:aws:logs:*`) to
// `arn:aws:logs:*:*:*` for Resource, but in NotResource the expanded mismatch is not inverted, so
// `NotResource: "arn:aws:logs:*"` and `NotResource: "arn:aws:logs:*:*:*"` get different answers from it.
// IAM documents that a trailing `*` expands beyond colons, so both mean the same: hand the oracle the
// padded form (its own expansion), and keep the short form on our side.
function padShortArns(doc: PolicyDocument): PolicyDocument {
  const pad = (r: string): string => {
    if (!r.startsWith('arn:')) return r;
    const parts = r.split(':');
    while (parts.length < 6) parts.push('*');
    return parts.join(':');
  };
  const padAll = (v: string | string[] | undefined) => (v === undefined ? undefined : Array.isArray(v) ? v.map(pad) : pad(v));
  return {
    ...doc,
    Statement: doc.Statement.map((s) => {
      const out: PolicyStatement = { ...s };
      if (s.Resource !== undefined) out.Resource = padAll(s.Resource)!;
      if (s.NotResource !== undefined) out.NotResource = padAll(s.NotResource)!;
      return out;
    }),
  };
}

const DEFAULT_KEY_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'EnableIAMUserPermissions',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Action: 'kms:*',
      Resource: '*',
    },
  ],
};

async function oracle(
  docs: PolicyDocument[],
  boundary: PolicyDocument | undefined,
  req: { action: string; resource: string },
): Promise<Decision> {
  const simulation: Simulation = {
    request: { principal: PRINCIPAL, action: req.action, resource: { resource: req.resource, accountId: ACCOUNT }, contextVariables: {} },
    identityPolicies: docs.map((policy, i) => ({ name: `p${i}`, policy: padShortArns(policy) })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    // KMS needs a key policy even for same-account access; the default one delegates to IAM policies.
    ...(req.action.startsWith('kms:') ? { resourcePolicy: DEFAULT_KEY_POLICY } : {}),
    ...(boundary ? { permissionBoundaryPolicies: [{ name: 'boundary', policy: padShortArns(boundary) }] } : {}),
  };
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error') throw new Error(`oracle rejected the case: ${JSON.stringify(result.errors)}`);
  const decision = ORACLE[result.overallResult];
  if (!decision) throw new Error(`unexpected oracle result ${result.overallResult}`);
  return decision;
}

describe('evaluate agrees with the iam-simulate oracle', () => {
  it('on random policies, boundaries and requests', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(documentArb, { minLength: 1, maxLength: 2 }),
        fc.option(documentArb, { freq: 4 }),
        requestArb,
        async (docs, boundary, req) => {
          const policies: NamedPolicy[] = docs.map((document, i) => ({ name: `p${i}`, kind: 'inline', document }));
          const ours = evaluate(
            policies,
            req,
            boundary ? { boundary: { name: 'boundary', kind: 'managed', document: boundary } } : undefined,
          );
          expect(ours.decision).toBe(await oracle(docs, boundary ?? undefined, req));
        },
      ),
      { numRuns: 2000, seed: 20260901 },
    );
  });
});
