// Random task definitions through the pure pipeline (intentOf → synthesize): the policy is valid JSON,
// within IAM's inline budget, uses only execution-role actions, and allows every requirement it was built from.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { intentOf } from '../../lib/engine/assess.js';
import { synthesize } from '../../lib/engine/synth/synthesize.js';

/** Task definitions → intent → least-privilege policy (what `leash plan` prints). */
const analyze = (input: Parameters<typeof intentOf>[0]) => {
  const intent = intentOf(input);
  return { intent, policy: synthesize(intent.requirements) };
};
import { coversRequirement } from '../../lib/engine/policy/evaluate.js';
import type { NamedPolicy, TaskDefinition } from '../../lib/engine/types.js';
import { LeashError } from '../../lib/errors.js';
import { taskDefinition } from './arbitraries.js';

// The execution-role vocabulary, written from the spec (§2.3), not imported from the code under test.
const VOCABULARY = new Set([
  'ecr:GetAuthorizationToken',
  'ecr:BatchCheckLayerAvailability',
  'ecr:GetDownloadUrlForLayer',
  'ecr:BatchGetImage',
  'ecr:BatchImportUpstreamImage',
  'ecr:CreateRepository',
  'logs:CreateLogStream',
  'logs:PutLogEvents',
  'logs:CreateLogGroup',
  'ssm:GetParameters',
  'secretsmanager:GetSecretValue',
  'kms:Decrypt',
  's3:GetObject',
  's3:GetBucketLocation',
]);

const nonWhitespace = (s: string) => s.replace(/\s/g, '').length;

function checkPlan(tds: TaskDefinition[]): void {
  const sourced = tds.map((td, i) => ({ source: `fuzz-${i}.json`, taskDefinition: td }));
  const { intent, policy } = analyze({ taskDefinitions: sourced });
  const text = JSON.stringify(policy.document);
  expect(JSON.parse(text)).toEqual(policy.document);
  expect(policy.size).toBe(nonWhitespace(text));
  expect(policy.size).toBeLessThanOrEqual(10_240);
  for (const s of policy.document.Statement) {
    expect(s.Effect).toBe('Allow');
    for (const a of [s.Action ?? []].flat()) expect(VOCABULARY, a).toContain(a);
  }
  const synthesized: NamedPolicy = { name: 'leash', kind: 'inline', document: policy.document };
  for (const r of intent.requirements) {
    const resource = r.action === 'ecr:GetAuthorizationToken' ? '*' : r.resource;
    expect(coversRequirement([synthesized], { action: r.action, resource }).decision, `${r.action} on ${resource}`).toBe('allowed');
  }
}

describe('plan under random task definitions', () => {
  it('one task definition: valid, within budget, in vocabulary, covering every requirement', () => {
    fc.assert(
      fc.property(taskDefinition, (td) => checkPlan([td])),
      { numRuns: 400, seed: 1120 },
    );
  });

  it('a role shared by up to 60 task definitions (compaction may kick in) keeps the same guarantees', () => {
    fc.assert(
      fc.property(fc.array(taskDefinition, { minLength: 2, maxLength: 60 }), (tds) => {
        try {
          checkPlan(tds);
        } catch (err) {
          // Only a policy that cannot fit even after compaction may refuse, and it must say so.
          if (err instanceof LeashError && /over the 10240-character limit even after compaction/.test(err.message)) return;
          throw err;
        }
      }),
      { numRuns: 60, seed: 2026 },
    );
  });
});
