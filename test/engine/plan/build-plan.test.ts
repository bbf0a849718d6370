import { describe, expect, it } from 'vitest';
import { buildPlan, DEFAULT_POLICY_NAME, type BuildPlanInput } from '../../../lib/engine/plan/build-plan.js';
import { planHash } from '../../../lib/engine/plan/canonical.js';
import type { Finding, NamedPolicy, RoleState } from '../../../lib/engine/types.js';
import { fakeCovers } from './fake-covers.js';
import {
  ACCOUNT,
  broadInline,
  findings,
  LOG_STREAMS,
  MANAGED_ARN,
  managedPolicy,
  REPO,
  requirements,
  ROLE_ARN,
  synthesized,
} from './fixtures.js';

function stateOf(grant: NamedPolicy[]): RoleState {
  return {
    roleArn: ROLE_ARN,
    inline: grant
      .filter((p) => p.kind === 'inline')
      .map((p) => ({ name: p.name, document: p.document }))
      .sort((a, b) => (a.name < b.name ? -1 : 1)),
    attached: grant
      .filter((p) => p.kind !== 'inline')
      .map((p) => p.arn as string)
      .sort(),
  };
}

function input(over: Partial<BuildPlanInput> = {}): BuildPlanInput {
  const grant = over.grant ?? [managedPolicy(), broadInline];
  return {
    roleArn: ROLE_ARN,
    state: stateOf(grant),
    baseStateHash: 'base-hash',
    grant,
    requirements,
    synthesized,
    findings: findings(),
    accountId: ACCOUNT,
    covers: fakeCovers,
    ...over,
  };
}

describe('buildPlan on a managed AmazonECSTaskExecutionRolePolicy + over-broad inline role', () => {
  const plan = buildPlan(input());

  it('puts the synthesized document as the Leash-owned inline policy', () => {
    expect(plan.policyName).toBe('leash-execution-role');
    expect(plan.document).toEqual(synthesized.document);
    expect(plan.baseStateHash).toBe('base-hash');
  });

  it('detaches the managed policy and deletes the over-broad inline one', () => {
    expect(plan.detach).toEqual([MANAGED_ARN]);
    expect(plan.deleteInline).toEqual(['secrets-everywhere']);
    expect(plan.kept).toEqual([]);
  });

  it('lists the access that goes away: everything on "*" except ecr:GetAuthorizationToken, which needs "*"', () => {
    expect(plan.removals).toEqual([
      { action: 'ecr:BatchCheckLayerAvailability', resource: '*' },
      { action: 'ecr:BatchGetImage', resource: '*' },
      { action: 'ecr:GetDownloadUrlForLayer', resource: '*' },
      { action: 'logs:CreateLogStream', resource: '*' },
      { action: 'logs:PutLogEvents', resource: '*' },
      { action: 'secretsmanager:GetSecretValue', resource: '*' },
      { action: 'ssm:GetParameters', resource: '*' },
    ]);
    expect(plan.additions).toEqual([]);
  });

  it('needs no approval for a pure narrowing inside the vocabulary', () => {
    expect(plan.needsApproval).toEqual([]);
  });

  it('binds planHash to the content', () => {
    expect(plan.planHash).toMatch(/^[0-9a-f]{64}$/);
    expect(planHash(plan)).toBe(plan.planHash);
  });
});

