// SQS: roles whose findings changed, and rollback requests from the watch. Reports partial batch failures so one
// bad message is retried (and then dead-lettered) alone.
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { awsConfigFromEnv } from '../lib/adapters/aws/clients.js';
import { structuredLog } from '../lib/app/middleware/structured-log.js';
import {
  onRemediationMessage,
  parseRemediationMessage,
  type MessageOutcome,
  type RemediationMessageDeps,
} from '../lib/app/on-remediation-message.js';
import { remediationFromEnv } from '../lib/composition-remediation.js';

/** `deps` for the home account, or a function giving each role's account its own (organizations). */
export async function run(
  event: SQSEvent,
  deps: RemediationMessageDeps | ((roleArn: string) => Promise<RemediationMessageDeps>),
): Promise<SQSBatchResponse & { outcomes: MessageOutcome[] }> {
  const outcomes: MessageOutcome[] = [];
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  const run = { changedThisRun: 0 };
  for (const record of event.Records ?? []) {
    try {
      const msg = parseRemediationMessage(record.body, `message ${record.messageId}`);
      const acting = typeof deps === 'function' ? await deps(msg.roleArn) : deps;
      const outcome = await onRemediationMessage(msg, acting, run);
      if (outcome.outcome === 'applied' || outcome.outcome === 'rolled-back') run.changedThisRun++;
      outcomes.push(outcome);
    } catch (err) {
      console.log(
        JSON.stringify({ fn: 'remediate', messageId: record.messageId, error: `${(err as Error).name}: ${(err as Error).message}` }),
      );
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures, outcomes };
}

export const handler = middy<SQSEvent>()
  .use(structuredLog({ fn: 'remediate' }))
  .handler((event) => run(event, (roleArn) => remediationFromEnv(awsConfigFromEnv, roleArn.split(':')[4])));
