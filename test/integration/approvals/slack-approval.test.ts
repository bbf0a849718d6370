// Issue 5 acceptance, Slack path: a plan for billing-exec (mode approve) approved or refused through the approvals
// endpoint exactly as API Gateway delivers Slack's signed request, against moto with the real SDK clients.
import { PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { afterEach, describe, expect, it } from 'vitest';
import { run as handleApprovalRequest } from '../../../functions/approvals.js';
import type { Plan } from '../../../lib/engine/types.js';
import { useMoto } from '../../support/moto.js';
import { APPROVER, expectedAfter, createWorld, remediationAccount, type DemoWorld } from '../../support/world/index.js';

const moto = useMoto();
let w: DemoWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

const ROLE = 'billing-exec';
const hasButtons = (blocks: unknown[]) => blocks.some((b) => (b as { type?: string }).type === 'actions');

async function pending(): Promise<{ world: DemoWorld; plan: Plan; before: string }> {
  w = await createWorld(moto.config(), remediationAccount());
  const before = await w.stateHash(ROLE);
  const { plan } = await w.requestApproval(ROLE);
  return { world: w, plan, before };
}

describe('Slack approval, end to end', () => {
  it('applies a plan approved by a correctly signed click: the role then equals the plan, and the message shows the outcome', async () => {
    w = await createWorld(moto.config(), remediationAccount());
    const before = await w.readRole(ROLE);
    const beforeHash = await w.stateHash(ROLE);
    const { plan, message } = await w.requestApproval(ROLE);
    expect(hasButtons(message.blocks)).toBe(true);
    expect(await w.stateHash(ROLE)).toBe(beforeHash); // asking for approval changes nothing

    const res = await handleApprovalRequest(w.click(plan), w.deps);
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('approved');
    expect(await w.stateHash(ROLE)).toBe(beforeHash); // recorded and queued: the remediation function applies
    expect(await w.applyQueued()).toMatchObject([{ outcome: 'applied' }]);

    const after = await w.readRole(ROLE);
    expect(after).toEqual(expectedAfter(before, plan));
    // billing-exec had one inline policy (secrets and S3 on "*") and nothing attached: only Leash's policy remains.
    expect(Object.keys(after.inline)).toEqual([plan.policyName]);
    expect(after.attached).toEqual([]);
    const granted = JSON.stringify(after.inline[plan.policyName]);
    expect(granted).not.toContain('s3:');
    expect(granted).toContain('secret:billing/db');
    expect(granted).toContain('repository/billing');

    const updated = w.slack.message(message.channel, message.ts)!;
    expect(updated.updates).toBe(2); // "Approved … applying now", then the outcome
    expect(hasButtons(updated.blocks)).toBe(false);
    expect(JSON.stringify(updated.blocks)).toContain('*Applied* by <@U0APPROVER>');
    expect((await w.audit(ROLE)).map((e) => e.action)).toEqual(['plan', 'approve', 'apply']);
  });

  it('refuses a forged signature: 401, nothing changed, nothing written to the audit trail', async () => {
    const { world, plan, before } = await pending();
    const res = await handleApprovalRequest(world.click(plan, { secret: 'not-the-signing-secret' }), world.deps);
    expect(res.statusCode).toBe(401);
    expect(res.body).toContain('bad-signature');
    expect(await world.stateHash(ROLE)).toBe(before);
    // Anyone can send an unsigned request: it is counted (UnsignedSlackRequests), never recorded.
    expect((await world.audit(ROLE)).map((e) => e.action)).toEqual(['plan']);
    expect([...world.slack.messages.values()][0]!.updates).toBe(0);
  });

  it('refuses a correctly signed click more than five minutes old', async () => {
    const { world, plan, before } = await pending();
    const res = await handleApprovalRequest(world.click(plan, { epochSeconds: world.clock.epochSeconds() - 6 * 60 }), world.deps);
    expect(res.statusCode).toBe(401);
    expect(res.body).toContain('stale-timestamp');
    expect(await world.stateHash(ROLE)).toBe(before);
    expect((await world.audit(ROLE)).map((e) => e.action)).toEqual(['plan']);
  });

  it('acts on a click once: the same click replayed is refused and changes nothing more', async () => {
    const { world, plan, before } = await pending();
    const click = world.click(plan);
    expect((await handleApprovalRequest(click, world.deps)).body).toBe('approved');
    await world.applyQueued();
    const applied = await world.stateHash(ROLE);
    expect(applied).not.toBe(before);

    const replay = await handleApprovalRequest(click, world.deps);
    expect(replay.statusCode).toBe(200);
    expect(replay.body).toMatch(/^refused: /);
    expect(await world.stateHash(ROLE)).toBe(applied);
    const actions = (await world.audit(ROLE)).map((e) => e.action);
    expect(actions).toEqual(['plan', 'approve', 'apply', 'refuse']);
    // The second click is answered to the clicker alone; the message still says who applied it.
    expect(world.slack.ephemerals.at(-1)?.text).toContain('already decided: applied by U0APPROVER');
    expect(JSON.stringify([...world.slack.messages.values()][0]!.blocks)).toContain('*Applied* by <@U0APPROVER>');
  });

  it('refuses someone who is not an approver, keeps the buttons, and still lets the approver decide', async () => {
    const { world, plan, before } = await pending();
    const res = await handleApprovalRequest(world.click(plan, { userId: 'U0INTRUDER' }), world.deps);
    expect(res.body).toBe('refused: You are not on the list of approvers for this role.');
    expect(await world.stateHash(ROLE)).toBe(before);
    const last = (await world.audit(ROLE)).at(-1)!;
    expect(last).toMatchObject({ action: 'refuse', actor: 'U0INTRUDER' });
    expect(last.why).toContain('approver-not-allowed');
    const message = [...world.slack.messages.values()][0]!;
    expect(message.updates).toBe(0);
    expect(hasButtons(message.blocks)).toBe(true);

    expect((await handleApprovalRequest(world.click(plan, { userId: APPROVER }), world.deps)).body).toBe('approved');
    expect(await world.applyQueued()).toMatchObject([{ outcome: 'applied' }]);
  });

  it('refuses a plan whose role changed after it was made (state-changed), leaving the new state alone', async () => {
    const { world, plan, before } = await pending();
    const manual = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ssm:GetParameters', Resource: '*' }] };
    await world.clients.iam.send(
      new PutRolePolicyCommand({ RoleName: ROLE, PolicyName: 'hotfix', PolicyDocument: JSON.stringify(manual) }),
    );
    const changed = await world.stateHash(ROLE);
    expect(changed).not.toBe(before);

    const res = await handleApprovalRequest(world.click(plan), world.deps);
    expect(res.body).toBe('approved'); // the approvals function reads no IAM: the remediation function finds the change
    expect(await world.applyQueued()).toMatchObject([{ outcome: 'refused', why: expect.stringContaining('state-changed') }]);
    expect(await world.stateHash(ROLE)).toBe(changed);
    expect(Object.keys((await world.readRole(ROLE)).inline).sort()).toEqual(['billing-extra', 'hotfix']);
    const last = (await world.audit(ROLE)).at(-1)!;
    expect(last).toMatchObject({ action: 'refuse', before: changed });
    expect(last.why).toContain('state-changed');
    const message = [...world.slack.messages.values()][0]!;
    // The message is decided (no buttons) and dated by the injected clock, not the machine's.
    expect(hasButtons(message.blocks)).toBe(false);
    expect(JSON.stringify(message.blocks)).toContain(`*Refused* by \`leash\` at ${world.clock.now()}`);
  });

  it('a rejected plan changes nothing and cannot be approved afterwards', async () => {
    const { world, plan, before } = await pending();
    const rejected = await handleApprovalRequest(world.click(plan, { action: 'reject' }), world.deps);
    expect(rejected.body).toBe('rejected');
    expect(await world.stateHash(ROLE)).toBe(before);

    const approved = await handleApprovalRequest(world.click(plan), world.deps);
    expect(approved.body).toBe(`refused: This plan was already decided: rejected by ${APPROVER} at ${world.clock.now()}.`);
    expect(await world.applyQueued()).toEqual([]);
    expect(await world.stateHash(ROLE)).toBe(before);
    const audit = await world.audit(ROLE);
    expect(audit.map((e) => e.action)).toEqual(['plan', 'reject', 'refuse']);
    expect(audit.at(-1)!.why).toContain('already-used');
  });
});
