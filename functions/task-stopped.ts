// EventBridge: ECS Task State Change, lastStatus STOPPED. Permission failures become denial evidence;
// network failures are reported as such, never as missing permissions.
import middy from '@middy/core';
import { onTaskStopped, type EvidenceDeps } from '../lib/app/on-evidence.js';
import { structuredLog } from '../lib/app/middleware/structured-log.js';
import { accountOf, pipelineFromEnv } from '../lib/composition.js';

export const run = (event: unknown, deps: EvidenceDeps) => onTaskStopped(event, deps);

export const handler = middy()
  .use(structuredLog({ fn: 'task-stopped' }))
  .handler((event: unknown) => run(event, pipelineFromEnv(accountOf(event))));
