import { describe, expect, it } from 'vitest';
import { IntervalLimiter, backoffDelay, isThrottling } from '../../lib/app/rate-limit.js';
import { fakeTime, maxInWindow } from '../adapters/evidence/fake-time.js';

describe('IntervalLimiter', () => {
  it('spaces calls at least the interval apart, also when callers race', async () => {
    const time = fakeTime();
    const limiter = new IntervalLimiter(500, time.clock, time.sleep);
    const stamps: number[] = [];
    await Promise.all(Array.from({ length: 7 }, () => limiter.acquire().then(() => stamps.push(time.clock.now()))));
    expect(stamps).toHaveLength(7);
    for (let i = 1; i < stamps.length; i++) expect(stamps[i]! - stamps[i - 1]!).toBeGreaterThanOrEqual(500);
    expect(maxInWindow(stamps, 1000)).toBe(2);
  });

  it('does not wait when the interval has already passed', async () => {
    const time = fakeTime();
    const limiter = new IntervalLimiter(500, time.clock, time.sleep);
    await limiter.acquire();
    time.advance(800);
    await limiter.acquire();
    expect(time.sleeps).toEqual([]);
  });
});

describe('backoff', () => {
  it('stays within [base/2, min(cap, base·2^attempt)]', () => {
    const o = { baseMs: 500, capMs: 20_000, maxAttempts: 8 };
    expect(backoffDelay(0, { ...o, random: () => 0 })).toBe(250);
    expect(backoffDelay(3, { ...o, random: () => 0.999999 })).toBe(3999);
    expect(backoffDelay(10, { ...o, random: () => 0.999999 })).toBe(19_999);
  });

  it('recognizes throttling errors by name, flag or status', () => {
    expect(isThrottling({ name: 'ThrottlingException' })).toBe(true);
    expect(isThrottling({ name: 'Error', $metadata: { httpStatusCode: 429 } })).toBe(true);
    expect(isThrottling({ name: 'X', $retryable: { throttling: true } })).toBe(true);
    expect(isThrottling({ name: 'InvalidNextTokenException' })).toBe(false);
    expect(isThrottling('ThrottlingException')).toBe(false);
  });
});
