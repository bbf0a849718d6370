// The one rate limiter (calls spaced at an interval: LookupEvents, paced DescribeTaskDefinition) and bounded backoff,
// with an injectable clock and sleep so tests run on fake time; and the one test for "throttled".

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export type Sleep = (ms: number) => Promise<void>;

export const systemClock: Clock = { now: () => Date.now() };
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Limiter {
  /** Resolves when the caller may make one call. Callers queue: calls are strictly serial. */
  acquire(): Promise<void>;
}

/**
 * Spaces calls at least `intervalMs` apart. With 500 ms, any one-second window holds at most two calls,
 * which is the LookupEvents quota (two per second per account per Region).
 */
export class IntervalLimiter implements Limiter {
  private nextAt = Number.NEGATIVE_INFINITY;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly intervalMs: number,
    private readonly clock: Clock = systemClock,
    private readonly sleep: Sleep = realSleep,
  ) {}

  acquire(): Promise<void> {
    const turn = this.queue.then(async () => {
      const wait = this.nextAt - this.clock.now();
      if (wait > 0) await this.sleep(wait);
      this.nextAt = this.clock.now() + this.intervalMs;
    });
    this.queue = turn.catch(() => undefined);
    return turn;
  }
}

export const LOOKUP_EVENTS_INTERVAL_MS = 500;

export type LimiterFactory = (region: string) => Limiter;

export const lookupEventsLimiter =
  (clock: Clock = systemClock, sleep: Sleep = realSleep): LimiterFactory =>
  () =>
    new IntervalLimiter(LOOKUP_EVENTS_INTERVAL_MS, clock, sleep);

export interface BackoffOptions {
  baseMs: number;
  capMs: number;
  maxAttempts: number;
  /** In [0, 1); injectable for deterministic tests. */
  random: () => number;
}

export const defaultBackoff: BackoffOptions = { baseMs: 500, capMs: 20_000, maxAttempts: 8, random: Math.random };

/** "Full jitter": a random delay up to min(cap, base·2^attempt), never shorter than base/2. */
export function backoffDelay(attempt: number, o: BackoffOptions): number {
  const ceiling = Math.min(o.capMs, o.baseMs * 2 ** attempt);
  return Math.max(o.baseMs / 2, Math.floor(o.random() * ceiling));
}

/** Throttling as the SDK names it, also when an adapter wrapped it (AdapterError keeps it as `cause`). */
export function isThrottling(err: unknown): boolean {
  for (let e = err, depth = 0; typeof e === 'object' && e !== null && depth < 3; e = (e as { cause?: unknown }).cause, depth++) {
    const x = e as { name?: unknown; $metadata?: { httpStatusCode?: number }; $retryable?: { throttling?: boolean } };
    if (x.name === 'ThrottlingException' || x.name === 'Throttling' || x.name === 'TooManyRequestsException') return true;
    if (x.$retryable?.throttling === true || x.$metadata?.httpStatusCode === 429) return true;
  }
  return false;
}
