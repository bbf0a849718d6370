// Rollback only for a denial the applied plan explains: allowed before the apply, not after it.
import { describe, expect, it } from 'vitest';
import { explainsDenial, type AppliedChange } from '../../../lib/engine/plan/explain-denial.js';
import type { Denial } from '../../../lib/engine/evidence/types.js';
import type { NamedPolicy } from '../../../lib/engine/types.js';
import { ACCOUNT, broadInline, fixturePlan, managedPolicy, ROLE_ARN } from './fixtures.js';

const plan = fixturePlan();
const change: AppliedChange = {
  roleArn: ROLE_ARN,
  removals: plan.removals,
  before: [managedPolicy(), broadInline],
  after: [{ name: plan.policyName, kind: 'inline', document: plan.document }],
  window: { from: '2025-03-04T10:00:00Z', until: '2025-03-04T11:00:00Z' },
};

const secret = (name: string) => `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:${name}`;
const denial = (over: Partial<Denial> = {}): Denial => ({
  roleArn: ROLE_ARN,
  kind: 'no-identity-policy',
  errorCode: 'AccessDeniedException',
  at: '2025-03-04T10:30:00Z',
  source: 'stop-reason',
  action: 'secretsmanager:GetSecretValue',
  resource: secret('billing/db-XyZ123'),
  ...over,
});

describe('explainsDenial: denials the plan explains', () => {
  it('a secret the plan narrowed away (granted on * before, only prod/db after)', () => {
    const e = explainsDenial(change, denial());
    expect(e).toMatchObject({ explains: true, before: 'allowed', after: 'implicit-deny' });
    expect(e.explains && e.removal).toEqual({ action: 'secretsmanager:GetSecretValue', resource: '*' });
  });

  it('an SSM parameter the plan removed', () => {
    const e = explainsDenial(change, denial({ action: 'ssm:GetParameters', resource: `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/app/x` }));
    expect(e).toMatchObject({ explains: true, removal: { action: 'ssm:GetParameters', resource: '*' } });
  });

  it('action names compare without case, as IAM does', () => {
    expect(explainsDenial(change, denial({ action: 'SecretsManager:getsecretvalue' })).explains).toBe(true);
  });

  it('a denial without a resource is explained by a removal of the same action', () => {
    const e = explainsDenial(change, denial({ action: 'ssm:GetParameters', resource: undefined }));
    expect(e).toMatchObject({ explains: true, resourceUnknown: true });
  });

  it('a bare secret name (no suffix) the plan narrowed away', () => {
    expect(explainsDenial(change, denial({ resource: secret('billing/db') })).explains).toBe(true);
  });
});

describe('explainsDenial: denials the plan did not touch roll nothing back', () => {
  it('access the role still has', () => {
    const e = explainsDenial(change, denial({ resource: secret('prod/db-AbC123') }));
    expect(e.explains).toBe(false);
    expect(e.reason).toContain('was allowed before the apply and is allowed after it');
  });

  it('a bare secret name the role still has under its full ARN', () => {
    const e = explainsDenial(change, denial({ resource: secret('prod/db') }));
    expect(e).toEqual({ explains: false, reason: expect.stringContaining('full secret ARN') });
  });

  it('access the role never had', () => {
    const e = explainsDenial(change, denial({ action: 'dynamodb:GetItem', resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/t` }));
    expect(e.explains).toBe(false);
    expect(e.reason).toContain('implicit-deny before');
  });

  it.each(['resource-policy', 'kms-key-policy', 'scp', 'permissions-boundary', 'session-policy', 'vpc-endpoint'] as const)(
    'a %s denial, even on access the plan narrowed',
    (kind) => {
      expect(explainsDenial(change, denial({ kind })).explains).toBe(false);
    },
  );

  it('a denial of another role', () => {
    expect(explainsDenial(change, denial({ roleArn: `arn:aws:iam::${ACCOUNT}:role/billing-exec` })).explains).toBe(false);
    expect(explainsDenial(change, denial({ roleArn: `arn:aws:iam::${ACCOUNT}:role/other/app-exec` })).explains).toBe(false);
  });

  it.each(['2025-03-04T09:59:59Z', '2025-03-04T11:00:01Z', 'not a time'])('a denial at %s, outside the watch window', (at) => {
    expect(explainsDenial(change, denial({ at })).explains).toBe(false);
  });

  it('a denial without an action', () => {
    expect(explainsDenial(change, denial({ action: undefined }))).toEqual({
      explains: false,
      reason: 'the denial does not say which action was denied',
    });
  });

  it('a denial without a resource for an action the plan did not take away', () => {
    expect(explainsDenial(change, denial({ action: 'dynamodb:GetItem', resource: undefined })).explains).toBe(false);
  });

  it('a plan that only added access explains no denial', () => {
    const added: NamedPolicy = {
      name: 'leash',
      kind: 'inline',
      document: { Statement: [{ Effect: 'Allow', Action: 'ssm:GetParameters', Resource: '*' }] },
    };
    const addOnly: AppliedChange = { roleArn: ROLE_ARN, removals: [], before: [], after: [added] };
    expect(
      explainsDenial(addOnly, denial({ action: 'ssm:GetParameters', resource: `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/x` })).explains,
    ).toBe(false);
    expect(explainsDenial(addOnly, denial({ action: 'ssm:GetParameters', resource: undefined })).explains).toBe(false);
  });

  it('a permissions boundary that denied it before the apply too', () => {
    const boundary: NamedPolicy = {
      name: 'boundary',
      kind: 'managed',
      document: { Statement: [{ Effect: 'Allow', Action: 'ecr:*', Resource: '*' }] },
    };
    expect(explainsDenial({ ...change, boundary }, denial()).explains).toBe(false);
  });
});
