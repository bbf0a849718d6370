import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccessAnalyzerClient, CheckNoNewAccessCommand, ValidatePolicyCommand } from '@aws-sdk/client-accessanalyzer';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsAccessAnalyzer } from '../../../lib/adapters/aws/access-analyzer.js';
import { PlanVerifier } from '../../../lib/app/apply/plan-verifier.js';
import { mergeAllows } from '../../../lib/engine/role/verify.js';
import { buildPlan } from '../../../lib/engine/plan/build-plan.js';
import type { NamedPolicy, Plan, RoleState } from '../../../lib/engine/types.js';
import { AdapterError } from '../../../lib/errors.js';
import { fakeCovers } from '../../engine/plan/fake-covers.js';
import {
  ACCOUNT,
  broadInline,
  findings,
  LOG_STREAMS,
  MANAGED_ARN,
  managedPolicy,
  requirements,
  ROLE_ARN,
  synthesized,
} from '../../engine/plan/fixtures.js';

const aa = mockClient(AccessAnalyzerClient);
const state: RoleState = {
  roleArn: ROLE_ARN,
  inline: [{ name: broadInline.name, document: broadInline.document }],
  attached: [MANAGED_ARN],
};
const plan: Plan = buildPlan({
  roleArn: ROLE_ARN,
  state,
  baseStateHash: 'h',
  grant: [managedPolicy(), broadInline],
  requirements,
  synthesized,
  findings: findings(),
  accountId: ACCOUNT,
  covers: fakeCovers,
});
const verifier = new PlanVerifier({
  analyzer: new AwsAccessAnalyzer(new AccessAnalyzerClient({ region: 'us-east-1' })),
  covers: fakeCovers,
  managedPolicy: async (arn) => {
    if (arn !== MANAGED_ARN) throw new Error(`unexpected ${arn}`);
    return managedPolicy();
  },
});

beforeEach(() => {
  aa.reset();
  aa.on(ValidatePolicyCommand).resolves({ findings: [] });
  aa.on(CheckNoNewAccessCommand).resolves({ result: 'PASS' });
});
afterEach(() => aa.reset());

const finding = (findingType: 'ERROR' | 'SECURITY_WARNING' | 'WARNING' | 'SUGGESTION', issueCode: string) => ({
  findingType,
  issueCode,
  findingDetails: `${issueCode} details`,
  learnMoreLink: 'https://docs.aws.amazon.com/',
  locations: [],
});

