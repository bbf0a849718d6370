// EventBridge: ECS Task State Change, lastStatus STOPPED. Permission failures become denial evidence;
// network failures are reported as such, never as missing permissions.
import { onTaskStopped, type EvidenceDeps } from '../lib/app/on-evidence.js';
import { pipelineFor } from '../lib/composition.js';
import { accountOf, parseEvent, taskStateChange } from '../lib/edge/events.js';
import { lambdaHandler } from '../lib/edge/lambda.js';
import { evidenceReport } from '../lib/edge/reports.js';

export const run = (event: unknown, deps: EvidenceDeps) => onTaskStopped(parseEvent(taskStateChange, event), deps);

export const handler = lambdaHandler('task-stopped', (event) => run(event, pipelineFor(accountOf(event))), evidenceReport);
