import { describe, expect, it } from 'vitest';
import { broadness, guardrails, type GuardrailContext } from '../../../lib/engine/plan/guardrails.js';
import { readScope } from '../../../lib/engine/plan/scope.js';
import { buildPlan } from '../../../lib/engine/plan/build-plan.js';
import type { AccessRequest, Finding, Plan } from '../../../lib/engine/types.js';
import { fakeCovers } from './fake-covers.js';
import { ACCOUNT, fixturePlan, REPO, requirements, ROLE_ARN, synthesized } from './fixtures.js';

const basePlan: Plan = fixturePlan();
/** A declared scope, so that only the rule under test objects to an addition (the scope rule has its own tests). */
const scope = (value: string) => readScope({ 'leash:scope': value }, ROLE_ARN).scope;
const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const outside = (action: string, resource: string) =>
  expect.stringMatching(`^${escaped(`adds ${action} on ${resource}: outside the declared scope`)}`);

const ctx = (over: Partial<GuardrailContext> = {}): GuardrailContext => ({
  mode: 'auto',
  accountId: ACCOUNT,
  recentUse: new Set(),
  scope: { entries: [] },
  ...over,
});

function withAddition(add: AccessRequest, finding?: Partial<Finding>): Plan {
  const f: Finding = { kind: 'denied', severity: 'urgent', action: add.action, resource: add.resource, reasons: ['denial'], ...finding };
  return { ...basePlan, additions: [add], findings: [...basePlan.findings, f] };
}

