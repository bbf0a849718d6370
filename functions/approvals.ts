// HTTP API: POST /slack/interactivity, GET and POST /approve/{token} (routing: lib/edge/http-approvals.ts).
import type { ApprovalRequestDeps } from '../lib/app/approval-requests.js';
import { approvalsFor } from '../lib/composition-approvals.js';
import { httpRequest, parseEvent } from '../lib/edge/events.js';
import { approvalSecrets, approvalsEndpoint } from '../lib/edge/http-approvals.js';
import { lambdaHandler } from '../lib/edge/lambda.js';
import { httpReport } from '../lib/edge/reports.js';

export const run = (event: unknown, deps: ApprovalRequestDeps) => approvalsEndpoint(parseEvent(httpRequest, event), deps);

/** The Lambda handler over given dependencies (the deployed one reads them from the environment). */
export const handlerWith = (deps: () => ApprovalRequestDeps) =>
  lambdaHandler('approvals', async (event) => run(event, deps()), httpReport, approvalSecrets);

export const handler = handlerWith(() => approvalsFor());
