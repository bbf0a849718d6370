// EventBridge: ECS RegisterTaskDefinition / DeregisterTaskDefinition / DeleteTaskDefinitions (via CloudTrail).
import { onTaskDefinitionChange, type TaskDefinitionDeps } from '../lib/app/on-task-definition-change.js';
import { pipelineFor } from '../lib/composition.js';
import { accountOf, ecsApiCall, parseEvent } from '../lib/edge/events.js';
import { lambdaHandler } from '../lib/edge/lambda.js';
import { pipelineReport } from '../lib/edge/reports.js';

export const run = (event: unknown, deps: TaskDefinitionDeps) => onTaskDefinitionChange(parseEvent(ecsApiCall, event), deps);

export const handler = lambdaHandler('task-definition-change', (event) => run(event, pipelineFor(accountOf(event))), pipelineReport);
