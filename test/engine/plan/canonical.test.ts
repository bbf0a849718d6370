import { describe, expect, it } from 'vitest';
import { canonicalJson, hashCanonical, sha256Hex } from '../../../lib/engine/plan/canonical.js';

describe('canonical JSON', () => {
  it('sorts keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1], c: null } })).toBe('{"a":{"c":null,"d":[3,1]},"b":1}');
  });

  it('drops undefined fields like JSON.stringify', () => {
    expect(canonicalJson({ a: undefined, b: 2 })).toBe('{"b":2}');
  });

  it('hashes with sha256 hex', () => {
    // sha256("abc") from FIPS 180-2, appendix B.1.
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hashCanonical({ y: 1, x: 2 })).toBe(hashCanonical({ x: 2, y: 1 }));
    expect(hashCanonical([1, 2])).not.toBe(hashCanonical([2, 1]));
  });
});
