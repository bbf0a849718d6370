// Scheduled: closes post-apply watch windows whose time is up (the rollback itself runs in remediate), and hands the
// roles the change budget deferred back to the remediation queue once their window has reset.
import type { Applier } from '../lib/app/apply/applier.js';
import { retryDeferred } from '../lib/app/retry-deferred.js';
import type { ChangeBudget, RemediationQueue } from '../lib/app/ports.js';
import { remediationFor } from '../lib/composition-remediation.js';
import { parseEvent, scheduledEvent } from '../lib/edge/events.js';
import { lambdaHandler } from '../lib/edge/lambda.js';
import { watchReport } from '../lib/edge/reports.js';

export interface WatchDeps {
  applier: Pick<Applier, 'closeExpiredWatches'>;
  budget: Pick<ChangeBudget, 'due' | 'undefer'>;
  queue?: RemediationQueue;
  now: () => string;
}

export async function run(event: unknown, deps: WatchDeps) {
  parseEvent(scheduledEvent, event);
  return { closed: await deps.applier.closeExpiredWatches(deps.now()), retried: await retryDeferred(deps) };
}

export const handler = lambdaHandler('watch', (event) => run(event, remediationFor()), watchReport);
