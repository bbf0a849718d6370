// The server side of AWS API throttling: a token bucket per API per account (refill `rate` per second up to
// `burst`), as ECS documents for its APIs (spec §9).
export interface ApiLimit {
  /** Sustained requests per second (refill rate). */
  rate: number;
  /** Bucket size: requests that may go at once after a quiet period. */
  burst: number;
}

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly limit: ApiLimit,
    now: number,
  ) {
    this.tokens = limit.burst;
    this.last = now;
  }

  /** Takes one token if there is one; `now` in milliseconds. */
  tryTake(now: number): boolean {
    this.tokens = Math.min(this.limit.burst, this.tokens + ((now - this.last) / 1000) * this.limit.rate);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** The least time `calls` requests can take against `limit`: the burst is free, the rest come at `rate`. */
export function lowerBoundSeconds(calls: number, limit: ApiLimit): number {
  return Math.max(0, calls - limit.burst) / limit.rate;
}
