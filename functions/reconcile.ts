// Scheduled sweep of every task-definition revision and execution role, then the evidence backfill: in this account
// and, in an organization, in each member account through its Leash role (lib/app/reconcile.ts).
import { reconcileAccount, reconcileAccounts, type AccountRunDeps } from '../lib/app/reconcile.js';
import { pipelineFor } from '../lib/composition.js';
import { accountsToSweep } from '../lib/config.js';
import { parseEvent, scheduledEvent } from '../lib/edge/events.js';
import { lambdaHandler } from '../lib/edge/lambda.js';
import { reconcileReport } from '../lib/edge/reports.js';

/** One account (tests, the demo). */
export const run = (event: unknown, deps: AccountRunDeps) => reconcileAccount(parseEvent(scheduledEvent, event), deps);

export const handler = lambdaHandler(
  'reconcile',
  async (event, context) =>
    reconcileAccounts(parseEvent(scheduledEvent, event), accountsToSweep(pipelineFor().config), pipelineFor, () =>
      context.getRemainingTimeInMillis(),
    ),
  reconcileReport,
);
