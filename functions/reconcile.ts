// Scheduled sweep of every task-definition revision and execution role, then the evidence backfill: in this account
// and, in an organization, in each member account through its Leash role (lib/app/reconcile.ts).
import { reconcileAccount, reconcileAccounts, type ReconcileDeps } from '../lib/app/reconcile.js';
import type { SweepDeps } from '../lib/app/sweep.js';
import { pipelineFor } from '../lib/composition.js';
import { parseEvent, scheduledEvent } from '../lib/edge/events.js';
import { lambdaHandler } from '../lib/edge/lambda.js';
import { reconcileReport } from '../lib/edge/reports.js';

/** One account (tests, the demo). */
export const run = (
  event: unknown,
  deps: ReconcileDeps & Partial<Pick<SweepDeps, 'concurrency' | 'describeThrottle'>> & { timeLeft: () => number },
) => reconcileAccount(parseEvent(scheduledEvent, event), deps);

export const handler = lambdaHandler(
  'reconcile',
  async (event, context) =>
    reconcileAccounts(parseEvent(scheduledEvent, event), [undefined, ...(pipelineFor().config.member?.accounts ?? [])], pipelineFor, () =>
      context.getRemainingTimeInMillis(),
    ),
  reconcileReport,
);
