// Fault injection for SDK v3 clients: a middleware placed just inside the retry middleware makes a seeded,
// deterministic fraction of attempts fail the way AWS and the network do (throttling, 5xx, socket timeouts),
// before the request reaches the endpoint. The SDK's own retry logic sees these exactly as real failures.

export type FaultKind = 'throttle' | 'server-error' | 'unavailable' | 'timeout';

export interface FaultOptions {
  /** Fraction of attempts that fail, in [0, 1]. */
  rate: number;
  seed: number;
  /** Which failures to draw from (uniformly); default all four. */
  kinds?: FaultKind[];
  /** Limit faults to some operations, e.g. `(c) => c.commandName !== 'PublishCommand'`. */
  where?: (call: { clientName: string; commandName: string }) => boolean;
}

/** Mulberry32: tiny, seedable, good enough to pick which call fails. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

// Query-protocol services (IAM, SNS, STS) call it `Throttling`; JSON-protocol ones `ThrottlingException`.
const QUERY_PROTOCOL = /^(IAM|SNS|STS)Client$/;

/** An error shaped like the one the SDK throws for `kind` (name, $fault, $metadata, code). */
export function faultError(kind: FaultKind, clientName: string, requestId: string): Error {
  const meta = (status: number) => ({ httpStatusCode: status, requestId, attempts: 1, totalRetryDelay: 0 });
  switch (kind) {
    case 'throttle':
      return Object.assign(new Error('Rate exceeded'), {
        name: QUERY_PROTOCOL.test(clientName) ? 'Throttling' : 'ThrottlingException',
        $fault: 'client',
        $metadata: meta(400),
      });
    case 'server-error':
      return Object.assign(new Error('We encountered an internal error. Please try again.'), {
        name: 'InternalFailure',
        $fault: 'server',
        $metadata: meta(500),
      });
    case 'unavailable':
      return Object.assign(new Error('Service Unavailable'), { name: 'ServiceUnavailable', $fault: 'server', $metadata: meta(503) });
    case 'timeout':
      // What @smithy/node-http-handler throws when the socket times out: no response, no status code.
      return Object.assign(new Error('Connection timed out after 1000 ms'), { name: 'TimeoutError', code: 'ETIMEDOUT' });
  }
}

interface StackOwner {
  middlewareStack: {
    addRelativeTo(mw: unknown, opts: { relation: 'before' | 'after'; toMiddleware: string; name: string; override?: boolean }): void;
    add(mw: unknown, opts: { step: string; name: string; priority?: string; override?: boolean }): void;
  };
}

export class FaultInjector {
  /** Turn faults off (e.g. for the DLQ redrive) without rebuilding clients. */
  enabled = true;
  attempts = 0;
  readonly injected: Record<FaultKind, number> = { throttle: 0, 'server-error': 0, unavailable: 0, timeout: 0 };
  private readonly random: () => number;
  private readonly kinds: FaultKind[];

  constructor(private readonly opts: FaultOptions) {
    if (!(opts.rate >= 0 && opts.rate <= 1)) throw new RangeError(`rate must be in [0, 1], got ${opts.rate}`);
    this.random = seededRandom(opts.seed);
    this.kinds = opts.kinds?.length ? opts.kinds : ['throttle', 'server-error', 'unavailable', 'timeout'];
  }

  get total(): number {
    return Object.values(this.injected).reduce((a, b) => a + b, 0);
  }

  /** The middleware; one attempt (retries included) passes through it each time. */
  middleware() {
    return (next: (args: unknown) => Promise<unknown>, context: { clientName?: string; commandName?: string }) => async (args: unknown) => {
      this.attempts++;
      const call = { clientName: context.clientName ?? '', commandName: context.commandName ?? '' };
      if (this.enabled && (!this.opts.where || this.opts.where(call))) {
        // Draw both numbers every time so the sequence does not depend on which calls are filtered.
        const hit = this.random() < this.opts.rate;
        const kind = this.kinds[Math.floor(this.random() * this.kinds.length)]!;
        if (hit) {
          this.injected[kind]++;
          throw faultError(kind, call.clientName, `fault-${this.attempts}`);
        }
      }
      return next(args);
    };
  }

  /** Adds the middleware to a client, inside its retry middleware so the SDK retries injected faults. */
  attach<C>(client: C): C {
    (client as unknown as StackOwner).middlewareStack.addRelativeTo(this.middleware(), {
      relation: 'after',
      toMiddleware: 'retryMiddleware',
      name: 'leashFaultInjection',
      override: true,
    });
    return client;
  }
}

/** The SDK clients a pipeline holds, for every Region it may reach (secrets and keys live in their own Region). */
export function everyClient(
  clients: { forRegion(region: string): Record<'ecs' | 'iam' | 'kms' | 'ssm' | 'secrets' | 'ddb' | 'sns' | 'sqs' | 'sts', unknown> },
  regions: string[],
): StackOwner[] {
  const names = ['ecs', 'iam', 'kms', 'ssm', 'secrets', 'ddb', 'sns', 'sqs', 'sts'] as const;
  return regions.flatMap((r) => {
    const set = clients.forRegion(r);
    return names.map((n) => set[n] as StackOwner);
  });
}

interface RetryToken {
  getRetryCount(): number;
  getRetryDelay(): number;
}

/**
 * Swaps a client's retry strategy for one that classifies errors exactly like the SDK (it is handed the SDK's own
 * error info) but waits only a few milliseconds and has no client-side rate limiter. The production `adaptive`
 * mode slows a client for seconds after each throttle, which at a 20% fault rate turns a 10 s test into minutes.
 */
export function fastRetries(client: unknown, maxAttempts: number, random: () => number = seededRandom(1)): void {
  const token = (count: number): RetryToken => ({
    getRetryCount: () => count,
    getRetryDelay: () => (count ? 1 + Math.floor(random() * 5 * 2 ** count) : 0),
  });
  const strategy = {
    mode: 'leash-test-fast',
    acquireInitialRetryToken: async () => token(0),
    refreshRetryTokenForRetry: async (prev: RetryToken, info: { errorType: string; error?: unknown }) => {
      if (info.errorType === 'CLIENT_ERROR' || prev.getRetryCount() + 1 >= maxAttempts) throw info.error ?? new Error('no retry');
      return token(prev.getRetryCount() + 1);
    },
    recordSuccess: () => undefined,
  };
  (client as { config: { retryStrategy: () => Promise<unknown> } }).config.retryStrategy = async () => strategy;
}
