import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  actionMatches,
  globIncludes,
  globMatch,
  globOverlaps,
  hasPolicyVariable,
  literalStarPrefix,
  resourceIncludes,
  resourceMatches,
  resourceOverlaps,
} from '../../../lib/engine/policy/wildcard.js';

const SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:';
const LOGS = 'arn:aws:logs:us-east-1:123456789012:log-group:';
const ECR = 'arn:aws:ecr:us-east-1:123456789012:repository/';

describe('resourceMatches (concrete request)', () => {
  it('lets * in the resource part span colons and slashes (log-stream under log-group:G:*)', () => {
    expect(resourceMatches(`${LOGS}/ecs/web:*`, `${LOGS}/ecs/web:log-stream:ecs/web/0123abcd`)).toBe(true);
    expect(resourceMatches(`${LOGS}/ecs/*`, `${LOGS}/ecs/team/web:log-stream:x`)).toBe(true);
    expect(resourceMatches(`${LOGS}/ecs/web:*`, `${LOGS}/ecs/web2:log-stream:x`)).toBe(false);
  });

  it('makes ? match exactly one character (the Secrets Manager -?????? suffix)', () => {
    expect(resourceMatches(`${SECRET}db-??????`, `${SECRET}db-AbCdEf`)).toBe(true);
    expect(resourceMatches(`${SECRET}db-??????`, `${SECRET}db-AbCdE`)).toBe(false);
    expect(resourceMatches(`${SECRET}db-??????`, `${SECRET}db-other-AbCdEf`)).toBe(false);
  });

  it('is case-sensitive for resources, while actions are case-insensitive', () => {
    expect(resourceMatches(`${ECR}app`, `${ECR}App`)).toBe(false);
    expect(actionMatches('ECR:batchGETimage', 'ecr:BatchGetImage')).toBe(true);
    expect(actionMatches('logs:Put*', 'logs:putlogevents')).toBe(true);
    expect(actionMatches('logs:Put*', 'logs:CreateLogStream')).toBe(false);
  });

  it('keeps wildcards of the region/account segments inside their segment', () => {
    expect(resourceMatches('arn:aws:ecr:us-*-1:123456789012:repository/app', `${ECR}app`)).toBe(true);
    expect(resourceMatches('arn:aws:ecr:us-*-1:123456789012:repository/app', 'arn:aws:ecr:us-east-2:123456789012:repository/app')).toBe(
      false,
    );
    expect(resourceMatches('arn:aws:ecr:*:*:repository/app', `${ECR}app`)).toBe(true);
    expect(resourceMatches('arn:aws:ecr:*:*:repository/app', `${ECR}app2`)).toBe(false);
  });

  it('expands a short ARN pattern whose last segment is * to the whole ARN', () => {
    expect(resourceMatches('arn:aws:s3:*', 'arn:aws:s3:::bucket/key')).toBe(true);
    expect(resourceMatches('arn:aws:logs:*', `${ECR}app`)).toBe(false);
    expect(resourceMatches('arn:*', `${ECR}app`)).toBe(true);
  });

  it('treats the request resource "*" literally (actions without resource-level permissions)', () => {
    expect(resourceMatches('*', '*')).toBe(true);
    expect(resourceMatches('arn:*', '*')).toBe(false);
    expect(resourceMatches(`${ECR}*`, '*')).toBe(false);
  });

  it('reads ${*} ${?} ${$} as literal characters and flags real policy variables', () => {
    expect(resourceMatches('arn:aws:s3:::b/${*}', 'arn:aws:s3:::b/*')).toBe(true);
    expect(resourceMatches('arn:aws:s3:::b/${*}', 'arn:aws:s3:::b/x')).toBe(false);
    expect(hasPolicyVariable('arn:aws:s3:::b/${aws:username}/*')).toBe(true);
    expect(hasPolicyVariable('arn:aws:s3:::b/${*}')).toBe(false);
  });
});

describe('resourceIncludes (requirement patterns)', () => {
  it('accepts a grant whose * absorbs the requirement pattern', () => {
    expect(resourceIncludes(`${LOGS}/ecs/*`, `${LOGS}/ecs/web:*`)).toBe(true);
    expect(resourceIncludes(`${SECRET}db-*`, `${SECRET}db-??????`)).toBe(true);
    expect(resourceIncludes(`${ECR}*`, `${ECR}team/*`)).toBe(true);
    expect(resourceIncludes('*', `${ECR}team/*`)).toBe(true);
  });

  it('rejects a grant that covers only some resources of the requirement', () => {
    expect(resourceIncludes(`${SECRET}db-??????`, `${SECRET}db-*`)).toBe(false);
    expect(resourceIncludes(`${SECRET}db-AbCdEf`, `${SECRET}db-??????`)).toBe(false);
    expect(resourceIncludes(`${ECR}team/app`, `${ECR}team/*`)).toBe(false);
    expect(resourceIncludes(`${ECR}team/*`, `${ECR}*`)).toBe(false);
    expect(resourceIncludes(`${LOGS}/ecs/web:log-stream:*`, `${LOGS}/ecs/web:*`)).toBe(false);
  });

  it('normalizes runs of wildcards (a?* and a*? are the same language)', () => {
    expect(globIncludes('a*?', 'a?*')).toBe(true);
    expect(globIncludes('a?*', 'a*?')).toBe(true);
    expect(globIncludes('a??*', 'a?*')).toBe(false);
  });
});

