// SQS delivers at least once and findings are re-announced after a failed publish, so the remediation function sees
// the same role, unchanged, more than once. The same plan must not be proposed again: no second Slack message, no
// second set of signed links (each one another live way to approve), and no dead request for a plan already decided.
import { afterEach, describe, expect, it } from 'vitest';
import { run as handleApprovalRequest } from '../../../functions/approvals.js';
import { useMoto } from '../../support/moto.js';
import { createWorld, remediationAccount, type DemoWorld } from '../../support/world/index.js';

const moto = useMoto();
let w: DemoWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

const ROLE = 'billing-exec'; // tagged leash:mode approve by the seed

describe('a duplicate remediation message for an unchanged role', () => {
  it('does not request approval of the same pending plan twice', async () => {
    w = await createWorld(moto.config(), remediationAccount());
    const { plan } = await w.requestApproval(ROLE);
    const firstLinks = (await w.drain(w.resources.approvalsInboxUrl)).filter((m) => m.includes(plan.planHash));
    // One message per email approver (a Slack id and an email are configured: the Slack approver approves in Slack).
    expect(firstLinks).toHaveLength(1);
    expect(w.slack.messages.size).toBe(1);

    const again = await w.remediate(ROLE);
    expect(again).toMatchObject({ outcome: 'approval-requested' });
    expect('plan' in again && again.plan?.planHash).toBe(plan.planHash);
    expect(w.slack.messages.size).toBe(1);
    expect((await w.drain(w.resources.approvalsInboxUrl)).filter((m) => m.includes(plan.planHash))).toEqual([]);
    // The first request is still the one that decides.
    expect((await handleApprovalRequest(w.click(plan), w.deps)).body).toBe('approved');
    expect(await w.applyQueued()).toMatchObject([{ outcome: 'applied', plan: { planHash: plan.planHash } }]);
  });

  it('does not propose a rejected plan again while nothing changed', async () => {
    w = await createWorld(moto.config(), remediationAccount());
    const { plan } = await w.requestApproval(ROLE);
    expect((await handleApprovalRequest(w.click(plan, { action: 'reject' }), w.deps)).body).toBe('rejected');
    await w.drain(w.resources.approvalsInboxUrl);

    const again = await w.remediate(ROLE);
    expect(again.outcome).toBe('skipped');
    expect(again.why).toContain('already decided');
    expect(w.slack.messages.size).toBe(1);
    expect((await w.drain(w.resources.approvalsInboxUrl)).filter((m) => m.includes(plan.planHash))).toEqual([]);
  });
});
