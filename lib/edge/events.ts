// The typed edge: each function parses its event into the input its use case takes, here, before anything else
// runs. A schema failure becomes an EventError naming the JSON path of the first problem (the Lambda fails, so the
// event reaches the DLQ). Keys are checked in the order written: an event of the wrong kind is named by its
// detail-type (or source) before anything else about it.
// zod/mini (tree-shaken, ~25 KB) rather than zod's classic API, which bundles every locale and JSON-schema tool
// (~450 KB) and was a third of each function's bundle: module init is paid on every cold start.
import { en } from 'zod/locales';
import * as z from 'zod/mini';
import { sqsRecord } from './sqs-record.js';
import { isRoleArn } from '../engine/arn.js';
import { actorOf, isObj, type ApiCallEvent } from '../engine/events/cloudtrail-event.js';
import { EventError } from '../errors.js';

z.config(en()); // the messages of issues `describe` does not word itself

const text = z.string().check(z.minLength(1));
const anyObject = z.record(z.string(), z.unknown());

/** "AWS API Call via CloudTrail" from one service (`aws.ecs`, `aws.iam`), reduced to what the handlers use. */
function apiCall(source: string) {
  const shape = z.looseObject({
    'detail-type': z.literal('AWS API Call via CloudTrail'),
    source: z.literal(source),
    detail: z.looseObject({
      eventName: text,
      eventSource: text,
      awsRegion: z.optional(z.string()),
      eventTime: z.optional(z.string()),
      errorCode: z.optional(z.unknown()),
      userIdentity: z.optional(z.unknown()),
      requestParameters: z.optional(z.unknown()),
      responseElements: z.optional(z.unknown()),
    }),
    id: text,
    account: text,
    region: z.optional(z.string()),
    time: z.optional(z.string()),
  });
  return z.pipe(
    shape,
    z.transform((e: z.output<typeof shape>, ctx): ApiCallEvent => {
      const d = e.detail;
      const region = nonEmpty(d.awsRegion) ?? nonEmpty(e.region);
      const time = nonEmpty(d.eventTime) ?? nonEmpty(e.time);
      if (!region) ctx.issues.push({ code: 'custom', path: ['region'], message: 'expected a non-empty string', input: e.region });
      if (!time) ctx.issues.push({ code: 'custom', path: ['time'], message: 'expected a non-empty string', input: e.time });
      const errorCode = nonEmpty(d.errorCode);
      return {
        id: e.id,
        account: e.account,
        region: region ?? '',
        time: time ?? '',
        eventName: d.eventName,
        eventSource: d.eventSource,
        ...(errorCode ? { errorCode } : {}),
        actorArn: actorOf(d.userIdentity),
        requestParameters: isObj(d.requestParameters) ? d.requestParameters : {},
        responseElements: isObj(d.responseElements) ? d.responseElements : {},
      };
    }),
  );
}

const nonEmpty = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export const ecsApiCall = apiCall('aws.ecs');
export const iamApiCall = apiCall('aws.iam');

/** A CloudTrail record with an errorCode, from any service; the evidence engine reads the record itself. */
export const cloudTrailDenial = z.looseObject({
  'detail-type': z.literal('AWS API Call via CloudTrail'),
  detail: anyObject,
  id: z.optional(z.string()),
  account: z.optional(z.string()),
});
export type CloudTrailDenialEvent = z.infer<typeof cloudTrailDenial>;

/** ECS Task State Change; the stop-reason engine reads the detail itself. */
export const taskStateChange = z.looseObject({
  'detail-type': z.literal('ECS Task State Change'),
  detail: anyObject,
  id: z.optional(z.string()),
  account: z.optional(z.string()),
});
export type TaskStateChangeEvent = z.infer<typeof taskStateChange>;

/** EventBridge Scheduled Event (the sweep, the watch); `detail.restart: true` starts a sweep afresh. */
const scheduledShape = z.looseObject({ 'detail-type': z.literal('Scheduled Event'), detail: z.optional(z.unknown()) });
export const scheduledEvent = z.pipe(
  scheduledShape,
  z.transform((e: z.output<typeof scheduledShape>) => ({ restart: isObj(e.detail) && e.detail.restart === true })),
);
export type ScheduledRun = z.output<typeof scheduledEvent>;

