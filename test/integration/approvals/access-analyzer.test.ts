// Issue 5 acceptance, verification: an approved plan goes through Access Analyzer's ValidatePolicy before it is
// applied. Moto has no Access Analyzer, so its client is mocked (aws-sdk-client-mock) with real-shaped answers.
import {
  AccessAnalyzerClient,
  CheckNoNewAccessCommand,
  ValidatePolicyCommand,
  type ValidatePolicyFinding,
} from '@aws-sdk/client-accessanalyzer';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { run as handleApprovalRequest } from '../../../functions/approvals.js';
import { useMoto } from '../../support/moto.js';
import { createWorld, remediationAccount, type DemoWorld } from '../../support/world/index.js';

const moto = useMoto();
const analyzer = mockClient(AccessAnalyzerClient);
let w: DemoWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
  analyzer.reset();
});

const ROLE = 'billing-exec';

// Shape of a ValidatePolicy finding as documented (findingType, issueCode, findingDetails, learnMoreLink, locations).
const securityWarning: ValidatePolicyFinding = {
  findingType: 'SECURITY_WARNING',
  issueCode: 'PASS_ROLE_WITH_STAR_IN_RESOURCE',
  findingDetails: 'Using the iam:PassRole action with wildcards (*) in the resource can be overly permissive.',
  learnMoreLink:
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html#access-analyzer-reference-policy-checks-security-warning-pass-role-with-star-in-resource',
  locations: [
    {
      path: [{ value: 'Statement' }, { index: 0 }, { value: 'Resource' }],
      span: { start: { line: 1, column: 1, offset: 1 }, end: { line: 1, column: 4, offset: 4 } },
    },
  ],
};

async function approveWith(findings: ValidatePolicyFinding[]) {
  analyzer.on(ValidatePolicyCommand).resolves({ findings });
  analyzer.on(CheckNoNewAccessCommand).resolves({ result: 'PASS', message: 'The modified permissions grant no new access.', reasons: [] });
  w = await createWorld(moto.config(), remediationAccount({ analyzer: new AccessAnalyzerClient({ region: 'eu-west-1' }) }));
  const before = await w.stateHash(ROLE);
  const { plan, message } = await w.requestApproval(ROLE);
  const res = await handleApprovalRequest(w.click(plan), w.deps);
  expect(res.body).toBe('approved'); // recorded and queued: verification runs in the remediation function
  const [out] = await w.applyQueued();
  return { world: w, plan, message, before, out: out! };
}

describe('Access Analyzer verification before apply', () => {
  it('refuses an approved plan when ValidatePolicy reports a SECURITY_WARNING: nothing changes', async () => {
    const { world, plan, message, before, out } = await approveWith([securityWarning]);
    expect(out).toMatchObject({ outcome: 'refused' });
    expect(out.why).toMatch(/^verification failed: ValidatePolicy SECURITY_WARNING PASS_ROLE_WITH_STAR_IN_RESOURCE/);
    expect(await world.deps.plans.status(plan.planHash)).toMatchObject({ status: 'refused' });
    expect(await world.stateHash(ROLE)).toBe(before);
    // The policy checked was the plan's own document.
    const sent = analyzer.commandCalls(ValidatePolicyCommand)[0]!.args[0].input;
    expect(sent).toMatchObject({ policyType: 'IDENTITY_POLICY' });
    expect(JSON.parse(sent.policyDocument!)).toEqual(plan.document);
    const audit = await world.audit(ROLE);
    expect(audit.map((e) => e.action)).toEqual(['plan', 'approve', 'refuse']);
    expect(audit.at(-1)!.why).toContain('SECURITY_WARNING');
    expect(JSON.stringify(world.slack.message(message.channel, message.ts)!.blocks)).toContain('*Refused*');
  });

  it('applies the same approval when ValidatePolicy has only a SUGGESTION', async () => {
    const suggestion: ValidatePolicyFinding = {
      ...securityWarning,
      findingType: 'SUGGESTION',
      issueCode: 'EMPTY_ARRAY_ACTION',
      findingDetails: 'This statement includes no actions.',
    };
    const { world, before, out } = await approveWith([suggestion]);
    expect(out).toMatchObject({ outcome: 'applied' });
    expect(await world.stateHash(ROLE)).not.toBe(before);
  });
});
