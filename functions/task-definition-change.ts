// EventBridge: ECS RegisterTaskDefinition / DeregisterTaskDefinition / DeleteTaskDefinitions (via CloudTrail).
import middy from '@middy/core';
import { onTaskDefinitionChange, type TaskDefinitionDeps } from '../lib/app/on-task-definition-change.js';
import { structuredLog } from '../lib/app/middleware/structured-log.js';
import { accountOf, pipelineFromEnv } from '../lib/composition.js';

export const run = (event: unknown, deps: TaskDefinitionDeps) => onTaskDefinitionChange(event, deps);

export const handler = middy()
  .use(structuredLog({ fn: 'task-definition-change' }))
  .handler((event: unknown) => run(event, pipelineFromEnv(accountOf(event))));