describe('PlanVerifier', () => {
  it('passes a clean narrowing and checks the new document as an identity policy', async () => {
    expect(await verifier.verify({ plan, state, requirements })).toEqual({ ok: true, problems: [] });
    const [validate] = aa.commandCalls(ValidatePolicyCommand);
    expect(validate?.args[0].input.policyType).toBe('IDENTITY_POLICY');
    expect(JSON.parse(validate?.args[0].input.policyDocument ?? '')).toEqual(plan.document);
  });

  it('compares the merged current Allow statements with the merged new ones in CheckNoNewAccess', async () => {
    await verifier.verify({ plan, state, requirements });
    const calls = aa.commandCalls(CheckNoNewAccessCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]?.args[0].input;
    expect(input?.policyType).toBe('IDENTITY_POLICY');
    const existing = JSON.parse(input?.existingPolicyDocument ?? '');
    expect(existing.Statement).toHaveLength(2); // the inline's one Allow + the managed policy's one Allow
    expect(existing.Statement).toContainEqual(broadInline.document.Statement[0]);
    const next = JSON.parse(input?.newPolicyDocument ?? '');
    expect(next.Statement).toHaveLength(synthesized.document.Statement.length);
    expect(next.Statement.every((s: { Sid?: string }) => s.Sid === undefined)).toBe(true);
  });

  it.each(['ERROR', 'SECURITY_WARNING'] as const)('blocks on a ValidatePolicy %s, across pages', async (type) => {
    aa.on(ValidatePolicyCommand)
      .resolvesOnce({ findings: [finding('SUGGESTION', 'REDUNDANT_ACTION')], nextToken: 'page2' })
      .resolvesOnce({ findings: [finding(type, 'PASS_ROLE_WITH_STAR_IN_RESOURCE')] });
    const res = await verifier.verify({ plan, state, requirements });
    expect(res.ok).toBe(false);
    expect(res.problems).toEqual([`ValidatePolicy ${type} PASS_ROLE_WITH_STAR_IN_RESOURCE: PASS_ROLE_WITH_STAR_IN_RESOURCE details`]);
    expect(aa.commandCalls(ValidatePolicyCommand)[1]?.args[0].input.nextToken).toBe('page2');
  });

  it('does not block on WARNING or SUGGESTION findings', async () => {
    aa.on(ValidatePolicyCommand).resolves({
      findings: [finding('WARNING', 'MISSING_VERSION'), finding('SUGGESTION', 'EMPTY_ARRAY_ACTION')],
    });
    expect((await verifier.verify({ plan, state, requirements })).ok).toBe(true);
  });

  it('blocks when CheckNoNewAccess fails on a pure reduction', async () => {
    aa.on(CheckNoNewAccessCommand).resolves({
      result: 'FAIL',
      message: 'The modified permissions grant new access',
      reasons: [{ description: 'new access to kms:Decrypt', statementIndex: 3 }],
    });
    const res = await verifier.verify({ plan, state, requirements });
    expect(res.ok).toBe(false);
    expect(res.problems[0]).toContain('new access to kms:Decrypt (statement 3)');
  });

  it('skips CheckNoNewAccess when the plan adds access', async () => {
    const adding = { ...plan, additions: [{ action: 'logs:CreateLogStream', resource: LOG_STREAMS }] };
    await verifier.verify({ plan: adding, state, requirements });
    expect(aa.commandCalls(CheckNoNewAccessCommand)).toHaveLength(0);
  });

  it('reports every requirement the new policy set would not allow', async () => {
    const narrow = { ...plan, document: { ...plan.document, Statement: plan.document.Statement.slice(0, 1) } };
    const res = await verifier.verify({ plan: narrow, state, requirements });
    expect(res.ok).toBe(false);
    // Only ecr:GetAuthorizationToken remains allowed: the other six requirements are lost.
    expect(res.problems.filter((p) => p.startsWith('requirement '))).toHaveLength(requirements.length - 1);
  });

  it('counts kept policies: a requirement still allowed by a kept policy passes', async () => {
    const keepManaged = { ...plan, detach: [], document: { ...plan.document, Statement: plan.document.Statement.slice(3) } };
    const res = await verifier.verify({ plan: keepManaged, state, requirements });
    // The managed policy's ECR/logs actions on "*" still cover those requirements.
    expect(res.problems.filter((p) => p.startsWith('requirement '))).toEqual([]);
  });

  it('surfaces Access Analyzer failures as AdapterError rather than a pass', async () => {
    aa.on(ValidatePolicyCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(verifier.verify({ plan, state, requirements })).rejects.toBeInstanceOf(AdapterError);
  });
});

describe('mergeAllows', () => {
  it('keeps Allow statements of every policy without Sids and drops Deny', () => {
    const p: NamedPolicy[] = [
      {
        name: 'a',
        kind: 'inline',
        document: {
          Statement: [
            { Sid: 'One', Effect: 'Allow', Action: 'x:A', Resource: '*' },
            { Effect: 'Deny', Action: 'x:B', Resource: '*' },
          ],
        },
      },
      { name: 'b', kind: 'inline', document: { Statement: [{ Sid: 'One', Effect: 'Allow', Action: 'x:C', Resource: 'r' }] } },
    ];
    expect(mergeAllows(p)).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'x:A', Resource: '*' },
        { Effect: 'Allow', Action: 'x:C', Resource: 'r' },
      ],
    });
  });
});
