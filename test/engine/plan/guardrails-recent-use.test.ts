// "Auto never removes anything used recently", for use evidence that carries no resource: IAM last-accessed data is
// per action (tracked actions) or per service, so its keys are "ssm:GetParameters *" or "ssm:* *". Such a use says
// the action (or service) was used on something: a removal of that action on any resource may be that something.
import { describe, expect, it } from 'vitest';
import { guardrails, type GuardrailContext } from '../../../lib/engine/plan/guardrails.js';
import type { Plan } from '../../../lib/engine/types.js';
import { fakeCovers } from './fake-covers.js';
import { ACCOUNT, fixturePlan } from './fixtures.js';

const basePlan: Plan = fixturePlan();

const PARAM = `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/app/db-url`;
// A plan that takes away one named SSM parameter (the synthesized Leash policy grants no SSM at all).
const removesParam: Plan = { ...basePlan, removals: [{ action: 'ssm:GetParameters', resource: PARAM }] };

const ctx = (recentUse: string[]): GuardrailContext => ({
  mode: 'auto',
  accountId: ACCOUNT,
  recentUse: new Set(recentUse),
  scope: { entries: [] },
  covers: fakeCovers,
});

describe('guardrails and use evidence without a resource', () => {
  it('blocks removing an action that last-accessed data shows used recently (resource unknown)', () => {
    const r = guardrails(removesParam, ctx(['ssm:GetParameters *']));
    expect(r.allowedAuto).toBe(false);
    expect(r.reasons.join('\n')).toContain('ssm:GetParameters');
  });

  it('blocks removing an action of a service used recently (service-level last-accessed)', () => {
    const r = guardrails(removesParam, ctx(['ssm:* *']));
    expect(r.allowedAuto).toBe(false);
    expect(r.reasons.join('\n')).toContain('ssm:*');
  });

  it('a service-level use does not block narrowing while the Leash policy keeps using that service', () => {
    // Last-accessed says only "ECR was used"; the plan keeps ECR pulls, on the exact repository.
    expect(guardrails(basePlan, ctx(['ecr:* *'])).allowedAuto).toBe(true);
  });

  it('an action-level use with unknown resource still blocks narrowing that action from "*"', () => {
    // It may have been on a repository the exact ARN leaves out.
    expect(guardrails(basePlan, ctx(['ecr:BatchGetImage *'])).allowedAuto).toBe(false);
  });
});
