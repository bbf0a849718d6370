// Scheduled: the watch tick (lib/app/close-watches.ts) over the acting functions' dependencies.
import { closeWatches, type WatchTickDeps } from '../lib/app/close-watches.js';
import { remediationFor } from '../lib/composition-remediation.js';
import { parseEvent, scheduledEvent } from '../lib/edge/events.js';
import { lambdaHandler } from '../lib/edge/lambda.js';
import { watchReport } from '../lib/edge/reports.js';

export const run = (event: unknown, deps: WatchTickDeps) => (parseEvent(scheduledEvent, event), closeWatches(deps));

export const handler = lambdaHandler('watch', (event) => run(event, remediationFor()), watchReport);
