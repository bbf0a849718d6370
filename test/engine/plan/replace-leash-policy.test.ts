// The Leash-named inline policy is overwritten in place by PutRolePolicy, so whatever a person added to it goes too.
// Dropping a Deny can add access, and an Allow that cannot be enumerated (NotAction/NotResource) cannot be checked
// against recent use: neither may happen without a human (auto mode must refuse).
import { describe, expect, it } from 'vitest';
import { buildPlan, DEFAULT_POLICY_NAME } from '../../../lib/engine/plan/build-plan.js';
import { guardrails } from '../../../lib/engine/plan/guardrails.js';
import type { NamedPolicy, Plan, RoleState } from '../../../lib/engine/types.js';
import { fakeCovers } from './fake-covers.js';
import { ACCOUNT, broadInline, findings, managedPolicy, requirements, ROLE_ARN, synthesized } from './fixtures.js';

const ADMIN_SECRET = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:prod/admin-??????`;

function planWith(oldLeash: NamedPolicy): Plan {
  const grant = [managedPolicy(), broadInline, oldLeash];
  const state: RoleState = {
    roleArn: ROLE_ARN,
    inline: [broadInline, oldLeash].map((p) => ({ name: p.name, document: p.document })).sort((a, b) => (a.name < b.name ? -1 : 1)),
    attached: [managedPolicy().arn as string],
  };
  return buildPlan({
    roleArn: ROLE_ARN,
    state,
    baseStateHash: 'base',
    grant,
    requirements,
    synthesized,
    findings: findings(),
    accountId: ACCOUNT,
    covers: fakeCovers,
  });
}

const auto = (plan: Plan) =>
  guardrails(plan, { mode: 'auto', accountId: ACCOUNT, recentUse: new Set(), scope: { entries: [] }, covers: fakeCovers });

describe('replacing an existing Leash-named policy', () => {
  it('a plain Allow-only old version is replaced without asking (control)', () => {
    const plan = planWith({
      name: DEFAULT_POLICY_NAME,
      kind: 'inline',
      document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ssm:GetParameters', Resource: '*' }] },
    });
    expect(plan.needsApproval).toEqual([]);
    expect(auto(plan).allowedAuto).toBe(true);
  });

  it('asks for approval when the old version holds a Deny (overwriting it could add access)', () => {
    const withDeny: NamedPolicy = {
      name: DEFAULT_POLICY_NAME,
      kind: 'inline',
      document: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'secretsmanager:GetSecretValue', Resource: ADMIN_SECRET }] },
    };
    const plan = planWith(withDeny);
    expect(plan.needsApproval.some((r) => r.includes(DEFAULT_POLICY_NAME) && r.includes('Deny'))).toBe(true);
    expect(auto(plan).allowedAuto).toBe(false);
  });

  it('asks for approval when the old version has an Allow with NotAction (what it allows cannot be listed)', () => {
    const withNotAction: NamedPolicy = {
      name: DEFAULT_POLICY_NAME,
      kind: 'inline',
      document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }] },
    };
    const plan = planWith(withNotAction);
    expect(plan.needsApproval.some((r) => r.includes(DEFAULT_POLICY_NAME) && r.includes('NotAction'))).toBe(true);
    expect(auto(plan).allowedAuto).toBe(false);
  });
});
