// A pending plan is re-checked against the role as it is now, at approval and at apply.
import { describe, expect, it } from 'vitest';
import { ownerFromTags } from '../../../lib/engine/plan/owner.js';
import { recheck, type CurrentFacts } from '../../../lib/engine/plan/recheck.js';
import type { Finding, Plan, PolicyStatement } from '../../../lib/engine/types.js';
import { ACCOUNT, fixturePlan, requirements, ROLE_ARN } from './fixtures.js';

const ecs: PolicyStatement = { Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' };
const SECRET = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:web/db-AbCdEf`;

const facts = (over: Partial<CurrentFacts> = {}): CurrentFacts => ({
  roleArn: ROLE_ARN,
  tags: { 'leash:mode': 'auto', 'leash:scope': 'secret:web/' },
  accountDefaultMode: 'observe',
  trustPolicy: { Version: '2012-10-17', Statement: [ecs] },
  taskRoleArns: [],
  inInstanceProfile: false,
  ...over,
});

const removalsOnly: Plan = fixturePlan();
const missing: Finding = {
  kind: 'missing',
  severity: 'urgent',
  action: 'secretsmanager:GetSecretValue',
  resource: SECRET,
  reasons: ['needed'],
  requiredBy: requirements[0]!.reasons,
};
/** A plan that only adds an in-scope secret (no detach or delete), as a plan for a shared role would look. */
const addOnly: Plan = {
  ...removalsOnly,
  additions: [{ action: 'secretsmanager:GetSecretValue', resource: SECRET }],
  removals: [],
  detach: [],
  deleteInline: [],
  findings: [missing],
};

describe('ownerFromTags (same rule as the IAM reader)', () => {
  it('recognizes CloudFormation and Terraform tags', () => {
    expect(ownerFromTags({ 'aws:cloudformation:stack-id': 'arn:aws:cloudformation:us-east-1:123456789012:stack/web/1' })).toBe(
      'cloudformation',
    );
    expect(ownerFromTags({ terraform: 'true' })).toBe('terraform');
    expect(ownerFromTags({ ManagedBy: 'terraform' })).toBe('terraform');
    expect(ownerFromTags({ 'managed-by': 'OpenTofu' })).toBe('terraform');
    expect(ownerFromTags({ ManagedBy: 'pulumi', team: 'terraform-fans' })).toBeUndefined();
    expect(ownerFromTags(undefined)).toBeUndefined();
  });
});

describe('recheck: nothing changed', () => {
  it.each(['approval', 'auto'] as const)('a plan that still fits passes at %s', (via) => {
    expect(recheck(removalsOnly, facts(), via)).toMatchObject({ ok: true, refusals: [], mode: 'auto' });
    expect(recheck(addOnly, facts(), via).ok).toBe(true);
  });

  it('approval works in approve mode; only auto needs auto', () => {
    const approve = facts({ tags: { 'leash:mode': 'approve' } });
    expect(recheck(removalsOnly, approve, 'approval').ok).toBe(true);
    expect(recheck(removalsOnly, approve, 'auto').refusals).toEqual(['mode is now approve: a person must approve this plan']);
  });
});

describe('recheck: the role changed since the plan', () => {
  it.each<[string, Record<string, string>, RegExp]>([
    ['became Terraform-owned', { 'leash:mode': 'auto', ManagedBy: 'terraform' }, /^role is now managed by terraform/],
    [
      'became CloudFormation-owned',
      { 'leash:mode': 'auto', 'aws:cloudformation:stack-name': 'web' },
      /^role is now managed by cloudformation/,
    ],
    ['became observe-only', { 'leash:mode': 'observe' }, /^mode is now observe/],
    ['became ticket-only', { 'leash:mode': 'ticket' }, /^mode is now ticket/],
    ['lost its mode tag (account default observe)', {}, /^mode is now observe/],
    ['got a mode tag in the wrong case', { 'leash:mode': 'Auto' }, /counts as observe/],
    ['got a padded mode tag', { 'leash:mode': 'auto ' }, /counts as observe/],
  ])('refused at approval and at apply when the role %s', (_label, tags, why) => {
    for (const via of ['approval', 'auto'] as const) {
      const r = recheck(removalsOnly, facts({ tags }), via);
      expect(r.ok).toBe(false);
      expect(r.refusals.some((x) => why.test(x))).toBe(true);
    }
  });

  it('an invalid mode tag comes back as a finding', () => {
    expect(recheck(removalsOnly, facts({ tags: { 'leash:mode': 'AUTO' } }), 'approval').findings.map((f) => f.kind)).toEqual([
      'invalid-mode-tag',
    ]);
  });

  it.each<[string, Partial<CurrentFacts>]>([
    ['is now a task role too', { taskRoleArns: [ROLE_ARN] }],
    ['is now in an instance profile', { inInstanceProfile: true }],
    [
      'now trusts another account',
      {
        trustPolicy: {
          Statement: [ecs, { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::210987654321:root' }, Action: 'sts:AssumeRole' }],
        },
      },
    ],
    [
      'now trusts a person',
      {
        trustPolicy: {
          Statement: [ecs, { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/alice` }, Action: 'sts:AssumeRole' }],
        },
      },
    ],
    ['has an unreadable trust policy', { trustPolicy: undefined }],
  ])('a role that %s: never automatic, and an approval of a plan made before is refused', (_label, over) => {
    const auto = recheck(addOnly, facts(over), 'auto');
    expect(auto.refusals.some((x) => x.startsWith('role is shared'))).toBe(true);
    const approval = recheck(removalsOnly, facts(over), 'approval');
    expect(approval.refusals.some((x) => x.startsWith('role became shared after this plan was made'))).toBe(true);
    expect(approval.refusals.some((x) => x.startsWith('role is shared: the plan detaches'))).toBe(true);
  });

  it('a plan made for the shared role (only additions, with its shared-role finding) may still be approved', () => {
    const sharedFinding: Finding = { kind: 'shared-role', severity: 'review', action: '*', resource: ROLE_ARN, reasons: ['shared'] };
    const plan = { ...addOnly, findings: [...addOnly.findings, sharedFinding] };
    expect(recheck(plan, facts({ taskRoleArns: [ROLE_ARN] }), 'approval').ok).toBe(true);
    expect(recheck(plan, facts({ taskRoleArns: [ROLE_ARN] }), 'auto').ok).toBe(false);
  });

  it.each<[string, Record<string, string>]>([
    ['narrowed', { 'leash:mode': 'auto', 'leash:scope': 'secret:web/api/' }],
    ['removed', { 'leash:mode': 'auto' }],
    ['made invalid', { 'leash:mode': 'auto', 'leash:scope': 'secret:web/*' }],
    ['moved to a sibling', { 'leash:mode': 'auto', 'leash:scope': 'secret:web2/' }],
  ])('an automatic apply is refused when the scope was %s so the addition is outside it', (_label, tags) => {
    const r = recheck(addOnly, facts({ tags }), 'auto');
    expect(r.ok).toBe(false);
    expect(r.refusals[0]).toContain('outside the declared scope');
    // A person approving sees the addition itself: the scope binds automation only.
    expect(recheck(addOnly, facts({ tags }), 'approval').ok).toBe(true);
  });

  it('an automatic apply of a plan that carries reasons for a person is refused', () => {
    const r = recheck({ ...removalsOnly, needsApproval: ['kept policy in use'] }, facts(), 'auto');
    expect(r.refusals).toEqual(['needs a person: kept policy in use']);
  });

  it('facts about another role refuse the plan', () => {
    const r = recheck(removalsOnly, facts({ roleArn: `arn:aws:iam::${ACCOUNT}:role/billing-exec` }), 'approval');
    expect(r.refusals[0]).toMatch(/^the facts are about/);
  });
});