/** The SQS batch (the record shape of Powertools' schema); each body is parsed on its own, so one bad message fails alone. */
export const sqsBatch = z.object({ Records: z.array(sqsRecord) });
export type SqsBatch = z.output<typeof sqsBatch>;

/** A remediation queue message: `{roleArn, reason}` (the remediator re-reads everything else). */
export const remediationMessage = z.object({
  roleArn: z.string().check(z.refine(isRoleArn, { message: 'expected roleArn, an IAM role ARN' })),
  reason: z.pipe(
    z.unknown(),
    z.transform((r) => (typeof r === 'string' ? r : '')),
  ),
});
export type RemediationMessage = z.output<typeof remediationMessage>;

/** API Gateway HTTP API (payload 2.0), the parts the approvals endpoint reads. */
const httpShape = z.looseObject({
  rawPath: z.string(),
  requestContext: z.looseObject({ http: z.looseObject({ method: text }) }),
  headers: z.optional(z.record(z.string(), z.optional(z.string()))),
  body: z.optional(z.string()),
  isBase64Encoded: z.optional(z.boolean()),
});
export const httpRequest = z.pipe(
  httpShape,
  z.transform((e: z.output<typeof httpShape>) => ({
    method: e.requestContext.http.method.toUpperCase(),
    path: e.rawPath,
    headers: Object.fromEntries(Object.entries(e.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v ?? ''])),
    body: e.body === undefined ? '' : e.isBase64Encoded ? Buffer.from(e.body, 'base64').toString('utf8') : e.body,
  })),
);
export type HttpRequest = z.output<typeof httpRequest>;

/** Parses `value` with `schema`, or throws an EventError naming the first problem's JSON path. */
export function parseEvent<S extends z.ZodMiniType>(schema: S, value: unknown, source = sourceOf(value)): z.output<S> {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new EventError(describe(issue), source, jsonPath(issue.path), { cause: result.error });
}

/** Parses a JSON text (a queue message body) with `schema`. */
export function parseJsonEvent<S extends z.ZodMiniType>(schema: S, body: string, source: string): z.output<S> {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (cause) {
    throw new EventError('message body is not JSON', source, '$', { cause });
  }
  return parseEvent(schema, value, source);
}

/** The account an EventBridge event came from (forwarded events keep it), when it names one. */
export function accountOf(event: unknown): string | undefined {
  const account = isObj(event) ? event.account : undefined;
  return typeof account === 'string' && /^\d{12}$/.test(account) ? account : undefined;
}

function sourceOf(value: unknown): string {
  return isObj(value) && typeof value.id === 'string' && value.id ? `event ${value.id.slice(0, 100)}` : 'event';
}

export function jsonPath(path: readonly PropertyKey[]): string {
  return (
    '$' +
    path
      .map((k) =>
        typeof k === 'number' ? `[${k}]` : /^[A-Za-z_$][\w$-]*$/.test(String(k)) ? `.${String(k)}` : `[${JSON.stringify(String(k))}]`,
      )
      .join('')
  );
}

const shown = (v: unknown): string => {
  const s = v === undefined ? 'nothing' : (JSON.stringify(v) ?? String(v));
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
};

function describe(issue: z.core.$ZodIssue): string {
  const input = 'input' in issue ? issue.input : undefined;
  const field = issue.path.length ? String(issue.path.at(-1)) : 'event';
  switch (issue.code) {
    case 'invalid_value':
      return `expected ${field} ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}, got ${shown(input)}`;
    case 'invalid_type':
      return issue.path.length
        ? `expected ${field} to be ${article(issue.expected)}, got ${shown(input)}`
        : `expected an event object, got ${shown(input)}`;
    case 'too_small':
      return `expected a non-empty ${field}`;
    default:
      return issue.message;
  }
}

const article = (expected: string): string => (expected === 'object' || expected === 'array' ? `an ${expected}` : `a ${expected}`);
