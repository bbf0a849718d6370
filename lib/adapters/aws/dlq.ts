// A failure queue as the redrive reads it: receive a batch (with the message and system attributes that say where a
// message came from), delete one message, or release it (visible again at once).
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Dlq, DlqMessage } from '../../app/ports.js';
import { call } from './sdk-call.js';

export interface SqsDlqOptions {
  /** How long a received message stays hidden; one that fails its redrive reappears after this. */
  visibilityTimeoutSeconds?: number;
  /** Messages per receive (1–10): 1 when each may take long to redrive, so none waits hidden behind another. */
  batchSize?: number;
  /** Long polling (0–20 s): SQS then asks every server, so a queue holding a few messages never reads as empty. */
  waitSeconds?: number;
}

export class SqsDlq implements Dlq {
  private readonly opts: Required<SqsDlqOptions>;

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    opts: SqsDlqOptions | number = {},
  ) {
    const o = typeof opts === 'number' ? { visibilityTimeoutSeconds: opts } : opts;
    this.opts = {
      visibilityTimeoutSeconds: o.visibilityTimeoutSeconds ?? 300,
      batchSize: o.batchSize ?? 10,
      waitSeconds: o.waitSeconds ?? 0,
    };
  }

  async receive(): Promise<DlqMessage[]> {
    const res = await call('sqs', 'ReceiveMessage', () =>
      this.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: this.queueUrl,
          MaxNumberOfMessages: this.opts.batchSize,
          VisibilityTimeout: this.opts.visibilityTimeoutSeconds,
          WaitTimeSeconds: this.opts.waitSeconds,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
        }),
      ),
    );
    return (res.Messages ?? [])
      .filter((m) => m.MessageId && m.ReceiptHandle)
      .map((m) => {
        const attributes = Object.fromEntries(
          Object.entries(m.MessageAttributes ?? {}).flatMap(([k, v]) => (v.StringValue !== undefined ? [[k, v.StringValue]] : [])),
        );
        const system = Object.fromEntries(
          Object.entries(m.Attributes ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string'),
        );
        return {
          id: m.MessageId!,
          receiptHandle: m.ReceiptHandle!,
          body: m.Body ?? '',
          ...(Object.keys(attributes).length ? { attributes } : {}),
          ...(Object.keys(system).length ? { system } : {}),
          ...(m.MD5OfBody ? { md5OfBody: m.MD5OfBody } : {}),
        };
      });
  }

  async delete(message: DlqMessage): Promise<void> {
    await call('sqs', 'DeleteMessage', () =>
      this.sqs.send(new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: message.receiptHandle })),
    );
  }

  async release(message: DlqMessage): Promise<void> {
    await call('sqs', 'ChangeMessageVisibility', () =>
      this.sqs.send(
        new ChangeMessageVisibilityCommand({ QueueUrl: this.queueUrl, ReceiptHandle: message.receiptHandle, VisibilityTimeout: 0 }),
      ),
    );
  }
}
