import { describe, expect, it } from 'vitest';
import { claimIsRole, inertText, principalClaims } from '../../../lib/engine/evidence/index.js';

const ROLE = 'arn:aws:iam::123456789012:role/ecs/web-exec';

describe('principalClaims', () => {
  it('finds every IAM/STS ARN and the "User:" slot, in the raw and in the folded text', () => {
    const text =
      'User: arn:aws:sts::123456789012:assumed-role/web-exec/abc is not authorized … also arn:aws:iam::123456789012:role/x and ＡＲＮ:aws:iam::1:root';
    const { claims, disguised } = principalClaims(text);
    expect(claims).toContain('arn:aws:sts::123456789012:assumed-role/web-exec/abc');
    expect(claims).toContain('arn:aws:iam::123456789012:role/x');
    expect(claims).toContain('ARN:aws:iam::1:root');
    expect(disguised).toBe(true);
  });

  it('resource ARNs of other services are not principals', () => {
    expect(principalClaims('on resource: arn:aws:secretsmanager:eu-west-1:123456789012:secret:x-AbCdEf').claims).toEqual([]);
  });
});

describe('claimIsRole', () => {
  it.each([
    ['arn:aws:iam::123456789012:role/ecs/web-exec', true],
    ['arn:aws:sts::123456789012:assumed-role/web-exec/0f1e2d', true],
    ['arn:aws:iam::123456789012:role/web-exec', false], // path differs: a different role ARN
    ['arn:aws:sts::123456789012:assumed-role/web-exec/', false],
    ['arn:aws:sts::123456789012:assumed-role/web-exec/a b', false],
    ['arn:aws:sts::123456789012:assumed-role/web-exec-2/x', false],
    ['arn:aws:sts::123456789012:assumed-role/web-ex', false],
  ])('%s → %s', (claim, ok) => {
    expect(claimIsRole(claim, ROLE)).toBe(ok);
  });

  it('a cut claim agrees only when the text was cut and the claim is a prefix of the session', () => {
    expect(claimIsRole('arn:aws:sts::123456789012:assumed-role/web-ex', ROLE, true)).toBe(true);
    expect(claimIsRole('arn:aws:sts::123456789012:assumed-role/web-ez', ROLE, true)).toBe(false);
    expect(claimIsRole('arn:aws:sts::', ROLE, true)).toBe(false);
  });
});

describe('inertText', () => {
  it('escapes control, bidi and zero-width characters, defangs URL schemes and caps the length', () => {
    expect(inertText('a\u202eb\u200bc\u0007d\ne')).toBe('a\\u{202e}b\\u{200b}c\\u{7}d e');
    expect(inertText('see https://evil.example/x and javascript://y')).toBe('see https[:]//evil.example/x and javascript[:]//y');
    expect(inertText('x'.repeat(30), 10)).toBe(`${'x'.repeat(10)}… (20 more characters)`);
  });
});
