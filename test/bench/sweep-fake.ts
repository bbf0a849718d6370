// sweepFake: the real runSweep over a generated account (10,000 revisions, 1,000 families, 300 roles) served by an
// in-process fake with AWS-like token buckets, on a virtual clock. Measured as written and with the optional
// client-side describe limiter.
import { IntervalLimiter } from '../../lib/app/rate-limit.js';
import { runSweep } from '../../lib/app/sweep.js';
import {
  fakeSweepDeps,
  generateAccount,
  KMS_CALLS_PER_SECRET,
  LIMITS,
  MANAGED_POLICIES_PER_ROLE,
  SWEEP_ACCOUNT,
  type ApiStats,
  type GeneratedAccount,
} from '../support/fake-aws/fake-account.js';
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

/** Calls per role the sweep must make to IAM: GetRole, ListRolePolicies, GetRolePolicy (one inline policy),
 *  ListAttachedRolePolicies, ListInstanceProfilesForRole, and GetPolicy + GetPolicyVersion per attached policy. */
const IAM_CALLS_PER_ROLE = 5 + 2 * MANAGED_POLICIES_PER_ROLE;
const LIST_PAGE = 100;

/**
 * The work the account requires, per rate bucket, independent of what the run did: every live revision described
 * once (ACTIVE, and INACTIVE ones in use), every listing page, one in-use scan of the clusters, and every role's IAM
 * reads. The buckets are independent (nothing in IAM waits for a describe), so the bound is the slowest bucket:
 * max over buckets of max(0, required − burst) / rate.
 */
export function requiredWork(account: GeneratedAccount): Record<string, number> {
  const live = account.active.length + account.inUse.size;
  const services = account.inUse.size;
  const secrets = new Set(
    [...account.taskDefinitions.values()].flatMap((td) =>
      td.containerDefinitions.flatMap((c) => (c.secrets ?? []).map((x) => x.valueFrom)),
    ),
  ).size;
  return {
    'ecs:ListTaskDefinitions': Math.ceil(account.active.length / LIST_PAGE) + Math.ceil(account.inactive.length / LIST_PAGE),
    'ecs:DescribeTaskDefinition': live,
    'ecs:ClusterReads': 1 + 2 * 2 + Math.ceil(services / 10),
    'iam:Read': account.roles.length * IAM_CALLS_PER_ROLE,
    // Each distinct secret's KMS key, looked up once (every family has one secret under a customer key).
    ...Object.fromEntries(Object.entries(KMS_CALLS_PER_SECRET).map(([bucket, n]) => [bucket, secrets * n])),
  };
}

export function boundSeconds(work: Record<string, number>): number {
  return Math.max(...Object.entries(work).map(([b, n]) => lowerBoundSeconds(n, LIMITS[b]!)));
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
  const bound = boundSeconds(requiredWork(account));
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

export const SWEEP_RATIO_GOAL = 1.1;

export async function benchSweepFake() {
  // As deployed: SweepDeps.concurrency 4 and no client-side describe limiter (ecsDescribeRate 0 by default).
  const deployed = await once('as-written', 4);
  const runs = [deployed, await once('describe-limiter', 4), await once('as-written', 16)];
  const work = requiredWork(generateAccount(SWEEP_ACCOUNT));
  const failures: string[] = [];
  if (deployed.ratio > SWEEP_RATIO_GOAL) failures.push(`sweep.ratio ${deployed.ratio} > ${SWEEP_RATIO_GOAL}`);
  if (deployed.failedItems > 0) failures.push(`sweep.failed ${deployed.failedItems} > 0`);
  if (!deployed.complete) failures.push('the sweep did not complete');
  return {
    ratio: deployed.ratio,
    bound: deployed.lowerBoundSeconds,
    failed: deployed.failedItems,
    wallSeconds: deployed.wallSeconds,
    boundRule:
      'max over rate buckets of max(0, required calls - burst) / rate; required calls = the work the account needs ' +
      '(every live revision described once, listing pages, one cluster scan, 7 IAM reads per role (5 + GetPolicy and ' +
      'GetPolicyVersion of its attached policy), DescribeSecret + DescribeKey once per distinct secret), not the calls a run made',
    requiredCalls: work,
    account: { ...SWEEP_ACCOUNT, latencyMs: { ecs: 40, iam: 40, dynamodb: 5 } },
    limits: LIMITS,
    retry:
      "SDK v3 adaptive mode (as deployed, lib/adapters/aws/clients.ts) per client: the SDK's DefaultRateLimiter on the " +
      'virtual clock before every attempt, 8 attempts, full jitter, 500 ms base for throttles, 500-token retry quota',
    runs,
    failures,
  };
}
