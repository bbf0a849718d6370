// DLQ redrive: replays what Leash's functions gave up on through the function that failed it. A message is deleted
// only after that function succeeded, so nothing is lost; handlers re-read current state, so replaying an old or
// duplicated event is safe. Three shapes reach Leash's DLQs:
//   - Lambda's on-failure destination record (async invocation, retries exhausted): the function is in the record;
//   - an EventBridge target's DLQ message (delivery failed): the body is the event, the TARGET_ARN attribute the
//     function;
//   - a remediation-queue message that failed maxReceiveCount times: the function is the queue's consumer, and it is
//     handed the message again as the SQS event Lambda would have built.
// Where a message says which function to run, that is text anyone who may send to the queue controls: the caller's
// resolver decides whether it is one of Leash's own functions before anything runs (the CLI: lib/cli/redrive-aws.ts).
import { EventError } from '../errors.js';
import type { Dlq, DlqMessage } from './ports.js';

export type { DlqMessage };
/** The failure queue as the redrive reads it (the port in ports.ts). */
export type DlqPort = Dlq;

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

/** Where one message goes: the function (its name, and its ARN when the message gave one) and the event it gets. */
export interface Route {
  function: string;
  functionArn?: string;
  payload: unknown;
  /** `sqs`: the function answers with an SQS batch response; a reported item failure is a failure. */
  shape: 'on-failure' | 'eventbridge-dlq' | 'sqs';
}

export type Router = (message: DlqMessage) => Route;

/** The handler for a route, or why there is none (the message is then left in the queue for a person). */
export type Resolver = (route: Route) => EventHandler | { refused: string };

export interface RedriveOutcome {
  messageId: string;
  function?: string;
  error?: string;
}

export interface RedriveSummary {
  redriven: RedriveOutcome[];
  /** The function failed again: the message stays in the queue. */
  failed: RedriveOutcome[];
  /** Not a shape Leash knows, or no function of Leash's for it: left in the queue for a person. */
  unreadable: RedriveOutcome[];
  /** Not for the function asked for (`only`): left in the queue. */
  skipped: RedriveOutcome[];
  /** Dry run: what would have been redriven (left in the queue). */
  planned: RedriveOutcome[];
}

export interface RedriveOptions {
  /** Messages looked at, at most (default 1000). */
  maxMessages?: number;
  /** How a message names its function and event (default: routeOf, for the events DLQ). */
  route?: Router;
  /** Only messages for functions this accepts are redriven; others are skipped. */
  only?: (fn: string) => boolean;
  /** Look, say where each message would go, change nothing. */
  dryRun?: boolean;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function json(body: string, source: string): unknown {
  try {
    return JSON.parse(body);
  } catch (cause) {
    throw new EventError('message body is not JSON', source, '$', { cause });
  }
}

export function parseFailureRecord(body: string, source: string): FailureRecord {
  const value = json(body, source);
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

const isFunctionArn = (arn: string) => /^arn:[^:]+:lambda:[^:]+:\d{12}:function:[^:]+(:[^:]+)?$/.test(arn);

/** An events-DLQ message: an EventBridge DLQ message when it carries TARGET_ARN, else an on-failure record. */
export function routeOf(message: DlqMessage): Route {
  const source = `message ${message.id}`;
  const target = message.attributes?.TARGET_ARN;
  if (target !== undefined) {
    if (!isFunctionArn(target)) {
      throw new EventError(`its target ${target.slice(0, 200)} is not a Lambda function`, source, 'attributes.TARGET_ARN');
    }
    return { function: functionNameOf(target), functionArn: target, payload: json(message.body, source), shape: 'eventbridge-dlq' };
  }
  const record = parseFailureRecord(message.body, source);
  const arn = record.requestContext.functionArn;
  return { function: functionNameOf(arn), functionArn: arn, payload: record.requestPayload, shape: 'on-failure' };
}

/** A message of an SQS source queue's DLQ, handed to `fn` as the one-record SQS event Lambda builds from it. */
export function sqsRoute(fn: string, sourceQueueArn: string, region: string): Router {
  return (m) => ({
    function: fn,
    shape: 'sqs',
    payload: {
      Records: [
        {
          messageId: m.id,
          receiptHandle: m.receiptHandle,
          body: m.body,
          attributes: {
            ApproximateReceiveCount: m.system?.ApproximateReceiveCount ?? '1',
            SentTimestamp: m.system?.SentTimestamp ?? '0',
            SenderId: m.system?.SenderId ?? 'leash-redrive',
            ApproximateFirstReceiveTimestamp: m.system?.ApproximateFirstReceiveTimestamp ?? '0',
          },
          messageAttributes: {},
          md5OfBody: m.md5OfBody ?? '',
          eventSource: 'aws:sqs',
          eventSourceARN: m.system?.DeadLetterQueueSourceArn ?? sourceQueueArn,
          awsRegion: region,
        },
      ],
    },
  });
}

/** The handler for a function: keyed by its full name, or by the short name Serverless suffixes
 *  (`leash-prod-iam-change` → `iam-change`). The longest matching key wins. */
export function handlerFor(handlers: Record<string, EventHandler>, functionName: string): EventHandler | undefined {
  if (Object.hasOwn(handlers, functionName)) return handlers[functionName];
  const key = Object.keys(handlers)
    .filter((k) => functionName.endsWith(`-${k}`))
    .sort((a, b) => b.length - a.length)[0];
  return key ? handlers[key] : undefined;
}

/** An SQS consumer's answer: the items it reports as failed (Powertools batch response). */
function reportedFailures(result: unknown): number {
  const failures = isObj(result) ? result.batchItemFailures : undefined;
  return Array.isArray(failures) ? failures.length : 0;
}

const describe = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));

