// EventBridge: IAM role and managed-policy changes (recorded in us-east-1, forwarded to the home Region).
import middy from '@middy/core';
import { onIamChange, type IamChangeDeps } from '../lib/app/on-iam-change.js';
import { structuredLog } from '../lib/app/middleware/structured-log.js';
import { accountOf, pipelineFromEnv } from '../lib/composition.js';

export const run = (event: unknown, deps: IamChangeDeps) => onIamChange(event, deps);

export const handler = middy()
  .use(structuredLog({ fn: 'iam-change' }))
  .handler((event: unknown) => run(event, pipelineFromEnv(accountOf(event))));
