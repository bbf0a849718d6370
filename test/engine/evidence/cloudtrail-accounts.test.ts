// An event from account X is evidence only about roles in account X, and only from accounts Leash serves.
import { describe, expect, it } from 'vitest';
import { denialFromCloudTrail, isIgnored, usesFromCloudTrail } from '../../../lib/engine/evidence/index.js';
import { ACCOUNT, ROLE_ARN, TASK_ID, denied, identity, record } from './fixtures.js';

const OTHER = '444455556666';
const message = `User: arn:aws:sts::${ACCOUNT}:assumed-role/app-exec/${TASK_ID} is not authorized to perform: secretsmanager:GetSecretValue`;
const served = new Set([ACCOUNT]);

/** The record as EventBridge delivers it, with the envelope's account. */
const envelope = (detail: Record<string, unknown>, account = ACCOUNT) => ({
  version: '0',
  id: 'b6b3c7f0-1d1e-4c3b-9a61-1b0d6b0c6a11',
  'detail-type': 'AWS API Call via CloudTrail',
  source: 'aws.secretsmanager',
  account,
  time: '2025-03-04T10:15:00Z',
  region: 'eu-west-1',
  detail,
});

const why = (x: unknown): string | undefined => (isIgnored(x) ? x.ignored : undefined);

describe('CloudTrail evidence is about roles of the event’s own account', () => {
  it('a consistent record is a denial and a use source', () => {
    expect(why(denialFromCloudTrail(envelope(denied(message)), { servedAccounts: served }))).toBeUndefined();
    expect(why(usesFromCloudTrail(envelope(record()), { servedAccounts: served }))).toBeUndefined();
  });

  it('the copy logged in the resource owner’s account (recipientAccountId ≠ role account) is not evidence', () => {
    const copy = denied(message, { recipientAccountId: OTHER });
    expect(why(denialFromCloudTrail(copy))).toBe(`recipientAccountId ${OTHER} is not the account of role ${ROLE_ARN}`);
    expect(why(usesFromCloudTrail(record({ recipientAccountId: OTHER })))).toContain('recipientAccountId');
  });

  it('an event delivered from another account than the role’s is not evidence', () => {
    expect(why(denialFromCloudTrail(envelope(denied(message), OTHER)))).toBe(
      `event account ${OTHER} is not the account of role ${ROLE_ARN}`,
    );
  });

  it('a sessionIssuer naming a role of another account than the caller is not evidence', () => {
    const foreignRole = `arn:aws:iam::${OTHER}:role/service-role/app-exec`;
    const r = denied(message, { userIdentity: identity(foreignRole) });
    expect(why(denialFromCloudTrail(r))).toMatch(/is not the account of role/);
  });

  it.each([
    ['another role', `arn:aws:sts::${ACCOUNT}:assumed-role/billing-exec/${TASK_ID}`],
    ['another account', `arn:aws:sts::${OTHER}:assumed-role/app-exec/${TASK_ID}`],
    ['another partition', `arn:aws-cn:sts::${ACCOUNT}:assumed-role/app-exec/${TASK_ID}`],
    ['a prefix of the role name', `arn:aws:sts::${ACCOUNT}:assumed-role/app-exec-admin/${TASK_ID}`],
  ])('a session ARN (userIdentity.arn) of %s than the sessionIssuer is not evidence', (_label, sessionArn) => {
    const r = denied(message, { userIdentity: identity(ROLE_ARN, sessionArn) });
    expect(why(denialFromCloudTrail(r))).toMatch(/is not a session of/);
  });

  it('with servedAccounts, a role of an account Leash does not serve is not evidence', () => {
    expect(why(denialFromCloudTrail(envelope(denied(message)), { servedAccounts: new Set([OTHER]) }))).toBe(
      `account ${ACCOUNT} is not served by Leash`,
    );
  });

  it('with servedAccounts, a record that does not say where it came from is not evidence', () => {
    const r = denied(message);
    delete r.recipientAccountId;
    expect(why(denialFromCloudTrail(r, { servedAccounts: served }))).toBe('the record does not say which account it came from');
    // Without servedAccounts (a CloudTrail file given to the CLI) it still is.
    expect(why(denialFromCloudTrail(r))).toBeUndefined();
  });
});