describe('guardrails', () => {
  it('allows a clean narrowing in auto mode', () => {
    expect(guardrails(basePlan, ctx())).toEqual({ allowedAuto: true, reasons: [], ticketOnly: false, alerts: [] });
  });

  it.each(['observe', 'approve'] as const)('mode %s never applies automatically', (mode) => {
    const r = guardrails(basePlan, ctx({ mode }));
    expect(r.allowedAuto).toBe(false);
    expect(r.ticketOnly).toBe(false);
    expect(r.reasons).toEqual([`mode is ${mode}: no automatic change`]);
  });

  it('mode ticket is ticket-only', () => {
    const r = guardrails(basePlan, ctx({ mode: 'ticket' }));
    expect(r).toMatchObject({ allowedAuto: false, ticketOnly: true });
  });

  it.each(['cloudformation', 'terraform'] as const)('a role owned by %s gets a ticket, even in auto mode', (owner) => {
    const r = guardrails(basePlan, ctx({ owner }));
    expect(r.allowedAuto).toBe(false);
    expect(r.ticketOnly).toBe(true);
    expect(r.reasons.join('\n')).toContain(owner);
  });

  it('never removes access used recently', () => {
    const used = `ecr:BatchGetImage arn:aws:ecr:us-east-1:${ACCOUNT}:repository/sidecar`;
    const r = guardrails(basePlan, ctx({ recentUse: new Set([used]) }));
    expect(r.allowedAuto).toBe(false);
    expect(r.reasons).toHaveLength(1);
    expect(r.reasons[0]).toContain(used);
  });

  it('does not block a removal when the Leash policy still allows the recent use', () => {
    const used = `ecr:BatchGetImage ${REPO}`;
    expect(guardrails(basePlan, ctx({ recentUse: new Set([used]), covers: fakeCovers })).allowedAuto).toBe(true);
    // Without an evaluator the same use blocks: it falls under the removed "*".
    expect(guardrails(basePlan, ctx({ recentUse: new Set([used]) })).allowedAuto).toBe(false);
  });

  it('ignores recent use of access the plan keeps', () => {
    expect(guardrails(basePlan, ctx({ recentUse: new Set(['ecr:GetAuthorizationToken *']) })).allowedAuto).toBe(true);
  });

  it('never adds an action outside the vocabulary', () => {
    const r = guardrails(
      withAddition({ action: 'ecr:PutImage', resource: REPO }, { kind: 'missing', requiredBy: requirements[1]?.reasons }),
      ctx({ scope: scope('repository/app') }),
    );
    expect(r.allowedAuto).toBe(false);
    expect(r.reasons).toEqual([`adds ecr:PutImage on ${REPO}: action outside the execution-role vocabulary`]);
  });

  it('flags a Leash document granting a wildcard action', () => {
    const plan = { ...basePlan, document: { Statement: [{ Effect: 'Allow' as const, Action: 'ecr:*', Resource: REPO }] } };
    expect(guardrails(plan, ctx()).reasons).toEqual(['the Leash policy grants ecr:*, outside the execution-role vocabulary']);
  });

  it('never adds a cross-account resource without approval', () => {
    const repo = 'arn:aws:ecr:us-east-1:906394416424:repository/aws-for-fluent-bit';
    const r = guardrails(
      withAddition({ action: 'ecr:BatchGetImage', resource: repo }, { kind: 'missing', requiredBy: requirements[1]?.reasons }),
      ctx({ scope: scope('repository/aws-for-fluent-bit') }),
    );
    expect(r.allowedAuto).toBe(false);
    // A scope is always the role's own account: another account's repository is outside any scope too.
    expect(r.reasons).toEqual([
      `adds ecr:BatchGetImage on ${repo}: cross-account resource (account 906394416424)`,
      outside('ecr:BatchGetImage', repo),
    ]);
  });

  it('treats S3 objects as out of scope unless a task definition names them', () => {
    const obj = { action: 's3:GetObject', resource: 'arn:aws:s3:::config-bucket/fluent-bit.conf' };
    const inScope = ctx({ scope: scope('s3:::config-bucket/') });
    const fromDenialOnly = guardrails(withAddition(obj), inScope);
    expect(fromDenialOnly.allowedAuto).toBe(false);
    expect(fromDenialOnly.reasons[0]).toContain('S3');
    const fromIntent = guardrails(withAddition(obj, { kind: 'missing', requiredBy: requirements[0]?.reasons }), inScope);
    expect(fromIntent).toMatchObject({ allowedAuto: true, reasons: [] });
  });

  it.each([
    ['kms:Decrypt', '*', 'resource is "*"'],
    ['secretsmanager:GetSecretValue', `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:*`, 'wildcard in the resource name'],
    ['ssm:GetParameters', `arn:aws:ssm:*:${ACCOUNT}:parameter/app/db`, 'wildcard in the ARN prefix'],
  ])('needs approval to add %s on a broad resource %s', (action, resource, why) => {
    const broad = ctx({ scope: scope('secret:app/ parameter/app/') });
    const r = guardrails(withAddition({ action, resource }, { kind: 'missing', requiredBy: requirements[0]?.reasons }), broad);
    expect(r.allowedAuto).toBe(false);
    // A wildcard is never inside a scope either (a scope names paths, and "*" or a wildcard Region names none).
    expect(r.reasons).toEqual([`adds ${action} on ${resource}: ${why}`, outside(action, resource)]);
  });

  it.each([
    ['ecr:GetAuthorizationToken', '*'],
    ['secretsmanager:GetSecretValue', `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:prod/db-??????`],
    ['logs:CreateLogStream', `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/ecs/app:*`],
  ])('accepts the exact IAM spelling of %s on %s', (action, resource) => {
    expect(broadness(action, resource)).toBeUndefined();
  });

  it('blocks on any reason the plan already carries', () => {
    const r = guardrails({ ...basePlan, needsApproval: ['kept policy in use'] }, ctx());
    expect(r).toMatchObject({ allowedAuto: false, reasons: ['kept policy in use'] });
  });

  it('requires approval for compaction that adds access', () => {
    const plan = {
      ...basePlan,
      compaction: [{ action: 'logs:PutLogEvents', from: ['a', 'b'], to: 'x:*', extraAccess: 'all streams of x' }],
    };
    expect(guardrails(plan, ctx()).reasons[0]).toContain('all streams of x');
  });

  it('reports trust-policy findings as alerts and never turns them into changes', () => {
    const trust: Finding = {
      kind: 'trust-policy',
      severity: 'review',
      action: 'sts:AssumeRole',
      resource: ROLE_ARN,
      reasons: ['no aws:SourceAccount condition'],
    };
    const plan = buildPlan({
      roleArn: ROLE_ARN,
      state: { roleArn: ROLE_ARN, inline: [], attached: [] },
      baseStateHash: 'h',
      grant: [],
      requirements,
      synthesized,
      findings: [trust],
      accountId: ACCOUNT,
      covers: fakeCovers,
    });
    // The role has no policy: the plan adds what the task definition needs, and nothing about the trust policy.
    expect(plan.additions.map((a) => a.action).sort()).toEqual(requirements.map((r) => r.action).sort());
    expect(plan.additions.some((a) => a.action.startsWith('sts:'))).toBe(false);
    expect(plan.removals).toEqual([]);
    const r = guardrails(plan, ctx());
    expect(r.alerts).toHaveLength(1);
    expect(r.alerts[0]).toContain('no aws:SourceAccount condition');
  });

  it('refuses a Leash document that names a Principal', () => {
    const plan = {
      ...basePlan,
      document: { Statement: [{ Effect: 'Allow' as const, Principal: '*', Action: 'ecr:BatchGetImage', Resource: REPO }] },
    };
    expect(guardrails(plan, ctx()).reasons.some((x) => x.includes('Principal'))).toBe(true);
  });
});
