import { describe, expect, it } from 'vitest';
import { roleNameOf } from '../../../lib/engine/arn.js';
import { templateSnippets } from '../../../lib/engine/plan/template-change.js';
import type { Plan } from '../../../lib/engine/types.js';
import { MANAGED_ARN, ROLE_ARN, synthesized } from './fixtures.js';

const plan: Plan = {
  roleArn: ROLE_ARN,
  baseStateHash: 'b',
  planHash: 'p'.repeat(64),
  policyName: 'leash-execution-role',
  document: synthesized.document,
  deleteInline: ['secrets-everywhere'],
  detach: [MANAGED_ARN],
  additions: [],
  removals: [],
  compaction: [],
  findings: [],
  needsApproval: [],
};

/** The JSON block between two marker lines, re-parsed. */
function embeddedJson(text: string, startAfter: RegExp, endBefore: RegExp): unknown {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => startAfter.test(l)) + 1;
  const end = lines.findIndex((l, i) => i >= start && endBefore.test(l));
  return JSON.parse(lines.slice(start, end).join('\n'));
}

describe('templateSnippets', () => {
  const change = templateSnippets(plan);

  it('gives CloudFormation a Policies entry carrying the exact document', () => {
    expect(change.cloudformation).toContain('Policies:\n  - PolicyName: "leash-execution-role"\n    PolicyDocument:\n');
    expect(embeddedJson(change.cloudformation, /PolicyDocument:$/, /^#|^$/)).toEqual(synthesized.document);
    expect(change.cloudformation).toContain(`remove ${MANAGED_ARN} from ManagedPolicyArns`);
    expect(change.cloudformation).toContain('"secrets-everywhere"');
  });

  it('gives Terraform an aws_iam_role_policy carrying the exact document', () => {
    expect(change.terraform).toContain('resource "aws_iam_role_policy" "leash_execution_role" {');
    expect(change.terraform).toContain('role   = "app-exec"');
    expect(embeddedJson(change.terraform, /<<-LEASH_POLICY$/, /^\s*LEASH_POLICY$/)).toEqual(synthesized.document);
    expect(change.terraform).toContain(`aws_iam_role_policy_attachment of ${MANAGED_ARN}`);
  });

  it('takes the role name from a path-qualified ARN', () => {
    expect(roleNameOf('arn:aws:iam::123456789012:role/service-role/ecs/exec')).toBe('exec');
  });
});
