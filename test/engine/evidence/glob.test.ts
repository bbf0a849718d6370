import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { actionMatches, iamGlobMatch, resourceMatches } from '../../../lib/engine/evidence/index.js';

// Independent oracle: the same semantics written as a regular expression.
function oracle(pattern: string, value: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '[\\s\\S]*')
    .replace(/\?/g, '[\\s\\S]');
  return new RegExp(`^${re}$`).test(value);
}

describe('IAM glob matching', () => {
  it.each([
    [
      'arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db-??????',
      'arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db-AbC123',
      true,
    ],
    [
      'arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db-??????',
      'arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db-AbC12',
      false,
    ],
    [
      'arn:aws:logs:eu-west-1:111122223333:log-group:/ecs/app:*',
      'arn:aws:logs:eu-west-1:111122223333:log-group:/ecs/app:log-stream:ecs/app/1',
      true,
    ],
    ['arn:aws:logs:eu-west-1:111122223333:log-group:/ecs/app:*', 'arn:aws:logs:eu-west-1:111122223333:log-group:/ecs/app', false],
    ['*', 'anything/at:all', true],
    ['arn:aws:s3:::bucket/*', 'arn:aws:s3:::Bucket/x', false],
  ])('%s vs %s → %s', (p, v, want) => {
    expect(iamGlobMatch(p, v)).toBe(want);
  });

  it('matches actions case-insensitively, resources case-sensitively', () => {
    expect(actionMatches('ecr:BatchGetImage', 'ECR:batchgetimage')).toBe(true);
    expect(actionMatches('ecr:Get*', 'ecr:GetDownloadUrlForLayer')).toBe(true);
    expect(actionMatches('ecr:Get*', 'ecr:BatchGetImage')).toBe(false);
    expect(resourceMatches('arn:aws:ssm:eu-west-1:1:parameter/App', 'arn:aws:ssm:eu-west-1:1:parameter/app')).toBe(false);
  });

  it('a secret named without its suffix matches the -?????? pattern', () => {
    const p = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db-??????';
    expect(resourceMatches(p, 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db')).toBe(true);
    expect(resourceMatches(p, 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/other')).toBe(false);
  });

  it('agrees with a regular-expression oracle', () => {
    const alphabet = fc.constantFrom('a', 'b', '/', ':', '*', '?', '.');
    const valueAlphabet = fc.constantFrom('a', 'b', '/', ':', '.');
    fc.assert(
      fc.property(fc.string({ unit: alphabet, maxLength: 8 }), fc.string({ unit: valueAlphabet, maxLength: 10 }), (p, v) => {
        expect(iamGlobMatch(p, v)).toBe(oracle(p, v));
      }),
      { numRuns: 2000 },
    );
  });
});
