// The remediation queue's SQS batches through Powertools' batch processor: records one at a time (the change budget is
// spent per change, atomically, in DynamoDB), each parsed on its own, and only the failed ones reported back (ReportBatchItemFailures)
// so one bad message is retried, then dead-lettered, alone.
import { BatchProcessor, EventType } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse } from 'aws-lambda';
import { onRemediationMessage, type MessageOutcome, type RemediationMessageDeps } from '../app/on-remediation-message.js';
import { parseEvent, parseJsonEvent, remediationMessage, sqsBatch } from './events.js';
import { errorChain, logger } from './lambda.js';

/** `deps` for the home account, or a function giving each role's account its own (organizations). */
export type RemediationDepsFor = RemediationMessageDeps | ((roleArn: string) => Promise<RemediationMessageDeps>);

export async function remediationBatch(
  event: unknown,
  deps: RemediationDepsFor,
): Promise<SQSBatchResponse & { outcomes: MessageOutcome[] }> {
  const batch = parseEvent(sqsBatch, event);
  const outcomes: MessageOutcome[] = [];
  const processor = new BatchProcessor(EventType.SQS);
  // FIFO: once a message of a group (a role) failed, the group's later messages fail too, so they are retried after it,
  // in order, never overtaking it.
  const failedGroups = new Set<string>();
  processor.register(
    batch.Records,
    async (record: { messageId: string; body: string; attributes?: { MessageGroupId?: string } }) => {
      const group = record.attributes?.MessageGroupId;
      if (group && failedGroups.has(group)) throw new Error('an earlier message of its group failed: retried after it');
      try {
        const msg = parseJsonEvent(remediationMessage, record.body, `message ${record.messageId}`);
        outcomes.push(await onRemediationMessage(msg, typeof deps === 'function' ? await deps(msg.roleArn) : deps));
      } catch (err) {
        if (group) failedGroups.add(group);
        throw err;
      }
    },
    { processInParallel: false, throwOnFullBatchFailure: false },
  );
  const results = await processor.process();
  for (const [status, error, record] of results) {
    if (status !== 'fail') continue;
    const messageId = (record as { messageId?: string }).messageId;
    logger.warn('message failed', { fn: 'remediate', messageId, error: errorChain(error) });
  }
  return { ...processor.response(), outcomes };
}
