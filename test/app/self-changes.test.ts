// Leash must ignore the IAM changes it makes itself. In a member account of an organization those changes are made
// by the member role it assumes there, not by its home function roles, so that role counts as "self" too.
import { describe, expect, it } from 'vitest';
import { run as onIamChange } from '../../functions/iam-change.js';
import { buildPipeline } from '../../lib/composition.js';
import { loadConfig } from '../../lib/config.js';

const HOME = '123456789012';
const MEMBER = '111122223333';

const config = loadConfig({
  LEASH_HOME_ACCOUNT: HOME,
  LEASH_MEMBER_ROLE_NAME: 'leash-member',
  LEASH_MEMBER_EXTERNAL_ID: 'ext-123',
  LEASH_MEMBER_ACCOUNTS: MEMBER,
  LEASH_SELF_ROLE_ARNS: `arn:aws:iam::${HOME}:role/leash-prod-remediate`,
});
// A closed loopback port: a skipped event must not reach any endpoint at all.
const aws = { region: 'eu-west-1', endpoint: 'http://127.0.0.1:9', maxAttempts: 1 };

function putRolePolicyBy(actor: string, account: string) {
  return {
    version: '0',
    id: `iam-${account}`,
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.iam',
    account,
    time: '2026-11-22T07:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail: {
      eventSource: 'iam.amazonaws.com',
      eventName: 'PutRolePolicy',
      awsRegion: 'us-east-1',
      eventTime: '2026-11-22T07:00:00Z',
      userIdentity: { type: 'AssumedRole', sessionContext: { sessionIssuer: { type: 'Role', arn: actor } } },
      requestParameters: { roleName: 'shop-exec', policyName: 'leash-execution-role' },
    },
  };
}

describe('Leash ignores its own IAM changes', () => {
  it('in the home account, by its function roles', async () => {
    const deps = buildPipeline(config, aws, { now: () => '2026-11-22T07:01:00Z' });
    const res = await onIamChange(putRolePolicyBy(`arn:aws:iam::${HOME}:role/leash-prod-remediate`, HOME), deps);
    expect(res.skipped).toMatch(/Leash itself/);
  });

  it('in a member account, by the member role Leash assumes there', async () => {
    const deps = buildPipeline(config, aws, { now: () => '2026-11-22T07:01:00Z', account: MEMBER });
    const res = await onIamChange(putRolePolicyBy(`arn:aws:iam::${MEMBER}:role/leash-member`, MEMBER), deps);
    expect(res.skipped).toMatch(/Leash itself/);
  });

  it('but not a role of the same name in another account', () => {
    const deps = buildPipeline(config, aws, { now: () => '2026-11-22T07:01:00Z', account: MEMBER });
    expect(deps.selfRoleArns).not.toContain(`arn:aws:iam::444455556666:role/leash-member`);
    expect(deps.selfRoleArns).toContain(`arn:aws:iam::${HOME}:role/leash-prod-remediate`);
  });
});
