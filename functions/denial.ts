// EventBridge: CloudTrail records with an errorCode made by assumed roles (rule state
// ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS, since the execution role's calls are read-only).
import { onDenialEvent, type EvidenceDeps } from '../lib/app/on-evidence.js';
import { pipelineFor } from '../lib/composition.js';
import { accountOf, cloudTrailDenial, parseEvent } from '../lib/edge/events.js';
import { lambdaHandler } from '../lib/edge/lambda.js';
import { evidenceReport } from '../lib/edge/reports.js';

export const run = (event: unknown, deps: EvidenceDeps) => onDenialEvent(parseEvent(cloudTrailDenial, event), deps);

export const handler = lambdaHandler('denial', (event) => run(event, pipelineFor(accountOf(event))), evidenceReport);
