// A CloudTrail-sourced EventBridge event ("AWS API Call via CloudTrail"), as the edge (lib/edge/events.ts) parses
// it: handlers treat it as a trigger and re-read current state, so only identifying fields are kept.

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

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function optStr(obj: Obj | undefined, key: string): string | undefined {
  const v = obj?.[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The session issuer's ARN for an assumed role, else the identity's own ARN. */
export function actorOf(identity: unknown): string | undefined {
  if (!isObj(identity)) return undefined;
  const issuer = isObj(identity.sessionContext) && isObj(identity.sessionContext.sessionIssuer) ? identity.sessionContext.sessionIssuer : undefined;
  return optStr(issuer, 'arn') ?? optStr(identity, 'arn');
}
