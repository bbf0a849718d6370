// Where approval links go, on moto: only to email approvers, one message each, on the approvals topic; an unfiltered
// subscriber of the findings topic (a SIEM queue) never sees a link or anything shaped like a token. And what a link
// shows once its plan was decided elsewhere (in Slack): the decision and who made it, with nothing to click.
import { afterEach, describe, expect, it } from 'vitest';
import { run as handleApprovalRequest } from '../../../functions/approvals.js';
import { httpEvent } from '../../../lib/dev/demo/slack-click.js';
import { useMoto } from '../../support/moto.js';
import { APPROVER, createWorld, type DemoWorld, LINK_APPROVER, PUBLIC_BASE_URL, remediationAccount } from '../../support/world/index.js';

const moto = useMoto();
let w: DemoWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

const TOKEN_LIKE = /[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}/;

describe('approval links are delivered to their approver only', () => {
  it('one message per email approver on the approvals topic; none for Slack ids; nothing on the findings topic', async () => {
    w = await createWorld(moto.config(), remediationAccount());
    // Two email approvers and two Slack approvers (the settings share the config's list).
    w.deps.settings.approvers.push('Bob@Example.com', 'U0SECOND');
    const { plan } = await w.requestApproval('billing-exec');

    const findings = await w.drain(w.resources.inboxUrl);
    for (const m of findings) {
      expect(m).not.toContain('/approve/');
      expect(m).not.toContain(PUBLIC_BASE_URL);
      expect(m).not.toMatch(TOKEN_LIKE);
    }

    const links = (await w.drain(w.resources.approvalsInboxUrl)).filter((m) => m.includes(plan.planHash));
    expect(links).toHaveLength(2);
    const addressed = links.map((m) => /as (\S+) \(one decision/.exec(m)?.[1]).sort();
    expect(addressed).toEqual(['Bob@Example.com', LINK_APPROVER]);
    for (const m of links) expect(m.match(/\/approve\//g)).toHaveLength(1); // each message carries one link
    expect(links.join('\n')).not.toContain(APPROVER);
    expect(links.join('\n')).not.toContain('U0SECOND');
  });

  it('a link opened after the plan was approved in Slack shows who decided, with no form', async () => {
    w = await createWorld(moto.config(), remediationAccount());
    const { plan } = await w.requestApproval('billing-exec');
    const token = await w.linkToken(plan);
    expect((await handleApprovalRequest(w.click(plan), w.deps)).body).toBe('approved');
    expect(await w.applyQueued()).toMatchObject([{ outcome: 'applied' }]);

    const page = await handleApprovalRequest(httpEvent('GET', `/approve/${token}`), w.deps);
    expect(page.statusCode).toBe(410);
    expect(page.body).toContain('<h1>Already decided</h1>');
    expect(page.body).toContain(`was approved by <strong>${APPROVER}</strong>`);
    expect(page.body).not.toMatch(/<form|<button|type="submit"/);
  });

  it('a link opened after a rejection says rejected and by whom', async () => {
    w = await createWorld(moto.config(), remediationAccount());
    const { plan } = await w.requestApproval('billing-exec');
    const token = await w.linkToken(plan);
    expect((await handleApprovalRequest(w.click(plan, { action: 'reject' }), w.deps)).body).toBe('rejected');
    const page = await handleApprovalRequest(httpEvent('GET', `/approve/${token}`), w.deps);
    expect(page.body).toContain(`was rejected by <strong>${APPROVER}</strong>`);
    expect(page.body).not.toContain('<form');
  });

  // The approvals function reads no IAM: a role changed since the plan is caught by the remediation function before
  // it writes, and the page says superseded once Leash proposed the newer plan (the role's current-plan pointer).
  it('a link whose role changed since the plan: approving it changes nothing, and the link then says refused', async () => {
    w = await createWorld(moto.config(), remediationAccount());
    const { plan } = await w.requestApproval('billing-exec');
    const token = await w.linkToken(plan);
    const { PutRolePolicyCommand } = await import('@aws-sdk/client-iam');
    const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ssm:GetParameters', Resource: '*' }] };
    await w.clients.iam.send(
      new PutRolePolicyCommand({ RoleName: 'billing-exec', PolicyName: 'hotfix', PolicyDocument: JSON.stringify(doc) }),
    );
    const changed = await w.stateHash('billing-exec');
    const post = (t: string) => httpEvent('POST', `/approve/${t}`, new URLSearchParams({ token: t, decision: 'approve' }).toString());
    expect((await handleApprovalRequest(post(token), w.deps)).statusCode).toBe(200);
    expect(await w.applyQueued()).toMatchObject([{ outcome: 'refused', why: expect.stringContaining('state-changed') }]);
    expect(await w.stateHash('billing-exec')).toBe(changed);
    // The link now says what happened, with nothing to click.
    const page = await handleApprovalRequest(httpEvent('GET', `/approve/${token}`), w.deps);
    expect(page.statusCode).toBe(410);
    expect(page.body).toContain('was refused at the apply, approved by');
    expect(page.body).not.toContain('<form');
  });

  it('a link to a plan a newer plan replaced shows it superseded, with no form, and approving it is refused', async () => {
    w = await createWorld(moto.config(), remediationAccount());
    const { plan } = await w.requestApproval('billing-exec');
    const token = await w.linkToken(plan);
    const { PutRolePolicyCommand } = await import('@aws-sdk/client-iam');
    const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ssm:GetParameters', Resource: '*' }] };
    await w.clients.iam.send(
      new PutRolePolicyCommand({ RoleName: 'billing-exec', PolicyName: 'hotfix', PolicyDocument: JSON.stringify(doc) }),
    );
    const { plan: newer } = await w.requestApproval('billing-exec');
    expect(newer.planHash).not.toBe(plan.planHash);
    const page = await handleApprovalRequest(httpEvent('GET', `/approve/${token}`), w.deps);
    expect(page.statusCode).toBe(409);
    expect(page.body).toContain('<h1>Superseded</h1>');
    expect(page.body).not.toContain('<form');
    const changed = await w.stateHash('billing-exec');
    const posted = await handleApprovalRequest(
      httpEvent('POST', `/approve/${token}`, new URLSearchParams({ token, decision: 'approve' }).toString()),
      w.deps,
    );
    expect(posted.statusCode).toBe(409);
    expect(await w.applyQueued()).toEqual([]);
    expect(await w.stateHash('billing-exec')).toBe(changed);
  });

  it('an expired link says expired, with no form', async () => {
    w = await createWorld(moto.config(), remediationAccount());
    const { plan } = await w.requestApproval('billing-exec');
    const token = await w.linkToken(plan);
    w.clock.advanceMinutes(73 * 60);
    const page = await handleApprovalRequest(httpEvent('GET', `/approve/${token}`), w.deps);
    expect(page.statusCode).toBe(410);
    expect(page.body).toContain('<h1>Link expired</h1>');
    expect(page.body).not.toContain('<form');
  });
});
