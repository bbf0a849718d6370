// What one RegisterTaskDefinition costs through the real handler on moto, by operation, for a role shared by 10 task
// definitions with 10 and with 30 distinct secrets and parameters; and the live fallback when the role's stored facts
// are older than their bound (or missing): then IAM and the task-role index are asked again.
import { AddRoleToInstanceProfileCommand, CreateInstanceProfileCommand, IAMClient } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { measureRegistration, SWEEP_AT } from '../../bench/event-cost.js';

const FAST_PATH = {
  'DynamoDB:Query': 1,
  'DynamoDB:TransactWriteItems': 2,
  'IAM:GetRole': 1,
  'IAM:GetRolePolicy': 1,
  'IAM:ListAttachedRolePolicies': 1,
  'IAM:ListRolePolicies': 1,
};

type Summary = { roles: { requirements: { action: string; resource: string }[]; findings: { kind: string; reasons: string[] }[] }[] };

describe('RegisterTaskDefinition event cost (real handler, moto)', () => {
  it.each([10, 30])(
    'costs 7 calls with %i distinct secrets and parameters, none of them KMS lookups',
    async (secrets) => {
      const r = await measureRegistration(secrets);
      expect(r.taskDefinitions).toBe(11);
      expect(r.byOperation).toEqual(FAST_PATH);
      expect(r.calls).toBe(7);
      // The stored keys still give the intent its kms:Decrypt on the customer key behind the secrets.
      const reqs = (r.summary as Summary).roles[0]!.requirements;
      expect(reqs.filter((q) => q.action === 'kms:Decrypt' && /:key\//.test(q.resource)).length).toBeGreaterThan(0);
    },
    180_000,
  );

  it('reads the facts live again once the stored ones are older than the bound, and sees a new instance profile', async () => {
    const later = new Date(Date.parse(SWEEP_AT) + 27 * 3_600_000).toISOString();
    const r = await measureRegistration(10, {
      eventAt: later,
      between: async (cfg) => {
        const iam = new IAMClient(cfg);
        await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'ec2-shared' }));
        await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'ec2-shared', RoleName: 'shared-exec' }));
      },
    });
    expect(r.byOperation['IAM:ListInstanceProfilesForRole']).toBe(1);
    expect(r.byOperation['SSM:DescribeParameters']).toBeGreaterThan(0);
    expect(r.byOperation['SecretsManager:DescribeSecret']).toBeGreaterThan(0);
    const reasons = (r.summary as Summary).roles[0]!.findings.flatMap((f) => f.reasons).join('\n');
    expect(reasons).toMatch(/instance profile/i);
  }, 180_000);

  it('within the bound, a fact that changed since the sweep waits for the next live read (findings only)', async () => {
    const r = await measureRegistration(10, {
      between: async (cfg) => {
        const iam = new IAMClient(cfg);
        await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'ec2-shared' }));
        await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'ec2-shared', RoleName: 'shared-exec' }));
      },
    });
    expect(r.byOperation).toEqual(FAST_PATH);
  }, 180_000);
});
