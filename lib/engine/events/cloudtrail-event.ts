// Validates the EventBridge envelope of a CloudTrail-sourced event ("AWS API Call via CloudTrail").
// Handlers treat the event as a trigger only and re-read current state, so only identifying fields matter.
import { EventError } from '../../errors.js';

export interface ApiCallEvent {
  id: string;
  account: string;
  region: string;
  time: string;
  eventName: string;
  eventSource: string;
  errorCode?: string;
  /** ARN of the role (sessionIssuer) or user that made the call. */
  actorArn?: string;
  requestParameters: Record<string, unknown>;
  responseElements: Record<string, unknown>;
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function str(obj: Obj, key: string, source: string, path: string): string {
  const v = obj[key];
  if (typeof v !== 'string' || v === '') throw new EventError(`expected a non-empty string`, source, `${path}.${key}`);
  return v;
}

export function optStr(obj: Obj | undefined, key: string): string | undefined {
  const v = obj?.[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function actorOf(identity: unknown): string | undefined {
  if (!isObj(identity)) return undefined;
  const issuer = isObj(identity.sessionContext) && isObj(identity.sessionContext.sessionIssuer) ? identity.sessionContext.sessionIssuer : undefined;
  return optStr(issuer, 'arn') ?? optStr(identity, 'arn');
}

export function parseApiCallEvent(event: unknown, expectedSource: string): ApiCallEvent {
  const src = isObj(event) && typeof event.id === 'string' ? `event ${event.id}` : 'event';
  if (!isObj(event)) throw new EventError('expected an EventBridge event object', src, '$');
  if (event['detail-type'] !== 'AWS API Call via CloudTrail') {
    throw new EventError(`expected detail-type "AWS API Call via CloudTrail", got ${JSON.stringify(event['detail-type'])}`, src, '$.detail-type');
  }
  if (event.source !== expectedSource) {
    throw new EventError(`expected source "${expectedSource}", got ${JSON.stringify(event.source)}`, src, '$.source');
  }
  const detail = event.detail;
  if (!isObj(detail)) throw new EventError('missing the CloudTrail record', src, '$.detail');
  const errorCode = optStr(detail, 'errorCode');
  const requestParameters = detail.requestParameters;
  const responseElements = detail.responseElements;
  return {
    id: str(event, 'id', src, '$'),
    account: str(event, 'account', src, '$'),
    region: optStr(detail, 'awsRegion') ?? str(event, 'region', src, '$'),
    time: optStr(detail, 'eventTime') ?? str(event, 'time', src, '$'),
    eventName: str(detail, 'eventName', src, '$.detail'),
    eventSource: str(detail, 'eventSource', src, '$.detail'),
    ...(errorCode ? { errorCode } : {}),
    actorArn: actorOf(detail.userIdentity),
    requestParameters: isObj(requestParameters) ? requestParameters : {},
    responseElements: isObj(responseElements) ? responseElements : {},
  };
}

export { isObj };
