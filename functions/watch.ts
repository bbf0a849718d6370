// Scheduled: closes post-apply watch windows whose time is up (the rollback itself runs in remediate), and hands the
// roles the change budget deferred back to the remediation queue once their window has reset.
import type { Applier } from '../lib/app/apply/applier.js';
import { RESUME_REASON } from '../lib/app/apply/watch-window.js';
import { retryDeferred } from '../lib/app/retry-deferred.js';
import type { ChangeBudget, RemediationQueue } from '../lib/app/ports.js';
import { remediationFor } from '../lib/composition-remediation.js';
import { parseEvent, scheduledEvent } from '../lib/edge/events.js';
import { lambdaHandler } from '../lib/edge/lambda.js';
import { watchReport } from '../lib/edge/reports.js';

export interface WatchDeps {
  applier: Pick<Applier, 'closeExpiredWatches' | 'unfinishedRollbacks'>;
  budget: Pick<ChangeBudget, 'due' | 'undefer'>;
  queue?: RemediationQueue;
  now: () => string;
}

export async function run(event: unknown, deps: WatchDeps) {
  parseEvent(scheduledEvent, event);
  // A window whose rollback has not reached the stored state stays open; the rollback is handed back to remediate.
  const unfinished = await deps.applier.unfinishedRollbacks(deps.now());
  for (const roleArn of unfinished) await deps.queue?.enqueue(roleArn, RESUME_REASON);
  return { closed: await deps.applier.closeExpiredWatches(deps.now()), retried: [...(await retryDeferred(deps)), ...unfinished] };
}

export const handler = lambdaHandler('watch', (event) => run(event, remediationFor()), watchReport);
