// Auto adds access only inside the declared scope; removals and narrowings stay automatic; shared roles never are.
import { describe, expect, it } from 'vitest';
import { guardrails, type GuardrailContext } from '../../../lib/engine/plan/guardrails.js';
import { readScope } from '../../../lib/engine/plan/scope.js';
import { sharedRoleStatus } from '../../../lib/engine/plan/shared-role.js';
import type { AccessRequest, Finding, Plan } from '../../../lib/engine/types.js';
import { ACCOUNT, fixturePlan, requirements, ROLE_ARN } from './fixtures.js';

const basePlan: Plan = fixturePlan();
const scope = (value: string) => readScope({ 'leash:scope': value }, ROLE_ARN).scope;
const WEB_SCOPE = scope('secret:web/ parameter/web/ log-group:/ecs/web repository/web/');

const ctx = (over: Partial<GuardrailContext> = {}): GuardrailContext => ({
  mode: 'auto',
  accountId: ACCOUNT,
  recentUse: new Set(),
  scope: WEB_SCOPE,
  ...over,
});

/** The plan with `adds` as additions, each required by the fixture task definition (so only the scope can object). */
function withAdditions(...adds: AccessRequest[]): Plan {
  const fs: Finding[] = adds.map((a) => ({
    kind: 'missing',
    severity: 'urgent',
    action: a.action,
    resource: a.resource,
    reasons: ['needed'],
    requiredBy: requirements[0]!.reasons,
  }));
  return { ...basePlan, additions: adds, findings: [...basePlan.findings, ...fs] };
}

const secret = (name: string) => ({
  action: 'secretsmanager:GetSecretValue',
  resource: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:${name}`,
});
const param = (name: string) => ({ action: 'ssm:GetParameters', resource: `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/${name}` });

describe('guardrails: additions in auto only inside the declared scope', () => {
  it('removals and narrowings need no scope: the fixture plan (removals only) applies with an empty scope', () => {
    expect(basePlan.additions).toEqual([]);
    expect(basePlan.removals.length).toBeGreaterThan(0);
    expect(guardrails(basePlan, ctx({ scope: scope('') }))).toMatchObject({ allowedAuto: true, reasons: [] });
  });

  it('an addition inside the scope is applied automatically', () => {
    expect(guardrails(withAdditions(secret('web/db-AbCdEf'), param('web/api-key')), ctx())).toMatchObject({
      allowedAuto: true,
      reasons: [],
    });
  });

  it('the issue’s example: another team’s secret, its KMS key, an unknown bucket and a parameter outside the scope each go to a person', () => {
    const key = { action: 'kms:Decrypt', resource: `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab` };
    const s3 = { action: 's3:GetObject', resource: 'arn:aws:s3:::another-org-config/app.env' };
    const r = guardrails(
      withAdditions(secret('web/db-AbCdEf'), secret('billing/db-XyZ123'), key, s3, param('security/break-glass')),
      ctx(),
    );
    expect(r.allowedAuto).toBe(false);
    const scoped = r.reasons.filter((x) => x.includes('outside the declared scope'));
    expect(scoped).toHaveLength(4);
    for (const what of ['billing/db-XyZ123', 'key/1234abcd', 'another-org-config', 'security/break-glass']) {
      expect(scoped.some((x) => x.includes(what))).toBe(true);
    }
    expect(scoped.some((x) => x.includes('web/db'))).toBe(false);
  });

  it.each([
    ['a name that only starts like the scope', secret('web-admin-AbCdEf')],
    ['a sibling path', param('web2/db')],
    ['a wildcard escaping the path', secret('web*')],
  ])('%s is outside', (_label, add) => {
    const r = guardrails(withAdditions(add), ctx());
    expect(r.allowedAuto).toBe(false);
    expect(r.reasons.some((x) => x.includes('outside the declared scope'))).toBe(true);
  });

  it('no scope tag, or an invalid one, means nothing is added automatically', () => {
    const none = readScope({}, ROLE_ARN).scope;
    const bad = readScope({ 'leash:scope': 'secret:web/ secret:*' }, ROLE_ARN);
    expect(bad.finding?.kind).toBe('invalid-scope-tag');
    for (const s of [none, bad.scope]) {
      const r = guardrails(withAdditions(secret('web/db-AbCdEf')), ctx({ scope: s }));
      expect(r.allowedAuto).toBe(false);
      expect(r.reasons[0]).toContain('outside the declared scope');
    }
  });

  it('outside auto the scope adds no reasons (a person sees every addition anyway)', () => {
    const r = guardrails(withAdditions(secret('billing/db-XyZ123')), ctx({ mode: 'approve' }));
    expect(r.reasons).toEqual(['mode is approve: no automatic change']);
  });

  it('no declared scope (or an invalid one, read as empty) sends every addition to a person', () => {
    const r = guardrails(withAdditions(secret('web/db-AbCdEf')), ctx({ scope: { entries: [] } }));
    expect(r.allowedAuto).toBe(false);
    expect(r.reasons).toEqual([
      expect.stringMatching(/^adds secretsmanager:GetSecretValue on .*web\/db-AbCdEf: outside the declared scope/),
    ]);
    // A plan that only removes and narrows needs no scope.
    expect(guardrails(basePlan, ctx({ scope: { entries: [] } })).allowedAuto).toBe(true);
  });
});

describe('guardrails: shared roles are never changed automatically', () => {
  it('a shared role is refused with its causes, and a plan that would cut it is named', () => {
    const shared = sharedRoleStatus({ roleArn: ROLE_ARN, trustPolicy: undefined, taskRoleArns: [ROLE_ARN], inInstanceProfile: true });
    const r = guardrails(basePlan, ctx({ shared }));
    expect(r.allowedAuto).toBe(false);
    expect(r.reasons[0]).toMatch(/^role is shared: it is the task role/);
    expect(r.reasons.some((x) => x.startsWith('shared role: the plan detaches'))).toBe(true);
    expect(r.reasons.some((x) => x.startsWith('shared role: the plan deletes the inline policy secrets-everywhere'))).toBe(true);
  });

  it('an unshared status changes nothing', () => {
    expect(guardrails(basePlan, ctx({ shared: { shared: false, causes: [] } })).allowedAuto).toBe(true);
  });
});
