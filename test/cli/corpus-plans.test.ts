// Issue 13 acceptance: for every corpus task definition, `leash plan` exits 0 when complete and 3 when something is
// unresolved, and the policy it prints allows every requirement and denies the neighbours, placeholder slots
// included. A template plan is judged the way a pipeline uses it: the same substitution fills the policy and the
// requirements; a different value in a placeholder's slot must then be denied. Every decision is taken by the
// engine's evaluator and by the independent IAM simulator (@cloud-copilot/iam-simulate, test-only oracle).
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../lib/engine/policy/evaluate.js';
import type { PolicyDocument } from '../../lib/engine/types.js';
import { leash } from '../support/cli.js';
import { corpusPath, listCorpus } from '../support/corpus.js';

interface PlanJson {
  complete: boolean;
  policy: PolicyDocument;
  requirements: { action: string; resource: string }[];
  unresolved: { kind: string; resource: string; reason: string; fields: string[] }[];
}

const FILES = listCorpus('task-definitions', '.json');

// Written from each file: 3 where a placeholder is in it, or the account or Region of a name-only reference is
// unknown; 0 otherwise (KMS lookups never make a plan incomplete).
const EXIT: Record<string, number> = {
  A01: 3, // no role, no ARN: the log group's account is unknown
  A02: 3,
  A03: 3, // XXXXXXXXXXXX
  A04: 3,
  A05: 3, // region / aws_account_id
  A06: 3, // ${Partition} ${Region} ${Account} ${SecretId}
  A07: 0,
  A08: 3, // XXXXX
  A09: 3, // {{…}}
  A10: 3,
  A11: 0,
  A12: 0,
  A13: 0,
  A14: 3, // $$$…$$$
  A15: 3,
  A16: 3,
  A18: 0,
  A19: 0,
  A20: 0,
  A21: 0,
  A22: 3, // REPOSITORY_URI:TAG, and SSM names without a Region
  A23: 0,
  A24: 0,
  A25: 0,
  A26: 3, // SSM names without a Region
  A27: 0,
  A28: 0,
  A29: 0,
  A30: 3, // the image is left empty for CI
};
// With the account and Region given, only the files with placeholders stay incomplete.
const EXIT_WITH_OPTIONS: Record<string, number> = { ...EXIT, A01: 0, A02: 0, A26: 0 };

const ACCT = '111122223333';

async function plan(file: string, ...options: string[]): Promise<{ code: number; plan: PlanJson }> {
  const r = await leash('plan', '--json', ...options, corpusPath('task-definitions', file));
  expect(r.err, file).toBe('');
  return { code: r.code, plan: JSON.parse(r.out) as PlanJson };
}

type Slot = 'partition' | 'region' | 'account' | 'name';
const VALUE: Record<Slot, [string, string]> = {
  // [the value the pipeline substitutes, a neighbour value that must be denied]
  partition: ['aws', 'aws-us-gov'],
  region: ['eu-west-1', 'ap-south-1'],
  account: ['123456789012', '999999999999'],
  name: ['subst', 'other'],
};

/** Which slot of the ARNs each placeholder fills (markers first: a placeholder may hold `:` itself). */
function slotsOf(tokens: string[], resources: string[]): Map<string, Slot> {
  const out = new Map<string, Slot>();
  for (const resource of resources) {
    let marked = resource;
    tokens.forEach((t, i) => (marked = marked.split(t).join(`@${i}@`)));
    const parts = marked.split(':');
    tokens.forEach((t, i) => {
      const at = parts.findIndex((p) => p === `@${i}@`);
      if (!marked.includes(`@${i}@`)) return;
      const slot: Slot = at === 1 ? 'partition' : at === 3 ? 'region' : at === 4 ? 'account' : 'name';
      out.set(t, slot);
    });
  }
  return out;
}

function substitute(s: string, values: Map<string, string>): string {
  // Longest placeholder first, as a pipeline's substitution would not touch part of another one.
  return [...values.entries()].sort((a, b) => b[0].length - a[0].length).reduce((acc, [t, v]) => acc.split(t).join(v), s);
}

/** A request AWS would evaluate for a requirement pattern (CreateLogStream is authorized on the stream ARN). */
function concrete(resource: string): string[] {
  if (resource.endsWith(':*') && resource.includes(':log-group:')) {
    const group = resource.slice(0, -2);
    return [`${group}:log-stream:ecs/app/0123456789abcdef0123456789abcdef`];
  }
  return [resource.replace(/-\?{6}$/, '-AbCdEf')];
}