describe('resourceOverlaps', () => {
  it('finds a common resource when there is one, even across ? and *', () => {
    // "other-" is exactly six characters, so db-other- is both db-?????? and db-other-*.
    expect(resourceOverlaps(`${SECRET}db-other-*`, `${SECRET}db-??????`)).toBe(true);
    expect(resourceOverlaps(`${SECRET}db-AbC*`, `${SECRET}db-??????`)).toBe(true);
    expect(resourceOverlaps(`${SECRET}prod/*`, `${SECRET}dev/*`)).toBe(false);
    expect(resourceOverlaps(`${SECRET}db-other-?*`, `${SECRET}db-??????`)).toBe(false);
  });
});

// Independent reference: a regex built from the pattern, and brute force over a tiny alphabet. Patterns
// have at most 4 symbols, so a word both patterns accept (if any) needs at most 8 characters.
const ALPHA = ['a', 'b'];
const patternArb = fc.array(fc.constantFrom('a', 'b', '*', '?'), { maxLength: 4 }).map((c) => c.join(''));
const wordArb = fc.array(fc.constantFrom(...ALPHA), { maxLength: 8 }).map((c) => c.join(''));
const toRegex = (p: string): RegExp => new RegExp(`^${[...p].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c)).join('')}$`, 's');
function words(maxLen: number): string[] {
  let out = [''];
  let layer = [''];
  for (let n = 0; n < maxLen; n++) {
    layer = layer.flatMap((w) => ALPHA.map((c) => w + c));
    out = out.concat(layer);
  }
  return out;
}
const ALL_WORDS = words(8);

describe('glob properties against a regex reference', () => {
  it('globMatch agrees with the regex translation', () => {
    fc.assert(
      fc.property(patternArb, wordArb, (p, w) => globMatch(p, w) === toRegex(p).test(w)),
      { numRuns: 3000 },
    );
  });

  it('globIncludes is sound: every word of the inner pattern is a word of the outer one', () => {
    fc.assert(
      fc.property(patternArb, patternArb, (outer, inner) => {
        if (!globIncludes(outer, inner)) return true;
        const o = toRegex(outer);
        const i = toRegex(inner);
        return ALL_WORDS.every((w) => !i.test(w) || o.test(w));
      }),
      { numRuns: 1500 },
    );
  });

  it('globOverlaps is exact on words up to the bound', () => {
    fc.assert(
      fc.property(patternArb, patternArb, (a, b) => {
        const ra = toRegex(a);
        const rb = toRegex(b);
        const witness = ALL_WORDS.some((w) => ra.test(w) && rb.test(w));
        return globOverlaps(a, b) === witness;
      }),
      { numRuns: 1500 },
    );
  });
});

// ARN-level inclusion and overlap, checked against resourceMatches (itself checked against the IAM
// simulator in evaluate-oracle.test.ts) over a pool of concrete ARNs.
const NAMES = ['web', 'web2', 'team/web', 'team/api', 'a:b', 'db-AbCdEf', 'db-other-AbCdEf'];
const REGIONS = ['us-east-1', 'eu-west-1'];
const POOL = REGIONS.flatMap((r) =>
  NAMES.flatMap((n) => [`arn:aws:ecr:${r}:123456789012:repository/${n}`, `arn:aws:secretsmanager:${r}:123456789012:secret:${n}`]),
);
const arnPatternArb = fc
  .record({
    base: fc.constantFrom(...POOL),
    cut: fc.nat(80),
    tail: fc.constantFrom('*', '', '?', '??????', '-*', '/*', ':*'),
    region: fc.constantFrom(undefined, '*', 'us-*'),
  })
  .map(({ base, cut, tail, region }) => {
    const parts = base.split(':');
    if (region) parts[3] = region;
    const s = parts.join(':');
    const head = s.split(':').slice(0, 5).join(':').length + 1;
    return s.slice(0, head + (cut % (s.length - head + 1))) + tail;
  });

describe('ARN inclusion and overlap agree with matching', () => {
  it('resourceIncludes is sound and resourceOverlaps finds every shared resource of the pool', () => {
    fc.assert(
      fc.property(arnPatternArb, arnPatternArb, (p, q) => {
        const inQ = POOL.filter((r) => resourceMatches(q, r));
        if (resourceIncludes(p, q)) expect(inQ.filter((r) => !resourceMatches(p, r))).toEqual([]);
        if (inQ.some((r) => resourceMatches(p, r))) expect(resourceOverlaps(p, q)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('literalStarPrefix (the prefix test compaction and coverage use)', () => {
  it('is defined only for `<literal>*` spanning the ARN header', () => {
    expect(literalStarPrefix(`${ECR}team/*`)).toBe(`${ECR}team/`);
    expect(literalStarPrefix('arn:aws:s3:::*')).toBe('arn:aws:s3:::');
    expect(literalStarPrefix('arn:aws:s3:*')).toBeUndefined();
    expect(literalStarPrefix(`${SECRET}db-??????`)).toBeUndefined();
    expect(literalStarPrefix(`${SECRET}db-?*`)).toBeUndefined();
    expect(literalStarPrefix('arn:aws:s3:::b/${aws:username}/*')).toBeUndefined();
    expect(literalStarPrefix('*')).toBeUndefined();
  });

  it('agrees with resourceIncludes on every target without `${`', () => {
    fc.assert(
      fc.property(arnPatternArb, arnPatternArb, (p, q) => {
        const head = literalStarPrefix(p);
        if (head === undefined || q.includes('${')) return;
        expect(resourceIncludes(p, q)).toBe(q.startsWith(head));
        for (const r of POOL) expect(resourceIncludes(p, r, true)).toBe(r.startsWith(head));
      }),
      { numRuns: 3000 },
    );
  });
});
