// Scheduled sweep of every task-definition revision and execution role — in this account and, in an
// organization, in each member account through its Leash role. Each account's sweep resumes from its own cursor
// when a previous run ran out of time.
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { structuredLog } from '../lib/app/middleware/structured-log.js';
import type { BackfillSummary } from '../lib/app/backfill.js';
import { IntervalLimiter } from '../lib/adapters/aws/rate-limiter.js';
import { recomputeRole } from '../lib/app/recompute-role.js';
import { runSweep, type SweepDeps } from '../lib/app/sweep.js';
import { pipelineFromEnv } from '../lib/composition.js';
import { EventError } from '../lib/errors.js';

export async function run(event: unknown, deps: SweepDeps & { backfill?: (timeLeft: () => number) => Promise<BackfillSummary> }) {
  const e = event as { 'detail-type'?: unknown; detail?: { restart?: unknown } } | null;
  if (!e || typeof e !== 'object' || e['detail-type'] !== 'Scheduled Event') {
    throw new EventError('expected an EventBridge "Scheduled Event"', 'event', '$.detail-type');
  }
  const summary = await runSweep(deps, { restart: e.detail?.restart === true });
  // Evidence backfill (CloudTrail, last-accessed) once the index is current; it resumes like the sweep.
  // A backfill failure (CloudTrail unavailable, access denied) must not lose the sweep: it is reported, and the
  // saved cursor lets the next run continue.
  const evidence =
    summary.complete && deps.backfill
      ? await deps.backfill(deps.timeLeft).catch((err: Error) => ({ error: `${err.name}: ${err.message}` }))
      : undefined;
  let roles = summary.roles;
  if (evidence && 'complete' in evidence && evidence.complete && (evidence.denials || evidence.uses)) {
    // Fold the new evidence into every role's findings now rather than at the next event.
    roles = [];
    for (const r of summary.roles) roles.push(await recomputeRole(r.roleArn, deps));
  }
  return {
    complete: summary.complete,
    cursor: summary.cursor,
    roles: roles.map((r) => ({ role: r.roleArn, findings: r.findings.length, changed: r.changed })),
    ...(evidence ? { evidence } : {}),
  };
}

export const handler = middy<unknown, unknown, Error, Context>()
  .use(structuredLog({ fn: 'reconcile' }))
  .handler(async (event, context) => {
    const home = pipelineFromEnv();
    const accounts = [undefined, ...(home.config.member?.accounts ?? [])];
    const results = [];
    for (const account of accounts) {
      const deps = pipelineFromEnv(account);
      // Paced below ECS's throttling (per account and Region), so retries never exhaust the SDK's retry quota.
      const rate = deps.config.ecsDescribeRate;
      const describeThrottle = rate > 0 ? { limiter: new IntervalLimiter(1000 / rate) } : undefined;
      const sweepDeps = {
        ...deps,
        concurrency: 8,
        timeLeft: () => context.getRemainingTimeInMillis(),
        ...(describeThrottle ? { describeThrottle } : {}),
      };
      results.push({ account: account ?? 'home', ...(await run(event, sweepDeps)) });
      if (context.getRemainingTimeInMillis() < 60_000) break; // the rest resume on the next schedule
    }
    return results;
  });
