// Hands a role to the remediation function. Messages carry only the role ARN: the remediator re-reads state.
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { RemediationQueue } from '../../app/ports.js';
import { call } from './sdk-call.js';

export class SqsRemediationQueue implements RemediationQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueue(roleArn: string, reason: string): Promise<void> {
    await call('sqs', 'SendMessage', () =>
      this.sqs.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify({ roleArn, reason }) })),
    );
  }
}
