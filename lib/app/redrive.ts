// DLQ redrive: replays events that Lambda gave up on (async invocation, retries exhausted) through the handler
// that failed them. A message is deleted only after its handler succeeded, so nothing is lost; handlers re-read
// current state, so replaying an old or duplicated event is safe.
import { EventError } from '../errors.js';

/** One message as the queue hands it over. */
export interface DlqMessage {
  id: string;
  receiptHandle: string;
  body: string;
}

export interface DlqPort {
  /** Up to 10 messages; received ones stay invisible for the queue's visibility timeout. */
  receive(): Promise<DlqMessage[]>;
  delete(message: DlqMessage): Promise<void>;
}

/** Lambda's on-failure destination record (asynchronous invocation). */
export interface FailureRecord {
  version?: string;
  timestamp?: string;
  requestContext: { requestId?: string; functionArn: string; condition?: string; approximateInvokeCount?: number };
  requestPayload: unknown;
  responseContext?: { statusCode?: number; executedVersion?: string; functionError?: string };
  responsePayload?: unknown;
}

export type EventHandler = (event: unknown) => Promise<unknown>;

export interface RedriveOutcome {
  messageId: string;
  function?: string;
  error?: string;
}

export interface RedriveSummary {
  redriven: RedriveOutcome[];
  /** Handler failed again: the message stays in the queue and comes back after its visibility timeout. */
  failed: RedriveOutcome[];
  /** Not a failure record, or no handler for its function: left in the queue for a person. */
  unreadable: RedriveOutcome[];
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseFailureRecord(body: string, source: string): FailureRecord {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (cause) {
    throw new EventError('message body is not JSON', source, '$', { cause });
  }
  if (!isObj(value)) throw new EventError('expected an on-failure destination record object', source, '$');
  const ctx = value.requestContext;
  if (!isObj(ctx)) throw new EventError('expected requestContext (Lambda on-failure destination record)', source, '$.requestContext');
  if (typeof ctx.functionArn !== 'string') throw new EventError('expected the failed function ARN', source, '$.requestContext.functionArn');
  if (!('requestPayload' in value)) throw new EventError('expected the original event', source, '$.requestPayload');
  return value as unknown as FailureRecord;
}

/** `arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]` → `<name>`. */
export function functionNameOf(functionArn: string): string {
  const parts = functionArn.split(':');
  return parts[5] === 'function' && parts[6] ? parts[6] : functionArn;
}

/** The handler for a function: keyed by its full name, or by the short name Serverless suffixes
 *  (`leash-prod-iam-change` → `iam-change`). The longest matching key wins. */
export function handlerFor(handlers: Record<string, EventHandler>, functionName: string): EventHandler | undefined {
  if (handlers[functionName]) return handlers[functionName];
  const key = Object.keys(handlers)
    .filter((k) => functionName.endsWith(`-${k}`))
    .sort((a, b) => b.length - a.length)[0];
  return key ? handlers[key] : undefined;
}

const describe = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));

export async function redrive(
  dlq: DlqPort,
  handlers: Record<string, EventHandler>,
  opts: { maxMessages?: number } = {},
): Promise<RedriveSummary> {
  const max = opts.maxMessages ?? 1000;
  const summary: RedriveSummary = { redriven: [], failed: [], unreadable: [] };
  const seen = new Set<string>();
  while (seen.size < max) {
    const batch = (await dlq.receive()).filter((m) => !seen.has(m.id));
    // Empty, or only messages already tried in this run (their visibility timeout ran out): stop.
    if (!batch.length) break;
    for (const message of batch) {
      seen.add(message.id);
      let record: FailureRecord;
      try {
        record = parseFailureRecord(message.body, `message ${message.id}`);
      } catch (err) {
        summary.unreadable.push({ messageId: message.id, error: describe(err) });
        continue;
      }
      const fn = functionNameOf(record.requestContext.functionArn);
      const handler = handlerFor(handlers, fn);
      if (!handler) {
        summary.unreadable.push({ messageId: message.id, function: fn, error: `no handler for function ${fn}` });
        continue;
      }
      try {
        await handler(record.requestPayload);
      } catch (err) {
        summary.failed.push({ messageId: message.id, function: fn, error: describe(err) });
        continue;
      }
      await dlq.delete(message);
      summary.redriven.push({ messageId: message.id, function: fn });
    }
  }
  return summary;
}