/** Resources next to a needed one that the role must not reach. */
function neighbours(resource: string): string[] {
  if (resource.includes(':repository/')) return [`${resource}-other`, resource.replace(/repository\/.*$/, 'repository/other')];
  if (resource.includes(':log-group:')) {
    const group = resource.replace(/:\*$/, '');
    return [`${group}-other:log-stream:x`, `${group.replace(/log-group:.*$/, 'log-group:/ecs/other')}:log-stream:x`];
  }
  if (resource.includes(':secret:')) {
    const exact = resource.replace(/-\?{6}$/, '-AbCdEf');
    return [exact.replace(':secret:', ':secret:other-'), `${exact}X`];
  }
  if (resource.includes(':parameter/')) return [`${resource}2`, resource.replace(/parameter\/.*$/, 'parameter/other')];
  if (resource.startsWith('arn:aws:s3:::')) return [`${resource}-other`];
  return [];
}

async function oracle(document: PolicyDocument, action: string, resource: string): Promise<string> {
  const result = await runSimulation(
    {
      request: {
        principal: `arn:aws:iam::${ACCT}:role/exec`,
        action,
        resource: { resource, accountId: ACCT },
        contextVariables: {},
      },
      identityPolicies: [{ name: 'leash', policy: document }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
  return result.overallResult;
}

async function judge(file: string, p: PlanJson): Promise<void> {
  const placeholders = p.unresolved.filter((u) => u.kind === 'placeholder' && u.resource !== '');
  const tokens = placeholders.map((u) => u.resource);
  // Every placeholder a grant keeps is in the policy exactly as written, so the substitution reaches it.
  const policyText = JSON.stringify(p.policy);
  for (const u of placeholders.filter((x) => x.reason.includes('kept literally')))
    expect(policyText, `${file}: ${u.resource}`).toContain(JSON.stringify(u.resource).slice(1, -1));
  const slots = slotsOf(
    tokens,
    p.requirements.map((r) => r.resource),
  );
  const fill = new Map(tokens.map((t) => [t, VALUE[slots.get(t) ?? 'name'][0]]));
  const document: PolicyDocument = JSON.parse(
    substitute(policyText, new Map([...fill].map(([t, v]) => [JSON.stringify(t).slice(1, -1), v]))),
  ) as PolicyDocument;
  const policies = [{ name: 'leash', kind: 'inline' as const, document }];
  const decide = (action: string, resource: string) => evaluate(policies, { action, resource }).decision;
  const needed = p.requirements.map((r) => ({ action: r.action, resource: substitute(r.resource, fill) }));
  const isNeeded = (action: string, resource: string) => needed.some((q) => q.action === action && concrete(q.resource).includes(resource));

  for (const r of p.requirements) {
    const filled = substitute(r.resource, fill);
    for (const resource of concrete(filled)) {
      expect(decide(r.action, resource), `${file}: ${r.action} on ${resource}`).toBe('allowed');
      expect(await oracle(document, r.action, resource), `${file} (oracle): ${r.action} on ${resource}`).toBe('Allowed');
    }
    for (const other of neighbours(filled)) {
      if (isNeeded(r.action, other)) continue;
      expect(decide(r.action, other), `${file}: ${r.action} on neighbour ${other}`).toBe('implicit-deny');
    }
    // A different value in each placeholder's slot is another resource: denied.
    for (const t of tokens.filter((x) => r.resource.includes(x))) {
      const shifted = new Map(fill).set(t, VALUE[slots.get(t) ?? 'name'][1]);
      for (const other of concrete(substitute(r.resource, shifted))) {
        if (isNeeded(r.action, other)) continue;
        expect(decide(r.action, other), `${file}: ${r.action} on ${other} (${t} shifted)`).toBe('implicit-deny');
        expect(await oracle(document, r.action, other), `${file} (oracle): ${r.action} on ${other} (${t} shifted)`).toBe(
          'ImplicitlyDenied',
        );
      }
    }
  }
}

describe('leash plan over every corpus task definition', () => {
  it('has an expected exit code for every JSON file', () => {
    expect(Object.keys(EXIT).sort()).toEqual(FILES.map((f) => f.slice(0, 3)));
  });

  it.each(FILES)('%s: exit 0 or 3 as appropriate; the policy allows every requirement and denies the neighbours', async (file) => {
    const id = file.slice(0, 3);
    const { code, plan: p } = await plan(file);
    expect(code).toBe(EXIT[id]);
    expect(p.complete).toBe(code === 0);
    await judge(file, p);
    const filled = await plan(file, '--account', ACCT, '--region', 'eu-west-1');
    expect(filled.code).toBe(EXIT_WITH_OPTIONS[id]);
    expect(filled.plan.unresolved.filter((u) => u.kind.startsWith('needs-'))).toEqual([]);
    await judge(file, filled.plan);
  });
});
