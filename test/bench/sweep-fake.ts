// sweepFake: the real runSweep over a generated account (10,000 revisions, 1,000 families, 300 roles) served by an
// in-process fake with AWS-like token buckets, on a virtual clock. Measured as written and with the optional
// client-side describe limiter.
import { IntervalLimiter } from '../../lib/app/rate-limit.js';
import { runSweep } from '../../lib/app/sweep.js';
import { fakeSweepDeps, generateAccount, LIMITS, SWEEP_ACCOUNT, type ApiStats } from '../support/fake-aws/fake-account.js';
import { lowerBoundSeconds } from '../support/fake-aws/token-bucket.js';
import { VirtualClock } from '../support/fake-aws/virtual-clock.js';

export interface SweepFakeRun {
  variant: string;
  concurrency: number;
  complete: boolean;
  totalCalls: number;
  throttledCalls: number;
  failedItems: number;
  described: number;
  rolesRecomputed: number;
  /** Virtual seconds the sweep took. */
  wallSeconds: number;
  lowerBoundSeconds: number;
  ratio: number;
  realMs: number;
  calls: Record<string, ApiStats>;
}

// The sweep runs its phases one after another (revisions, then roles); inside the revision phase, listing,
// describes and the in-use scan interleave. So the bound is Σ over phases of the max over that phase's buckets.
const PHASES: string[][] = [['ecs:ListTaskDefinitions', 'ecs:DescribeTaskDefinition', 'ecs:ClusterReads'], ['iam:Read']];

function bucketOf(api: string): string | undefined {
  if (LIMITS[api]) return api;
  if (/^ecs:(ListClusters|ListServices|ListTasks|DescribeServices|DescribeTasks)$/.test(api)) return 'ecs:ClusterReads';
  if (api.startsWith('iam:')) return 'iam:Read';
  return undefined;
}

function lowerBound(stats: Map<string, ApiStats>): number {
  const needed = new Map<string, number>();
  for (const [api, s] of stats) {
    const b = bucketOf(api);
    if (b) needed.set(b, (needed.get(b) ?? 0) + s.calls - s.throttled);
  }
  return PHASES.reduce((sum, phase) => sum + Math.max(0, ...phase.map((b) => lowerBoundSeconds(needed.get(b) ?? 0, LIMITS[b]!))), 0);
}

async function once(variant: 'as-written' | 'describe-limiter', concurrency: number): Promise<SweepFakeRun> {
  const account = generateAccount(SWEEP_ACCOUNT);
  const clock = new VirtualClock();
  const describeRate = LIMITS['ecs:DescribeTaskDefinition']!.rate;
  const throttle =
    variant === 'describe-limiter'
      ? { limiter: new IntervalLimiter(1000 / describeRate, { now: clock.now }, clock.sleep), retries: 3, sleep: clock.sleep }
      : undefined;
  const { deps, aws } = fakeSweepDeps(account, clock, { concurrency, ...(throttle ? { describeThrottle: throttle } : {}) });
  const started = performance.now();
  const res = await clock.run(runSweep(deps, { restart: true }));
  const realMs = performance.now() - started;
  const wall = clock.elapsed() / 1000;
  const bound = lowerBound(aws.stats);
  let total = 0;
  let throttled = 0;
  for (const s of aws.stats.values()) {
    total += s.calls;
    throttled += s.throttled;
  }
  return {
    variant,
    concurrency,
    complete: res.complete,
    totalCalls: total,
    throttledCalls: throttled,
    failedItems: res.cursor.failedCount ?? res.cursor.failed.length,
    described: res.cursor.described,
    rolesRecomputed: res.roles.length,
    wallSeconds: round(wall),
    lowerBoundSeconds: round(bound),
    ratio: round(wall / bound, 3),
    realMs: Math.round(realMs),
    calls: Object.fromEntries([...aws.stats].sort(([a], [b]) => a.localeCompare(b))),
  };
}

const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

export async function benchSweepFake() {
  const runs = [
    await once('as-written', 4),
    await once('describe-limiter', 4),
    await once('as-written', 16),
    await once('describe-limiter', 16),
  ];
  return {
    account: { ...SWEEP_ACCOUNT, latencyMs: { ecs: 40, iam: 40, dynamodb: 5 } },
    limits: LIMITS,
    retry: 'SDK v3 standard mode emulated per client: 8 attempts, full jitter, 500 ms base for throttles, 500-token retry quota',
    lowerBoundRule:
      "phases are serial (revisions, then roles): sum over phases of max over that phase's buckets of max(0, calls - burst) / rate",
    runs,
  };
}
