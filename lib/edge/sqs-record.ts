// One SQS record of a Lambda event source batch: the same fields and checks as Powertools' SqsRecordSchema
// (@aws-lambda-powertools/parser), written in zod/mini so the remediation function does not bundle zod's classic API.
import * as z from 'zod/mini';

const str = z.string();
const optStr = z.optional(z.string());

const messageAttribute = z.object({
  stringValue: z.optional(z.nullable(str)),
  binaryValue: z.optional(z.nullable(str)),
  stringListValues: z.optional(z.array(str)),
  binaryListValues: z.optional(z.array(str)),
  dataType: str, // 'String' | 'Number' | 'Binary', optionally with a custom suffix
});

export const sqsRecord = z.object({
  messageId: str,
  receiptHandle: str,
  body: str,
  attributes: z.object({
    ApproximateReceiveCount: str,
    ApproximateFirstReceiveTimestamp: str,
    MessageDeduplicationId: optStr,
    MessageGroupId: optStr,
    SenderId: str,
    SentTimestamp: str,
    SequenceNumber: optStr,
    AWSTraceHeader: optStr,
    DeadLetterQueueSourceArn: optStr,
  }),
  messageAttributes: z.record(str, messageAttribute),
  md5OfBody: str,
  md5OfMessageAttributes: z.optional(z.nullable(str)),
  eventSource: z.literal('aws:sqs'),
  eventSourceARN: str,
  awsRegion: str,
});
