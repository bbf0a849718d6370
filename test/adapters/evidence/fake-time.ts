// Fake clock + sleep: sleeping advances the clock instantly, so rate limits are checked without waiting.
import type { Clock, Sleep } from '../../../lib/app/rate-limit.js';

export function fakeTime(start = 1_700_000_000_000): { clock: Clock; sleep: Sleep; sleeps: number[]; advance: (ms: number) => void } {
  let t = start;
  const sleeps: number[] = [];
  return {
    clock: { now: () => t },
    sleep: async (ms) => {
      sleeps.push(ms);
      t += ms;
    },
    sleeps,
    advance: (ms) => {
      t += ms;
    },
  };
}

/** Most calls seen in any window [t, t + windowMs). */
export function maxInWindow(times: number[], windowMs: number): number {
  let max = 0;
  for (const t of times) max = Math.max(max, times.filter((u) => u >= t && u < t + windowMs).length);
  return max;
}
