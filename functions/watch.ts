// Scheduled: closes post-apply watch windows whose time is up (the rollback itself runs in remediate).
import type { Applier } from '../lib/app/apply/applier.js';
import { remediationFor } from '../lib/composition-remediation.js';
import { parseEvent, scheduledEvent } from '../lib/edge/events.js';
import { lambdaHandler } from '../lib/edge/lambda.js';
import { watchReport } from '../lib/edge/reports.js';

export async function run(event: unknown, deps: { applier: Pick<Applier, 'closeExpiredWatches'>; now: () => string }) {
  parseEvent(scheduledEvent, event);
  return { closed: await deps.applier.closeExpiredWatches(deps.now()) };
}

export const handler = lambdaHandler('watch', (event) => run(event, remediationFor()), watchReport);
