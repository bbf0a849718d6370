// The size model must equal IAM's count (policySize) of what render() writes: compaction decides with it alone.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { policySize } from '../../../lib/engine/policy/size.js';
import { render } from '../../../lib/engine/synth/render.js';
import { draftsSize, jsonLength } from '../../../lib/engine/synth/size-model.js';

// Strings as a task definition could carry them: ARNs, spaces, quotes, backslashes, control and non-ASCII characters.
const textArb = fc.oneof(
  fc.string({ minLength: 1, maxLength: 20 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }),
  fc.constantFrom('*', 'arn:aws:s3:::b/a b', 'x"y', 'a\\b', '\t\n', '\u2028', 'é', '𝔸', 'ecr:GetAuthorizationToken', 's3:GetObject'),
);
const actionArb = fc.oneof(
  fc.constantFrom(
    'ecr:GetAuthorizationToken',
    'ecr:BatchGetImage',
    'logs:PutLogEvents',
    'ssm:GetParameters',
    's3:GetObject',
    'kms:Decrypt',
  ),
  textArb,
);
const draftArb = fc.record({
  actions: fc.uniqueArray(actionArb, { minLength: 1, maxLength: 4 }).map((a) => a.sort()),
  resources: fc.uniqueArray(textArb, { minLength: 1, maxLength: 6 }).map((r) => r.sort()),
});

describe('size model', () => {
  it('jsonLength is the length of the JSON string without white space', () => {
    fc.assert(fc.property(textArb, (s) => jsonLength(s) === JSON.stringify(s).replace(/\s/g, '').length));
  });

  it('draftsSize equals policySize of the rendered policy, Sid numbering included', () => {
    fc.assert(
      fc.property(fc.array(draftArb, { maxLength: 14 }), fc.constantFrom('', 'Leash', 'X1'), (list, sidPrefix) => {
        expect(draftsSize(list, sidPrefix)).toBe(policySize(render(list, sidPrefix)));
      }),
      { numRuns: 500 },
    );
  });
});
