// Merging requirements and lookups: the same result as the plain definition (first-seen reasons, deduplicated on
// task definition, container, field and note; sorted by action then resource), also past the 16 reasons where a
// set of keys takes over, and for reasons that differ only by an absent versus an empty field.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeLookups, mergeRequirements } from '../../../lib/engine/intent/merge.js';
import type { Lookup, Reason, Requirement } from '../../../lib/engine/types.js';

const same = (a: Reason, b: Reason) =>
  a.taskDefinition === b.taskDefinition && a.container === b.container && a.field === b.field && a.note === b.note;

function reference(reqs: Requirement[]): Requirement[] {
  const out: Requirement[] = [];
  for (const r of reqs) {
    let m = out.find((x) => x.action === r.action && x.resource === r.resource);
    if (!m) out.push((m = { action: r.action, resource: r.resource, reasons: [] }));
    for (const reason of r.reasons) if (!m.reasons.some((x) => same(x, reason))) m.reasons.push(reason);
    if (r.crossAccount) m.crossAccount = true;
  }
  return out.sort((a, b) =>
    a.action < b.action ? -1 : a.action > b.action ? 1 : a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0,
  );
}

const text = fc.constantFrom('a', 'b', '', 'a:1', '1:a', 'é');
const reasonArb = fc.record(
  { taskDefinition: text, container: text, field: text, note: text },
  { requiredKeys: ['taskDefinition', 'field'] },
);
const reqArb = fc.record({
  action: fc.constantFrom('ecr:BatchGetImage', 'logs:PutLogEvents', 's3:GetObject'),
  resource: fc.constantFrom('*', 'arn:aws:s3:::b/k', 'arn:aws:s3:::b/j', 'B'),
  reasons: fc.array(reasonArb, { maxLength: 40 }),
  crossAccount: fc.option(fc.constant(true), { nil: undefined }),
});

describe('mergeRequirements and mergeLookups', () => {
  it('equal the plain definition, with many reasons and absent-versus-empty fields', () => {
    fc.assert(
      fc.property(fc.array(reqArb, { maxLength: 30 }), (reqs) => {
        const clean = reqs.map(({ crossAccount, ...r }) => (crossAccount ? { ...r, crossAccount } : r));
        expect(mergeRequirements(clean)).toEqual(reference(clean));
      }),
      { numRuns: 300 },
    );
  });

  it('unites thousands of reasons once each, in first-seen order', () => {
    const reasons = Array.from({ length: 3000 }, (_, i) => ({ taskDefinition: `app-${i % 1000}:1`, field: 'image' }));
    const merged = mergeRequirements([{ action: 'ecr:GetAuthorizationToken', resource: '*', reasons }]);
    expect(merged[0]!.reasons.map((r) => r.taskDefinition)).toEqual(Array.from({ length: 1000 }, (_, i) => `app-${i}:1`));
  });

  it('keeps lookups in first-seen order with their reasons united', () => {
    const why = (td: string): Reason => ({ taskDefinition: td, field: 'secrets[0].valueFrom' });
    const lookups: Lookup[] = [
      { kind: 'kms-key-for-secret', resource: 'arn:b', reasons: [why('x')] },
      { kind: 'kms-key-for-secret', resource: 'arn:a', reasons: [why('y')] },
      ...Array.from({ length: 20 }, (_, i) => ({ kind: 'kms-key-for-secret' as const, resource: 'arn:b', reasons: [why(`t${i % 10}`)] })),
    ];
    const merged = mergeLookups(lookups);
    expect(merged.map((l) => l.resource)).toEqual(['arn:b', 'arn:a']);
    expect(merged[0]!.reasons.map((r) => r.taskDefinition)).toEqual(['x', ...Array.from({ length: 10 }, (_, i) => `t${i}`)]);
  });
});