export async function redrive(
  dlq: DlqPort,
  handlers: Record<string, EventHandler> | Resolver,
  opts: RedriveOptions = {},
): Promise<RedriveSummary> {
  const max = opts.maxMessages ?? 1000;
  const route = opts.route ?? routeOf;
  const resolve: Resolver =
    typeof handlers === 'function'
      ? handlers
      : (r) => handlerFor(handlers, r.function) ?? { refused: `no handler for function ${r.function}` };
  const summary: RedriveSummary = { redriven: [], failed: [], unreadable: [], skipped: [], planned: [] };
  const seen = new Map<string, DlqMessage>();
  const kept: DlqMessage[] = [];
  while (seen.size < max) {
    const batch = (await dlq.receive()).filter((m) => !seen.has(m.id)).slice(0, max - seen.size);
    // Empty, or only messages already tried in this run (their visibility timeout ran out): stop.
    if (!batch.length) break;
    for (const message of batch) {
      seen.set(message.id, message);
      const outcome = await redriveOne(message, route, resolve, opts, summary);
      if (outcome === 'deleted') await dlq.delete(message);
      else kept.push(message);
    }
  }
  // What stays in the queue is visible again at once (a fix and a second run need not wait out the timeout).
  if (dlq.release) for (const m of kept) await dlq.release(m);
  return summary;
}

async function redriveOne(
  message: DlqMessage,
  route: Router,
  resolve: Resolver,
  opts: RedriveOptions,
  summary: RedriveSummary,
): Promise<'deleted' | 'kept'> {
  let r: Route;
  try {
    r = route(message);
  } catch (err) {
    summary.unreadable.push({ messageId: message.id, error: describe(err) });
    return 'kept';
  }
  const fn = r.function;
  if (opts.only && !opts.only(fn)) {
    summary.skipped.push({ messageId: message.id, function: fn });
    return 'kept';
  }
  const handler = resolve(r);
  if (typeof handler !== 'function') {
    summary.unreadable.push({ messageId: message.id, function: fn, error: handler.refused });
    return 'kept';
  }
  if (opts.dryRun) {
    summary.planned.push({ messageId: message.id, function: fn });
    return 'kept';
  }
  try {
    const result = await handler(r.payload);
    if (r.shape === 'sqs' && reportedFailures(result)) throw new Error('the function reported the message as failed');
  } catch (err) {
    summary.failed.push({ messageId: message.id, function: fn, error: describe(err) });
    return 'kept';
  }
  summary.redriven.push({ messageId: message.id, function: fn });
  return 'deleted';
}

// --- Leash's own queues and functions, by the names serverless.yml gives them (`<stack>-<name>`) ---

/** Leash's functions, as serverless.yml names them after the stack (`leash-prod-iam-change`). */
export const LEASH_FUNCTIONS = [
  'task-definition-change',
  'iam-change',
  'denial',
  'task-stopped',
  'reconcile',
  'remediate',
  'approvals',
  'watch',
] as const;

export type LeashQueue = { kind: 'events' | 'remediation'; stack: string };

/** The stack's two DLQs: failed events and async invocations, and remediation messages. */
export function stackQueues(stack: string): { events: string; remediation: string } {
  return { events: `${stack}-events-dlq`, remediation: `${stack}-remediation-dlq` };
}

/** Which of a stack's DLQs a queue name is; undefined when it is none. */
export function leashQueueOf(queueName: string): LeashQueue | undefined {
  const m = /^(.+)-(events|remediation)-dlq$/.exec(queueName);
  return m ? { kind: m[2] as LeashQueue['kind'], stack: m[1]! } : undefined;
}

/** The full name for `--function`: a short name (`iam-change`) or the full one (`leash-prod-iam-change`). */
export function stackFunction(stack: string, fn: string): string | undefined {
  const short = fn.startsWith(`${stack}-`) ? fn.slice(stack.length + 1) : fn;
  return (LEASH_FUNCTIONS as readonly string[]).includes(short) ? `${stack}-${short}` : undefined;
}

/**
 * Resolves a route only to one of the stack's own functions, in the queue's account and the Region the caller
 * invokes in: a message naming any other function (or account) is refused and left for a person, never run.
 */
export function stackResolver(
  place: { stack: string; account: string; region: string },
  invoke: (fn: string, event: unknown) => Promise<unknown>,
): Resolver {
  return (route) => {
    const fn = stackFunction(place.stack, route.function);
    if (fn !== route.function) {
      return {
        refused: `${route.function.slice(0, 140)} is not a function of stack ${place.stack} (${place.stack}-<${LEASH_FUNCTIONS.join('|')}>)`,
      };
    }
    if (route.functionArn) {
      const [, , , region, account] = route.functionArn.split(':');
      if (account !== place.account || region !== place.region) {
        return { refused: `${route.functionArn.slice(0, 200)} is not in account ${place.account}, Region ${place.region}` };
      }
    }
    return (event) => invoke(fn, event);
  };
}
