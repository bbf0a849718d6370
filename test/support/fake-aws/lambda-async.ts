// Lambda's asynchronous invocation, in-process: the event is tried once plus `retries` times (Lambda's default is
// 2), and when every attempt fails the on-failure destination receives the documented record shape.
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { FailureRecord } from '../../../lib/app/redrive.js';

export interface AsyncFunction {
  /** e.g. `leash-prod-iam-change` */
  name: string;
  run: (event: unknown) => Promise<unknown>;
}

export interface AsyncInvocation {
  ok: boolean;
  attempts: number;
  result?: unknown;
  error?: unknown;
}

export const FAKE_REGION = 'eu-west-1';
export const FAKE_ACCOUNT = '123456789012';

export function functionArn(name: string): string {
  return `arn:aws:lambda:${FAKE_REGION}:${FAKE_ACCOUNT}:function:${name}`;
}

export function failureRecord(fn: string, event: unknown, error: unknown, attempts: number, at: string, requestId: string): FailureRecord {
  const err = error instanceof Error ? error : new Error(String(error));
  return {
    version: '1.0',
    timestamp: at,
    requestContext: {
      requestId,
      functionArn: `${functionArn(fn)}:$LATEST`,
      condition: 'RetriesExhausted',
      approximateInvokeCount: attempts,
    },
    requestPayload: event,
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: { errorType: err.name, errorMessage: err.message, trace: (err.stack ?? '').split('\n').slice(1, 6) },
  };
}

export async function invokeAsync(
  fn: AsyncFunction,
  event: unknown,
  opts: { retries?: number; onFailure: (record: FailureRecord) => Promise<void>; requestId: string; now?: () => string },
): Promise<AsyncInvocation> {
  const attempts = 1 + (opts.retries ?? 2);
  let error: unknown;
  for (let i = 1; i <= attempts; i++) {
    try {
      return { ok: true, attempts: i, result: await fn.run(event) };
    } catch (err) {
      error = err;
    }
  }
  const at = opts.now?.() ?? '2026-11-20T10:00:00.000Z';
  await opts.onFailure(failureRecord(fn.name, event, error, attempts, at, opts.requestId));
  return { ok: false, attempts, error };
}

/** An on-failure destination that is an SQS queue (sent with a client that has no faults: Lambda does this). */
export function sqsDestination(sqs: SQSClient, queueUrl: string) {
  return async (record: FailureRecord): Promise<void> => {
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(record) }));
  };
}
