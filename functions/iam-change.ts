// EventBridge: IAM role and managed-policy changes (recorded in us-east-1, forwarded to the home Region).
import { onIamChange, type IamChangeDeps } from '../lib/app/on-iam-change.js';
import { pipelineFor } from '../lib/composition.js';
import { accountOf, iamApiCall, parseEvent } from '../lib/edge/events.js';
import { lambdaHandler } from '../lib/edge/lambda.js';
import { pipelineReport } from '../lib/edge/reports.js';

export const run = (event: unknown, deps: IamChangeDeps) => onIamChange(parseEvent(iamApiCall, event), deps);

export const handler = lambdaHandler('iam-change', (event) => run(event, pipelineFor(accountOf(event))), pipelineReport);
