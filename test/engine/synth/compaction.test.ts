// Compaction over generated requirement sets: it never under-grants, it lists exactly the extra access of the final
// policy (against a brute force written from the definition), it keeps no widening the budget does not need, and
// it picks the widenings that add the least.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LeashError } from '../../../lib/errors.js';
import { coversRequirement } from '../../../lib/engine/policy/evaluate.js';
import { resourceIncludes } from '../../../lib/engine/policy/wildcard.js';
import { policySize } from '../../../lib/engine/synth/size.js';
import { synthesize } from '../../../lib/engine/synth/synthesize.js';
import type { NamedPolicy, PolicyDocument, Requirement, SynthesizedPolicy } from '../../../lib/engine/types.js';
import { generatedRole } from '../../bench/generate.js';
import { intentOf } from '../../../lib/engine/assess.js';
import { bruteForceExtra, requiredByAction, requirementsArb, separateRequirementsArb, universe } from './extra-access.js';
import { ACCT, REGION, paramArn, shuffled } from './fixtures.js';

const asPolicy = (document: PolicyDocument): NamedPolicy => ({ name: 'leash', kind: 'inline', document });
const fullSize = (reqs: Requirement[]): number => synthesize(reqs, { maxSize: 1e9 }).size;

/** The smallest size compaction reaches: what the refusal says the policy needs at best. */
function smallestSize(reqs: Requirement[]): number {
  try {
    return synthesize(reqs, { maxSize: 0 }).size;
  } catch (err) {
    const m = /needs (\d+) characters, over the 0-character limit even after compaction/.exec((err as Error).message);
    if (!(err instanceof LeashError) || !m) throw err;
    return Number(m[1]);
  }
}

/** A budget between the smallest reachable size and the exact policy's (share 0 → smallest, 1 → exact − 1). */
function budget(reqs: Requirement[], share: number): number {
  const min = smallestSize(reqs);
  const full = fullSize(reqs);
  return Math.max(min, Math.floor(min + (full - 1 - min) * share));
}

function fitted(reqs: Requirement[], maxSize: number): SynthesizedPolicy {
  return synthesize(reqs, { maxSize });
}

const budgetArb = fc.double({ min: 0, max: 1, noNaN: true });