describe('buildPlan keeps what it must', () => {
  it('keeps a policy whose access is excess-in-use and asks for approval', () => {
    const f = findings().map((x): Finding =>
      x.action === 'ssm:GetParameters' ? { ...x, kind: 'excess-in-use', reasons: ['used 3 days ago'] } : x,
    );
    const plan = buildPlan(input({ findings: f }));
    expect(plan.deleteInline).toEqual([]);
    expect(plan.detach).toEqual([MANAGED_ARN]);
    expect(plan.kept?.map((k) => k.policy)).toEqual(['secrets-everywhere']);
    expect(plan.needsApproval).toHaveLength(1);
    expect(plan.needsApproval[0]).toContain('secrets-everywhere');
    expect(plan.needsApproval[0]).toContain('excess-in-use');
    // The kept policy still allows these, so they are not removals.
    expect(plan.removals.map((r) => r.action)).not.toContain('ssm:GetParameters');
    expect(plan.removals.map((r) => r.action)).not.toContain('secretsmanager:GetSecretValue');
  });

  it('keeps a policy containing a Deny statement even when its Allow is excess', () => {
    const guard: NamedPolicy = {
      name: 'guard',
      kind: 'inline',
      document: {
        Statement: [
          { Effect: 'Deny', Action: 's3:*', Resource: '*' },
          { Effect: 'Allow', Action: 'ssm:GetParameters', Resource: '*' },
        ],
      },
    };
    const plan = buildPlan(input({ grant: [managedPolicy(), broadInline, guard] }));
    expect(plan.deleteInline).toEqual(['secrets-everywhere']);
    expect(plan.kept).toEqual([{ policy: 'guard', reason: expect.stringContaining('Deny') }]);
  });

  it('keeps a policy granting something no finding explains', () => {
    const other: NamedPolicy = {
      name: 'table-access',
      kind: 'inline',
      document: { Statement: [{ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/t` }] },
    };
    const plan = buildPlan(input({ grant: [managedPolicy(), other] }));
    expect(plan.deleteInline).toEqual([]);
    expect(plan.kept?.[0]?.policy).toBe('table-access');
    expect(plan.kept?.[0]?.reason).toContain('dynamodb:GetItem');
  });

  it('keeps a policy with NotAction, whose access cannot be listed', () => {
    const odd: NamedPolicy = {
      name: 'odd',
      kind: 'inline',
      document: { Statement: [{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }] },
    };
    const plan = buildPlan(input({ grant: [odd] }));
    expect(plan.deleteInline).toEqual([]);
    expect(plan.kept?.[0]?.reason).toContain('NotAction');
  });

  it('leaves alone attached policies the grant did not describe', () => {
    const grant = [managedPolicy(), broadInline];
    const state = stateOf(grant);
    state.attached = [...state.attached, `arn:aws:iam::${ACCOUNT}:policy/unknown`].sort();
    const plan = buildPlan(input({ grant, state }));
    expect(plan.detach).toEqual([MANAGED_ARN]);
    expect(plan.kept?.map((k) => k.policy)).toEqual([`arn:aws:iam::${ACCOUNT}:policy/unknown`]);
  });
});

describe('buildPlan additions, replacement and limits', () => {
  it('fills additions from missing findings that the new document grants', () => {
    const missing: Finding = {
      kind: 'missing',
      severity: 'urgent',
      action: 'logs:CreateLogStream',
      resource: LOG_STREAMS,
      reasons: ['awslogs'],
      requiredBy: requirements[4]?.reasons,
    };
    const deniedElsewhere: Finding = {
      kind: 'denied',
      severity: 'urgent',
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::other/x',
      reasons: ['CloudTrail'],
    };
    const plan = buildPlan(input({ grant: [broadInline], findings: [...findings().slice(5), missing, deniedElsewhere] }));
    expect(plan.additions).toContainEqual({ action: 'logs:CreateLogStream', resource: LOG_STREAMS });
    // The denial nobody needs is not granted, so not added.
    expect(plan.additions.some((a) => a.resource.startsWith('arn:aws:s3:::other'))).toBe(false);
  });

  it('counts as additions every requirement the current policies do not allow outright, whatever the findings say', () => {
    // broadInline allows secrets and parameters only: ECR and logs are added by the plan even with no finding naming them.
    const plan = buildPlan(input({ grant: [broadInline], findings: [] }));
    const lacking = requirements
      .filter((r) => !r.action.startsWith('secretsmanager:'))
      .map((r) => ({ action: r.action, resource: r.resource }));
    expect([...plan.additions].sort((a, b) => a.action.localeCompare(b.action))).toEqual(
      [...lacking].sort((a, b) => a.action.localeCompare(b.action)),
    );
  });

  it('counts a grant that holds today only under a Condition as an addition when the plan grants it outright', () => {
    const secret = requirements.find((r) => r.action === 'secretsmanager:GetSecretValue')!;
    const conditional: NamedPolicy = {
      name: 'vpce-only',
      kind: 'inline',
      document: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'secretsmanager:GetSecretValue',
            Resource: secret.resource,
            Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-1' } },
          },
        ],
      },
    };
    const finding: Finding = {
      kind: 'conditional',
      severity: 'review',
      action: secret.action,
      resource: secret.resource,
      reasons: ['only under conditions'],
      requiredBy: secret.reasons,
    };
    const onlySecret = { ...input(), requirements: [secret] };
    const plan = buildPlan({
      ...onlySecret,
      grant: [conditional],
      state: stateOf([conditional]),
      synthesized: { ...synthesized, document: { ...synthesized.document, Statement: synthesized.document.Statement.slice(3) } },
      findings: [finding],
    });
    expect(plan.additions).toEqual([{ action: secret.action, resource: secret.resource }]);
    // Through the findings alone too (the requirement list cannot be the only place that notices).
    const viaFinding = buildPlan({
      ...onlySecret,
      grant: [conditional],
      state: stateOf([conditional]),
      requirements: [],
      findings: [finding],
    });
    expect(viaFinding.additions).toEqual([{ action: secret.action, resource: secret.resource }]);
  });

  it('replaces an existing Leash policy in place and reports what its old version allowed', () => {
    const old: NamedPolicy = {
      name: DEFAULT_POLICY_NAME,
      kind: 'inline',
      document: { Statement: [{ Effect: 'Allow', Action: 'ecr:BatchGetImage', Resource: `${REPO}*` }] },
    };
    const plan = buildPlan(input({ grant: [old], findings: [] }));
    expect(plan.deleteInline).toEqual([]);
    expect(plan.removals).toEqual([{ action: 'ecr:BatchGetImage', resource: `${REPO}*` }]);
  });

  it('asks for approval when a requirement would not be allowed', () => {
    const narrow = { ...synthesized, document: { ...synthesized.document, Statement: synthesized.document.Statement.slice(0, 3) } };
    const plan = buildPlan(input({ synthesized: narrow }));
    expect(plan.needsApproval.some((r) => r.includes('secretsmanager:GetSecretValue') && r.includes('needs'))).toBe(true);
  });

  it('asks for approval when the inline budget of 10,240 characters would be exceeded', () => {
    const big: NamedPolicy = {
      name: 'big',
      kind: 'inline',
      document: { Statement: [{ Effect: 'Deny', Action: 'iam:*', Resource: 'x'.repeat(10_300) }] },
    };
    const plan = buildPlan(input({ grant: [managedPolicy(), big] }));
    expect(plan.needsApproval.some((r) => r.includes('10240'))).toBe(true);
  });

  it('records owner and compaction as approval reasons', () => {
    const compacted = {
      ...synthesized,
      compaction: [{ action: 'logs:PutLogEvents', from: ['a', 'b'], to: 'log-group:/ecs/*', extraAccess: 'every /ecs/ log group' }],
    };
    const plan = buildPlan(input({ owner: 'terraform', synthesized: compacted }));
    expect(plan.needsApproval.some((r) => r.includes('terraform'))).toBe(true);
    expect(plan.needsApproval.some((r) => r.includes('every /ecs/ log group'))).toBe(true);
    expect(plan.compaction).toEqual(compacted.compaction);
  });
});

describe('buildPlan determinism and planHash', () => {
  it('is independent of input order', () => {
    const a = buildPlan(input());
    const b = buildPlan(input({ grant: [broadInline, managedPolicy()], findings: findings().reverse() }));
    expect(b).toEqual(a);
  });

  it('changes the hash when any field changes', () => {
    const plan = buildPlan(input());
    const variants: Record<string, unknown> = {
      roleArn: `${ROLE_ARN}2`,
      baseStateHash: 'other',
      policyName: 'other',
      document: { Statement: [] },
      deleteInline: [],
      detach: [],
      additions: [{ action: 'kms:Decrypt', resource: 'k' }],
      removals: [],
      compaction: [{ action: 'a', from: [], to: 'b', extraAccess: 'c' }],
      findings: [],
      needsApproval: ['x'],
      kept: [{ policy: 'p', reason: 'r' }],
    };
    for (const [field, value] of Object.entries(variants)) {
      expect(planHash({ ...plan, [field]: value }), field).not.toBe(plan.planHash);
    }
    expect(planHash({ ...plan, planHash: 'ignored' })).toBe(plan.planHash);
  });
});
