// Shared roles: detection by every way a role is more than an execution role, the split proposal, and the plan a
// shared role gets (only additions of execution needs; nothing outside the vocabulary removed).
import { describe, expect, it } from 'vitest';
import { parseTaskDefinitions } from '../../../lib/engine/input/task-definition.js';
import { coversRequirement } from '../../../lib/engine/policy/evaluate.js';
import { buildPlan, type BuildPlanInput } from '../../../lib/engine/plan/build-plan.js';
import {
  sameRole,
  sameRoleWarnings,
  sharedPlanViolations,
  sharedRoleStatus,
  splitProposal,
  splitRoleName,
  taskRoleIsExecutionRole,
  type SharedRoleFacts,
} from '../../../lib/engine/plan/shared-role.js';
import { othersWhoCanAssume } from '../../../lib/engine/trust.js';
import type { Finding, NamedPolicy, PolicyDocument, PolicyStatement } from '../../../lib/engine/types.js';
import { listCorpus, readCorpusText } from '../../support/corpus.js';
import {
  ACCOUNT,
  broadInline,
  findings,
  managedPolicy,
  MANAGED_ARN,
  REPO,
  requirements,
  ROLE_ARN,
  SECRET,
  synthesized,
} from './fixtures.js';

const OTHER = '210987654321';
const ecs: PolicyStatement = { Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' };
const trust = (...Statement: PolicyStatement[]): PolicyDocument => ({ Version: '2012-10-17', Statement });

const facts = (over: Partial<SharedRoleFacts> = {}): SharedRoleFacts => ({
  roleArn: ROLE_ARN,
  trustPolicy: trust(ecs),
  taskRoleArns: [],
  inInstanceProfile: false,
  ...over,
});

describe('sharedRoleStatus: an execution role only', () => {
  it('ECS-only trust (with or without confused-deputy conditions), no task role, no instance profile → not shared', () => {
    expect(sharedRoleStatus(facts())).toEqual({ shared: false, causes: [] });
    const conditioned = { ...ecs, Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } } };
    expect(sharedRoleStatus(facts({ trustPolicy: trust(conditioned) })).shared).toBe(false);
    expect(sharedRoleStatus(facts({ trustPolicy: trust({ ...ecs, Principal: { Service: ['ecs-tasks.amazonaws.com.cn'] } }) })).shared).toBe(
      false,
    );
  });

  it('other principals that may not assume the role do not make it shared', () => {
    const tagOnly: PolicyStatement = { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER}:root` }, Action: 'sts:TagSession' };
    const denied: PolicyStatement = { Effect: 'Deny', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' };
    expect(sharedRoleStatus(facts({ trustPolicy: trust(ecs, tagOnly, denied) })).shared).toBe(false);
  });
});

describe('sharedRoleStatus: the trust policy lets something other than ECS tasks in', () => {
  it.each<[string, PolicyStatement]>([
    ['another account', { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER}:root` }, Action: 'sts:AssumeRole' }],
    [
      'its own account root (any IAM principal allowed by policy)',
      { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' },
    ],
    ['an account ID', { Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'sts:AssumeRole' }],
    ['a person (IAM user)', { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/alice` }, Action: 'sts:AssumeRole' }],
    ['another role', { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/ci` }, Action: 'sts:AssumeRole' }],
    ['anyone', { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' }],
    ['any AWS principal', { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }],
    ['EC2', { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    ['Lambda', { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    ['ECS itself (not ECS tasks)', { Effect: 'Allow', Principal: { Service: 'ecs.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    [
      'an ECS-tasks look-alike',
      { Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com.evil.example' }, Action: 'sts:AssumeRole' },
    ],
    ['ECS tasks in another case', { Effect: 'Allow', Principal: { Service: 'ECS-Tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    [
      'a web identity provider',
      { Effect: 'Allow', Principal: { Federated: 'cognito-identity.amazonaws.com' }, Action: 'sts:AssumeRoleWithWebIdentity' },
    ],
    [
      'a SAML provider',
      { Effect: 'Allow', Principal: { Federated: `arn:aws:iam::${ACCOUNT}:saml-provider/okta` }, Action: 'sts:AssumeRoleWithSAML' },
    ],
    [
      'an OIDC provider (GitHub)',
      {
        Effect: 'Allow',
        Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com` },
        Action: 'sts:AssumeRoleWithWebIdentity',
      },
    ],
    [
      'a condition that does not fully restrict',
      {
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc' } },
      },
    ],
    ['NotPrincipal with Allow', { Effect: 'Allow', NotPrincipal: { AWS: `arn:aws:iam::${OTHER}:root` }, Action: 'sts:AssumeRole' }],
    ['a wildcard action', { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER}:root` }, Action: 'sts:Assume*' }],
    ['"*" as the action', { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER}:root` }, Action: '*' }],
    ['NotAction', { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER}:root` }, NotAction: 'sts:TagSession' }],
    ['no Action at all', { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER}:root` } }],
    ['no Principal at all', { Effect: 'Allow', Action: 'sts:AssumeRole' }],
    [
      'ECS tasks and Lambda in one statement',
      { Effect: 'Allow', Principal: { Service: ['ecs-tasks.amazonaws.com', 'lambda.amazonaws.com'] }, Action: 'sts:AssumeRole' },
    ],
  ])('%s', (_label, stmt) => {
    const s = sharedRoleStatus(facts({ trustPolicy: trust(ecs, stmt) }));
    expect(s.shared).toBe(true);
    expect(s.causes.map((c) => c.cause)).toEqual(['trust-policy']);
  });

  it('an unread trust policy counts as shared (unknown)', () => {
    expect(othersWhoCanAssume(undefined)).toEqual(['the trust policy was not read: who may assume the role is unknown']);
    expect(sharedRoleStatus(facts({ trustPolicy: undefined })).shared).toBe(true);
  });
});

describe('sharedRoleStatus: a task role too, or in an instance profile', () => {
  it.each([
    ['the same ARN', ROLE_ARN],
    ['the same name under another path', `arn:aws:iam::${ACCOUNT}:role/apps/app-exec`],
    ['the same name in another case', `arn:aws:iam::${ACCOUNT}:role/App-Exec`],
    ['the bare role name', 'app-exec'],
  ])('a task definition with %s as taskRoleArn makes it shared', (_label, taskRole) => {
    const s = sharedRoleStatus(facts({ taskRoleArns: [`arn:aws:iam::${ACCOUNT}:role/other`, taskRole] }));
    expect(s.causes.map((c) => c.cause)).toEqual(['task-role']);
    expect(s.causes[0]!.detail).toContain(taskRole);
  });

  it('the same name in another account or partition is another role', () => {
    expect(
      sharedRoleStatus(facts({ taskRoleArns: [`arn:aws:iam::${OTHER}:role/app-exec`, `arn:aws-cn:iam::${ACCOUNT}:role/app-exec`] })).shared,
    ).toBe(false);
    expect(sharedRoleStatus(facts({ taskRoleArns: [`arn:aws:iam::${ACCOUNT}:role/app-exec-2`, 'app-exe'] })).shared).toBe(false);
  });

  it('an instance profile makes it shared; unread membership too', () => {
    expect(sharedRoleStatus(facts({ inInstanceProfile: true })).causes.map((c) => c.cause)).toEqual(['instance-profile']);
    expect(sharedRoleStatus(facts({ inInstanceProfile: undefined })).causes[0]!.detail).toContain('not read');
  });

  it('every cause is listed', () => {
    const s = sharedRoleStatus(
      facts({
        taskRoleArns: [ROLE_ARN],
        inInstanceProfile: true,
        trustPolicy: trust(ecs, { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }),
      }),
    );
    expect(s.causes.map((c) => c.cause)).toEqual(['task-role', 'trust-policy', 'instance-profile']);
  });
});

describe('task role equal to execution role in files', () => {
  it('sameRole and taskRoleIsExecutionRole', () => {
    expect(sameRole('arn:aws:iam::1:role/a', 'arn:aws:iam::1:role/x/A')).toBe(true);
    expect(sameRole('arn:aws:iam::1:role/a', 'arn:aws:iam::2:role/a')).toBe(false);
    expect(sameRole('${Role}', '${Role}')).toBe(true);
    expect(sameRole('', '')).toBe(false);
    expect(taskRoleIsExecutionRole({ executionRoleArn: 'ecsTaskExecutionRole', taskRoleArn: null })).toBe(false);
  });

  // The issue counts five; the two c7n placebo responses (A11, A13, wrapped in an API response) do it too.
  it('flags exactly the seven corpus task definitions that use one role for both', () => {
    const flagged: string[] = [];
    for (const file of listCorpus('task-definitions', '.json')) {
      for (const td of parseTaskDefinitions(readCorpusText('task-definitions', file), file)) {
        flagged.push(...sameRoleWarnings([td]).map(() => file.slice(0, 3)));
      }
    }
    expect(flagged).toEqual(['A05', 'A11', 'A13', 'A21', 'A23', 'A26', 'A29']);
    const [w] = sameRoleWarnings(
      parseTaskDefinitions(readCorpusText('task-definitions', 'A21_moikai_aws-task-definition.json'), 'A21.json'),
    );
    expect(w).toMatchObject({ code: 'shared-role' });
    expect(w!.message).toContain('moikai-ecs-task-role');
  });
});

describe('splitProposal', () => {
  it('a dedicated execution role that is itself not shared, with the synthesized policy and the task definitions to repoint', () => {
    const p = splitProposal(ROLE_ARN, 'leash-execution-role', synthesized.document, ['web:3', 'web:2', 'web:3']);
    expect(p.roleName).toBe('app-exec-execution');
    expect(p.policy).toEqual(synthesized.document);
    expect(p.taskDefinitions).toEqual(['web:2', 'web:3']);
    expect(othersWhoCanAssume(p.trustPolicy)).toEqual([]);
    expect(p.cloudformation).toContain('ExecutionRoleArn: !GetAtt appexecexecution.Arn');
    expect(p.terraform).toContain('execution_role_arn = aws_iam_role.appexecexecution.arn');
    expect(p.cloudformation).toContain('#   web:2');
  });

  it('keeps the new role name within IAM’s 64 characters', () => {
    const long = `arn:aws:iam::${ACCOUNT}:role/${'r'.repeat(64)}`;
    expect(splitRoleName(long)).toHaveLength(64);
  });
});

describe('buildPlan for a shared role', () => {
  const appStatement: PolicyStatement = { Sid: 'App', Effect: 'Allow', Action: ['dynamodb:PutItem', 's3:PutObject'], Resource: '*' };
  const leashNow: NamedPolicy = {
    name: 'leash-execution-role',
    kind: 'inline',
    document: {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'EcrAuth', Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: '*' }, // Sid collides with the synthesized one
        { Effect: 'Allow', Action: 'ssm:GetParameters', Resource: `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/old` },
        { Effect: 'Deny', Action: 's3:DeleteObject', Resource: '*' },
      ],
    },
  };
  const appPolicy: NamedPolicy = { name: 'app', kind: 'inline', document: { Version: '2012-10-17', Statement: [appStatement] } };
  const grant = [managedPolicy(), broadInline, appPolicy, leashNow];
  const appFinding: Finding = {
    kind: 'excess',
    severity: 'review',
    action: 'dynamodb:PutItem',
    resource: '*',
    reasons: ['no task definition needs it'],
    grantedBy: [{ policy: 'app', statement: 0 }],
  };
  const status = sharedRoleStatus(facts({ taskRoleArns: [ROLE_ARN] }));
  const input = (over: Partial<BuildPlanInput> = {}): BuildPlanInput => ({
    roleArn: ROLE_ARN,
    state: {
      roleArn: ROLE_ARN,
      inline: grant.filter((p) => p.kind === 'inline').map((p) => ({ name: p.name, document: p.document })),
      attached: [MANAGED_ARN],
    },
    baseStateHash: 'h',
    grant,
    requirements,
    synthesized,
    findings: [...findings(), appFinding],
    accountId: ACCOUNT,
    covers: coversRequirement,
    ...over,
  });

  it('an unshared role would lose the application’s permissions (the attack the shared rule prevents)', () => {
    const plan = buildPlan(input());
    expect(plan.deleteInline).toContain('secrets-everywhere');
  });

  const plan = buildPlan(input({ shared: status }));

  it('keeps every policy other than its own, detaches and deletes nothing', () => {
    expect(plan.detach).toEqual([]);
    expect(plan.deleteInline).toEqual([]);
    expect(plan.kept?.map((k) => k.policy)).toEqual(['app', MANAGED_ARN, 'secrets-everywhere']);
    expect(sharedPlanViolations(plan)).toEqual([]);
  });

  it('carries over every statement of its own policy that is not a vocabulary-only Allow, renaming a colliding Sid', () => {
    const carried = plan.document.Statement.slice(synthesized.document.Statement.length);
    expect(carried).toEqual([
      { Sid: 'Kept0EcrAuth', Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: '*' },
      { Effect: 'Deny', Action: 's3:DeleteObject', Resource: '*' },
    ]);
    expect(new Set(plan.document.Statement.map((s) => s.Sid).filter(Boolean)).size).toBe(
      plan.document.Statement.filter((s) => s.Sid).length,
    );
  });

  it('removes nothing outside the vocabulary; a vocabulary narrowing is listed for a person', () => {
    // Kept policies still grant what the old Leash statements did: nothing is lost.
    expect(plan.removals).toEqual([]);
    const g = [appPolicy, leashNow];
    const narrowed = buildPlan(
      input({
        shared: status,
        grant: g,
        findings: [appFinding],
        state: { roleArn: ROLE_ARN, inline: g.map((p) => ({ name: p.name, document: p.document })), attached: [] },
      }),
    );
    expect(narrowed.removals).toEqual([{ action: 'ssm:GetParameters', resource: `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/old` }]);
    expect(narrowed.needsApproval.some((r) => r.startsWith('shared role: removes ssm:GetParameters'))).toBe(true);
    expect(sharedPlanViolations(narrowed)).toEqual([]);
  });

  it('never applies automatically and carries the shared-role finding with the split', () => {
    expect(plan.needsApproval.some((r) => r.startsWith('role is shared: it is the task role'))).toBe(true);
    const f = plan.findings.find((x) => x.kind === 'shared-role')!;
    expect(f.resource).toBe(ROLE_ARN);
    expect(f.reasons.join('\n')).toContain('app-exec-execution');
    expect(f.reasons.join('\n')).toContain('app:7');
    const app = plan.findings.find((x) => x.action === 'dynamodb:PutItem')!;
    expect(app.severity).toBe('info');
    expect(app.reasons.at(-1)).toContain('the role is shared');
  });

  it('still adds what the task definitions need', () => {
    const missing: Finding[] = requirements.map((r) => ({
      kind: 'missing',
      severity: 'urgent',
      action: r.action,
      resource: r.resource,
      reasons: ['a task definition needs it'],
      requiredBy: r.reasons,
    }));
    const bare = buildPlan(
      input({
        shared: status,
        grant: [appPolicy],
        findings: [...missing, appFinding],
        state: { roleArn: ROLE_ARN, inline: [{ name: 'app', document: appPolicy.document }], attached: [] },
      }),
    );
    expect(bare.additions.map((a) => `${a.action} ${a.resource}`)).toContain(`ecr:BatchGetImage ${REPO}`);
    expect(bare.additions.map((a) => `${a.action} ${a.resource}`)).toContain(`secretsmanager:GetSecretValue ${SECRET}`);
    expect(bare.removals).toEqual([]);
  });

  it('a status that is not shared changes nothing', () => {
    expect(buildPlan(input({ shared: { shared: false, causes: [] } }))).toEqual(buildPlan(input()));
  });

  it('sharedPlanViolations catches an ordinary plan that would cut a shared role', () => {
    const v = sharedPlanViolations(buildPlan(input()));
    expect(v).toContain('deletes the inline policy secrets-everywhere');
    expect(v.some((l) => l.startsWith(`detaches ${MANAGED_ARN}`))).toBe(true);
    expect(v.some((l) => l.includes('outside the execution-role vocabulary'))).toBe(true);
  });
});
