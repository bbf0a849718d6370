// The failure queue (Lambda on-failure destination) as the redrive reads it: receive a batch, delete one message.
import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Dlq, DlqMessage } from '../../app/ports.js';
import { call } from './sdk-call.js';

export class SqsDlq implements Dlq {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    /** How long a received message stays hidden; one that fails its redrive reappears after this. */
    private readonly visibilityTimeoutSeconds = 300,
  ) {}

  async receive(): Promise<DlqMessage[]> {
    const res = await call('sqs', 'ReceiveMessage', () =>
      this.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: this.queueUrl,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: this.visibilityTimeoutSeconds,
          WaitTimeSeconds: 0,
        }),
      ),
    );
    return (res.Messages ?? [])
      .filter((m) => m.MessageId && m.ReceiptHandle)
      .map((m) => ({ id: m.MessageId!, receiptHandle: m.ReceiptHandle!, body: m.Body ?? '' }));
  }

  async delete(message: DlqMessage): Promise<void> {
    await call('sqs', 'DeleteMessage', () =>
      this.sqs.send(new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: message.receiptHandle })),
    );
  }
}
