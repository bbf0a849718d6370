// HTTP API: POST /slack/interactivity, GET and POST /approve/{token}.
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { awsConfigFromEnv } from '../lib/adapters/aws/clients.js';
import { handleApprovalRequest, type HttpApprovalDeps } from '../lib/app/http-approvals.js';
import { structuredLog } from '../lib/app/middleware/structured-log.js';
import { remediationFromEnv } from '../lib/composition-remediation.js';

export const run = (event: APIGatewayProxyEventV2, deps: HttpApprovalDeps) => handleApprovalRequest(event, deps);

export const handler = middy<APIGatewayProxyEventV2>()
  .use(structuredLog({ fn: 'approvals' }))
  .handler(async (event) => run(event, await remediationFromEnv(awsConfigFromEnv)));
