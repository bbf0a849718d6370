// EventBridge: CloudTrail records with an errorCode made by assumed roles (rule state
// ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS, since the execution role's calls are read-only).
import middy from '@middy/core';
import { onDenialEvent, type EvidenceDeps } from '../lib/app/on-evidence.js';
import { structuredLog } from '../lib/app/middleware/structured-log.js';
import { accountOf, pipelineFromEnv } from '../lib/composition.js';

export const run = (event: unknown, deps: EvidenceDeps) => onDenialEvent(event, deps);

export const handler = middy()
  .use(structuredLog({ fn: 'denial' }))
  .handler((event: unknown) => run(event, pipelineFromEnv(accountOf(event))));
