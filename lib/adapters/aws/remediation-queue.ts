// Hands a role to the remediation function. Messages carry only the role ARN (and, for an approval, the plan hash): the
// remediator re-reads state. On the FIFO queue every message of a role shares one group (the role ARN), so SQS hands a
// role's messages to one invocation at a time, in order; the per-role lease (role-locks.ts) covers every other writer.
import { randomUUID } from 'node:crypto';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { RemediationQueue } from '../../app/ports.js';
import { call } from './sdk-call.js';

export class SqsRemediationQueue implements RemediationQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueue(roleArn: string, reason: string): Promise<void> {
    // Every handler is idempotent, so deduplication is not needed: each message gets an id of its own.
    const fifo = this.queueUrl.endsWith('.fifo') ? { MessageGroupId: roleArn, MessageDeduplicationId: randomUUID() } : {};
    await call('sqs', 'SendMessage', () =>
      this.sqs.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify({ roleArn, reason }), ...fifo })),
    );
  }
}