describe('compaction over generated requirement sets', () => {
  it('never under-grants, fits the budget, and reports its size exactly', () => {
    let compacted = 0;
    fc.assert(
      fc.property(requirementsArb, budgetArb, (reqs, share) => {
        const maxSize = budget(reqs, share);
        const out = fitted(reqs, maxSize);
        if (out.compaction.length) compacted++;
        expect(out.size).toBe(policySize(out.document));
        expect(out.size).toBeLessThanOrEqual(maxSize);
        const uncovered = reqs.filter((r) => coversRequirement([asPolicy(out.document)], r).decision !== 'allowed');
        expect(uncovered).toEqual([]);
      }),
      { numRuns: 150 },
    );
    expect(compacted).toBeGreaterThan(100);
  });

  it('lists exactly the extra access a brute force finds in the final policy, and what each pattern covers', () => {
    fc.assert(
      fc.property(requirementsArb, budgetArb, (reqs, share) => {
        const out = fitted(reqs, budget(reqs, share));
        const listed = new Set(out.compaction.flatMap((n) => (n.extra ?? []).map((f) => `${n.action} ${f}`)));
        expect([...listed].sort()).toEqual([...bruteForceExtra(reqs, out.document)].sort());
        const required = requiredByAction(reqs);
        const fams = universe(reqs);
        for (const note of out.compaction) {
          expect(note.extra).toEqual([...(fams.get(note.action) ?? [])].filter((f) => resourceIncludes(note.to, f)).sort());
          expect(note.from).toEqual([...(required.get(note.action) ?? [])].filter((r) => resourceIncludes(note.to, r)).sort());
          expect(note.extraAccess).toContain(note.to);
        }
        // One note for every (action, resource) the policy grants that no requirement names.
        const granted = out.document.Statement.flatMap((s) =>
          [s.Action ?? []].flat().flatMap((a) => [s.Resource ?? []].flat().map((r) => [a, r])),
        );
        const beyond = new Set(granted.filter(([a, r]) => !required.get(a!)?.has(r!)).map(([a, r]) => `${a} ${r}`));
        expect(new Set(out.compaction.map((n) => `${n.action} ${n.to}`))).toEqual(beyond);
      }),
      { numRuns: 120 },
    );
  });

  it('keeps no widening the budget does not need: undoing any one does not fit', () => {
    fc.assert(
      fc.property(separateRequirementsArb, budgetArb, (reqs, share) => {
        const maxSize = budget(reqs, share);
        const out = fitted(reqs, maxSize);
        for (const note of out.compaction) {
          if (!note.extra?.length) continue; // a pattern inside a required one adds nothing to undo
          const document: PolicyDocument = {
            ...out.document,
            Statement: out.document.Statement.map((s) => {
              const resources = [s.Resource ?? []].flat();
              if (![s.Action ?? []].flat().includes(note.action) || !resources.includes(note.to)) return s;
              const undone = [...resources.filter((r) => r !== note.to), ...note.from].sort();
              return { ...s, Resource: undone.length === 1 ? undone[0]! : undone };
            }),
          };
          expect(policySize(document), `undoing ${note.to}`).toBeGreaterThan(maxSize);
        }
      }),
      { numRuns: 120 },
    );
  });

  it('depends only on the set of requirements, not their order', () => {
    fc.assert(
      fc.property(requirementsArb, budgetArb, fc.integer({ min: 1, max: 1000 }), (reqs, share, seed) => {
        const maxSize = budget(reqs, share);
        const a = fitted(reqs, maxSize);
        expect(JSON.stringify(fitted(shuffled(reqs, seed), maxSize))).toBe(JSON.stringify(a));
      }),
      { numRuns: 60 },
    );
  });
});

const why = [{ taskDefinition: 'web:7', field: 'containerDefinitions[0]' }];
const object = (key: string): Requirement => ({ action: 's3:GetObject', resource: `arn:aws:s3:::${key}`, reasons: why });
const secret = (name: string): Requirement => ({
  action: 'secretsmanager:GetSecretValue',
  resource: `arn:aws:secretsmanager:${REGION}:${ACCT}:secret:${name}-??????`,
  reasons: why,
});

