// The SDK's own adaptive-mode client-side rate limiter (DefaultRateLimiter: CUBIC rate, token bucket enabled at the
// first throttle), run on the VirtualClock. Lambda functions deploy with retryMode 'adaptive'
// (lib/adapters/aws/clients.ts), so the sweep fake must slow down the way those clients do.
import { DefaultRateLimiter } from '@smithy/core/retry';
import type { VirtualClock } from './virtual-clock.js';

export interface RateLimiter {
  getSendToken(): Promise<void>;
  updateClientSendingRate(response: unknown): void;
}

/** The fields and methods of DefaultRateLimiter this file moves onto the virtual clock (private in its typings). */
interface Internals {
  enabled: boolean;
  availableTokens: number;
  fillRate: number;
  lastThrottleTime: number;
  lastTxRateBucket: number;
  refillTokenBucket(): void;
  getCurrentTimeInSeconds(): number;
  acquireTokenBucket(amount: number): Promise<void>;
}

export function adaptiveRateLimiter(clock: VirtualClock): RateLimiter {
  const limiter = new DefaultRateLimiter();
  const self = limiter as unknown as Internals;
  self.getCurrentTimeInSeconds = () => clock.now() / 1000;
  // The constructor read the wall clock; start again from virtual time.
  self.lastThrottleTime = clock.now() / 1000;
  self.lastTxRateBucket = Math.floor(clock.now() / 1000);
  // The base class waits with setTimeout; the same loop, waiting on the virtual clock.
  self.acquireTokenBucket = async (amount: number) => {
    if (!self.enabled) return;
    self.refillTokenBucket();
    while (amount > self.availableTokens) {
      await clock.sleep(((amount - self.availableTokens) / self.fillRate) * 1000);
      self.refillTokenBucket();
    }
    self.availableTokens -= amount;
  };
  return limiter;
}
