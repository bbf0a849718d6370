// Reading what Leash sent: queue bodies as they are, SNS envelopes (Subject included), and notices parsed from them.
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { AwsClients } from '../../../lib/adapters/aws/clients.js';

/** One SNS notification as a subscriber sees it. */
export interface Notice {
  subject: string;
  role: string;
  /** The readable finding lines (`[severity] kind: action on resource (reason)`). */
  lines: string[];
}

export interface Envelope {
  subject: string;
  message: string;
}

/** Every body waiting on a queue; each stays invisible for 10 minutes, so it is seen once. */
export async function drain(clients: Pick<AwsClients, 'sqs'>, queueUrl: string): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const res = await clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 600 }),
    );
    if (!res.Messages?.length) return bodies;
    bodies.push(...res.Messages.map((m) => m.Body ?? ''));
  }
}

export function parseEnvelope(body: string): Envelope {
  const env = JSON.parse(body || '{}') as { Subject?: string; Message?: string };
  return { subject: env.Subject ?? '', message: env.Message ?? '' };
}

export function parseNotice(e: Envelope): Notice {
  const head = e.message.split('\n\n{')[0]!;
  return {
    subject: e.subject,
    role: /^Role: (.+)$/m.exec(head)?.[1] ?? '',
    lines: head.split('\n').filter((l) => l.startsWith('[')),
  };
}
