import { describe, expect, it } from 'vitest';
import { describeStep, planSteps, restoreSteps } from '../../../lib/engine/role/steps.js';
import { policySize } from '../../../lib/engine/policy/size.js';
import type { Plan, PolicyDocument, RoleState } from '../../../lib/engine/types.js';

const ROLE = 'arn:aws:iam::123456789012:role/app-exec';
/** A document of roughly `chars` non-whitespace characters. */
function doc(chars: number, tag: string): PolicyDocument {
  const resources = Array.from(
    { length: Math.ceil(chars / 70) },
    (_, i) => `arn:aws:ssm:eu-west-1:123456789012:parameter/${tag}/p${String(i).padStart(4, '0')}`,
  );
  return { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ssm:GetParameters', Resource: resources }] };
}
function plan(document: PolicyDocument, deleteInline: string[]): Plan {
  return {
    roleArn: ROLE,
    baseStateHash: 'h',
    planHash: 'p',
    policyName: 'leash-execution-role',
    document,
    deleteInline,
    detach: ['arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy'],
    additions: [],
    removals: [],
    compaction: [],
    findings: [],
    needsApproval: [],
  };
}

describe('step order within the inline policy budget', () => {
  it('puts the new policy first when there is room', () => {
    const current: RoleState = { roleArn: ROLE, inline: [{ name: 'old', document: doc(3000, 'old') }], attached: [] };
    const steps = planSteps(plan(doc(3000, 'new'), ['old']), current).map(describeStep);
    expect(steps).toEqual([
      'put-inline leash-execution-role',
      'delete-inline old',
      'detach arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy',
    ]);
  });

  it('deletes first when putting first would pass 10,240 characters on the way', () => {
    const old = doc(9000, 'old');
    const next = doc(5000, 'new');
    expect(policySize(old) + policySize(next)).toBeGreaterThan(10_240);
    const current: RoleState = { roleArn: ROLE, inline: [{ name: 'old', document: old }], attached: [] };
    const steps = planSteps(plan(next, ['old']), current).map(describeStep);
    expect(steps[0]).toBe('delete-inline old');
    expect(steps[1]).toBe('put-inline leash-execution-role');
    // Rolling back meets the same limit the other way round.
    const after: RoleState = { roleArn: ROLE, inline: [{ name: 'leash-execution-role', document: next }], attached: [] };
    expect(restoreSteps(after, current).map(describeStep)).toEqual(['delete-inline leash-execution-role', 'put-inline old']);
  });
});