describe('compaction: which widening, and what it says', () => {
  it('widens part of a group when that is enough (config-0/* rather than config-*)', () => {
    const reqs = [0, 1, 2].flatMap((b) => Array.from({ length: 20 }, (_, i) => object(`config-${b}/app-${i}/app.env`)));
    const full = fullSize(reqs);
    const out = synthesize(reqs, { maxSize: full - 400 });
    const patterns = [...new Set(out.compaction.map((n) => n.to))];
    expect(patterns).toHaveLength(1);
    expect(patterns[0]).toMatch(/^arn:aws:s3:::config-\d\/app-\*$/);
    expect(out.document.Statement[0]!.Resource).toContain('arn:aws:s3:::config-2/app-7/app.env');
  });

  it('when one widening is enough, takes the one that adds least and names fewest, not the best ratio', () => {
    const param = (name: string): Requirement => ({ action: 'ssm:GetParameters', resource: paramArn(name), reasons: why });
    const reqs = [
      ...Array.from({ length: 40 }, (_, i) => param(`b/q-${i + 10}`)),
      ...Array.from({ length: 4 }, (_, i) => param(`c/x-${i + 10}`)),
    ];
    const out = synthesize(reqs, { maxSize: fullSize(reqs) - 100 });
    expect(out.compaction.map((n) => n.to)).toEqual([paramArn('c/x-*')]);
  });

  it('undoes a widening a later, larger one made unnecessary', () => {
    // 10 flat parameters (one family: a/p-*) are the best ratio and go first, but fall short; only b/q-* (40
    // parameters, 41 families) then fits, with room for the 10 again: a/p-* is undone.
    const param = (name: string): Requirement => ({ action: 'ssm:GetParameters', resource: paramArn(name), reasons: why });
    const reqs = [
      ...Array.from({ length: 10 }, (_, i) => param(`a/p-${i + 10}`)),
      ...Array.from({ length: 40 }, (_, i) => param(`b/q-${i + 10}/v`)),
    ];
    const out = synthesize(reqs, { maxSize: fullSize(reqs) - 600 });
    expect([...new Set(out.compaction.map((n) => n.to))]).toEqual([paramArn('b/q-*')]);
    expect(out.document.Statement[0]!.Resource).toContain(paramArn('a/p-10'));
  });

  it('widens the groups that open fewest name families per character saved', () => {
    // Names of the same length. Under prod/app- each secret adds two families (prod/app-10/*, prod/app-10/token-*),
    // under flat/svc- and else/svc- one (flat/svc-10abcdef-*): the two flat groups together open 22 families, the
    // nested one alone 25 for about the characters of one and a half flat groups, which is what must be saved.
    const base = `arn:aws:secretsmanager:${REGION}:${ACCT}:secret:`;
    const group = (name: (i: number) => string, n: number) => Array.from({ length: n }, (_, i) => secret(name(i + 10)));
    const reqs = [
      ...group((i) => `prod/app-${i}/token`, 12),
      ...group((i) => `flat/svc-${i}abcdef`, 10),
      ...group((i) => `else/svc-${i}abcdef`, 10),
    ];
    const out = synthesize(reqs, { maxSize: fullSize(reqs) - 1000 });
    expect(out.compaction.map((n) => n.to)).toEqual([`${base}else/svc-*`, `${base}flat/svc-*`]);
    expect(out.compaction.map((n) => n.extra?.length)).toEqual([11, 11]);
    expect(out.compaction[1]!.extra).toContain(`${base}flat/svc-*`);
    expect(out.compaction[1]!.extra).toContain(`${base}flat/svc-10abcdef-*`);
  });

  it('lists the name families a pattern opens beyond the requirements', () => {
    const reqs = [secret('prod/app-1/db'), secret('prod/app-2/db'), secret('prod/app-3/db')];
    const out = synthesize(reqs, { maxSize: fullSize(reqs) - 60 });
    const base = `arn:aws:secretsmanager:${REGION}:${ACCT}:secret:`;
    expect(out.compaction).toEqual([
      {
        action: 'secretsmanager:GetSecretValue',
        from: reqs.map((r) => r.resource),
        to: `${base}prod/app-*`,
        extraAccess: expect.stringContaining(`every Secrets Manager secret matching ${base}prod/app-*`) as string,
        extra: [1, 2, 3]
          .flatMap((i) => [`${base}prod/app-${i}/*`, `${base}prod/app-${i}/db-*`])
          .concat(`${base}prod/app-*`)
          .sort(),
      },
    ]);
    expect(out.compaction[0]!.extraAccess).toMatch(/not only the 3 named: 7 name families beyond the requirements$/);
  });

  it('uses the budget for a role shared by 1,000 task definitions and keeps S3 objects named', () => {
    const policy = synthesize(intentOf({ taskDefinitions: generatedRole(1000) }).requirements);
    expect(policy.size).toBeLessThanOrEqual(10_240);
    expect(policy.size).toBeGreaterThan(10_240 * 0.95);
    const resources = policy.document.Statement.flatMap((s) => [s.Resource ?? []].flat());
    expect(resources.filter((r) => r.startsWith('arn:aws:s3:::config-') && r.includes('*'))).toEqual([]);
    expect(resources.filter((r) => r.startsWith('arn:aws:s3:::config-')).length).toBeGreaterThan(200);
  });
});
