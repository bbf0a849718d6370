// CloudTrail record → Denial or Use, attributed only through sessionContext.sessionIssuer.arn.
import { parseDenialMessage } from './error-message.js';
import { ignored, issuerRole, obj, recordAccount, str, unwrapEnvelope, type Json, type RoleRef } from './record-fields.js';
import { actionFromEvent, resourcesFromRecord } from './request-fields.js';
import { isIgnored, type Denial, type Ignored, type Use } from './types.js';
import { DENIAL_ERROR_CODE } from './denial-codes.js';

/** errorCode spellings differ by service: the list lives in denial-codes.ts, shared with the deployed denial rule. */
export { DENIAL_ERROR_CODE } from './denial-codes.js';

export interface RecordOptions {
  /** Keep only calls made by these role ARNs (exact `sessionIssuer.arn`). */
  roles?: Set<string>;
  /**
   * Accounts Leash serves. When given, a record is evidence only if its role is in one of them and the record
   * says which account it came from (EventBridge `account` or `recipientAccountId`).
   */
  servedAccounts?: ReadonlySet<string>;
}

interface Common {
  record: Json;
  role: RoleRef;
  at: string;
}

function common(input: unknown, opts: RecordOptions | undefined, wantError: boolean): Common | Ignored {
  const raw = obj(input);
  if (!raw) return ignored('malformed: record is not a JSON object');
  const record = unwrapEnvelope(raw);
  const errorCode = record.errorCode;
  if (wantError) {
    if (errorCode === undefined || errorCode === null) return ignored('successful call (no errorCode)');
    if (typeof errorCode !== 'string') return ignored('malformed: errorCode is not a string');
    if (!DENIAL_ERROR_CODE.test(errorCode)) return ignored(`errorCode ${errorCode} is not an authorization failure`);
  } else if (errorCode !== undefined && errorCode !== null) {
    return ignored(`failed call (errorCode ${String(errorCode)}) is not a use`);
  }
  if (!str(record.eventSource) || !str(record.eventName)) return ignored('malformed: no eventSource/eventName');
  const at = str(record.eventTime);
  if (!at || Number.isNaN(Date.parse(at))) return ignored('malformed: no valid eventTime');
  const role = issuerRole(record, opts?.roles);
  if (isIgnored(role)) return role;
  const foreign = accountMismatch(raw, record, role, opts?.servedAccounts);
  if (foreign) return ignored(foreign);
  return { record, role, at };
}

/**
 * An event from account X is evidence only about roles in account X: the EventBridge envelope's `account`, the
 * record's `recipientAccountId` and the caller's `userIdentity.accountId`, when present, must all be the role's
 * account, and the session ARN must be a session of that very role. A cross-account call is logged in the resource
 * owner's account too; that copy says nothing Leash may act on for the caller's role.
 */
function accountMismatch(raw: Json, record: Json, role: RoleRef, served: ReadonlySet<string> | undefined): string | undefined {
  const envelope = raw !== record ? str(raw.account) : undefined;
  const recipient = str(record.recipientAccountId);
  const ui = obj(record.userIdentity);
  const caller = str(ui?.accountId);
  for (const [field, account] of [
    ['event account', envelope],
    ['recipientAccountId', recipient],
    ['userIdentity.accountId', caller],
  ] as const) {
    if (account !== undefined && account !== role.account) return `${field} ${account} is not the account of role ${role.roleArn}`;
  }
  const session = str(ui?.arn);
  const expected = `arn:${role.partition}:sts::${role.account}:assumed-role/${role.roleName}/`;
  if (session !== undefined && !session.startsWith(expected)) return `userIdentity.arn ${session} is not a session of ${role.roleArn}`;
  if (served) {
    if (envelope === undefined && recipient === undefined) return 'the record does not say which account it came from';
    if (!served.has(role.account)) return `account ${role.account} is not served by Leash`;
  }
  return undefined;
}

export function denialFromCloudTrail(input: unknown, opts?: RecordOptions): Denial | Ignored {
  const c = common(input, opts, true);
  if (isIgnored(c)) return c;
  const { record, role, at } = c;
  const errorCode = record.errorCode as string;
  const errorMessage = str(record.errorMessage);
  const parsed = parseDenialMessage(errorMessage);
  const action = parsed.action ?? actionFromEvent(record);
  const resource = parsed.resource ?? resourcesFromRecord(record, role, recordAccount(record, role))[0];
  // The message's kind was computed before the action fallback; KMS key policies need the action.
  const kind = parsed.kind === 'resource-policy' && action?.toLowerCase().startsWith('kms:') ? 'kms-key-policy' : parsed.kind;
  const d: Denial = { roleArn: role.roleArn, kind, errorCode, at, source: 'cloudtrail' };
  if (action) d.action = action;
  if (resource) d.resource = resource;
  if (errorMessage) d.errorMessage = errorMessage;
  const eventId = str(record.eventID);
  if (eventId) d.eventId = eventId;
  const region = str(record.awsRegion);
  if (region) d.region = region;
  if (parsed.truncated) d.truncated = true;
  return d;
}

/** Every (action, resource) a successful call by an assumed role used; one Use per named resource. */
export function usesFromCloudTrail(input: unknown, opts?: RecordOptions): Use[] | Ignored {
  const c = common(input, opts, false);
  if (isIgnored(c)) return c;
  const { record, role, at } = c;
  const action = actionFromEvent(record)!;
  const resources = resourcesFromRecord(record, role, recordAccount(record, role));
  if (resources.length === 0) return [{ roleArn: role.roleArn, action, at, source: 'cloudtrail' }];
  return resources.map((resource) => ({ roleArn: role.roleArn, action, resource, at, source: 'cloudtrail' }));
}

/** The first Use of a successful call (see `usesFromCloudTrail` for calls naming several resources). */
export function useFromCloudTrail(input: unknown, opts?: RecordOptions): Use | Ignored {
  const uses = usesFromCloudTrail(input, opts);
  return isIgnored(uses) ? uses : uses[0]!;
}
