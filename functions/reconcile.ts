// Scheduled sweep of every task-definition revision and execution role; resumes from its cursor when the
// previous run ran out of time.
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { structuredLog } from '../lib/app/middleware/structured-log.js';
import { runSweep, type SweepDeps } from '../lib/app/sweep.js';
import { pipelineFromEnv } from '../lib/composition.js';
import { EventError } from '../lib/errors.js';

export async function run(event: unknown, deps: SweepDeps) {
  const e = event as { 'detail-type'?: unknown; detail?: { restart?: unknown } } | null;
  if (!e || typeof e !== 'object' || e['detail-type'] !== 'Scheduled Event') {
    throw new EventError('expected an EventBridge "Scheduled Event"', 'event', '$.detail-type');
  }
  const summary = await runSweep(deps, { restart: e.detail?.restart === true });
  return { complete: summary.complete, cursor: summary.cursor, roles: summary.roles.map((r) => ({ role: r.roleArn, findings: r.findings.length, changed: r.changed })) };
}

export const handler = middy<unknown, unknown, Error, Context>()
  .use(structuredLog({ fn: 'reconcile' }))
  .handler((event, context) => run(event, { ...pipelineFromEnv(), concurrency: 8, timeLeft: () => context.getRemainingTimeInMillis() }));
