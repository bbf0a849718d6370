// Issue 5 acceptance, signed links: the links Leash publishes to SNS for billing-exec (mode approve), opened and
// posted through the approvals endpoint as API Gateway delivers them, against moto.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { run as handleApprovalRequest } from '../../../functions/approvals.js';
import { httpEvent } from '../../../lib/dev/demo/slack-click.js';
import { createToken } from '../../../lib/engine/approval/link-token.js';
import type { Plan } from '../../../lib/engine/types.js';
import { useMoto } from '../../support/moto.js';
import {
  expectedAfter,
  LINK_APPROVER,
  LINK_SECRET,
  createWorld,
  remediationAccount,
  type DemoWorld,
  type WorldOverrides,
} from '../../support/world/index.js';

const moto = useMoto();
let w: DemoWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

const ROLE = 'billing-exec';
const get = (token: string) => httpEvent('GET', `/approve/${token}`);
const post = (token: string, decision: string) =>
  httpEvent('POST', `/approve/${token}`, new URLSearchParams({ token, decision }).toString());

/** A pending plan for billing-exec and the approver's link token, taken from the message Leash published to SNS. */
async function pendingLink(opts: WorldOverrides = {}): Promise<{ world: DemoWorld; plan: Plan; token: string; before: string }> {
  w = await createWorld(moto.config(), remediationAccount(opts));
  const before = await w.stateHash(ROLE);
  const { plan } = await w.requestApproval(ROLE);
  return { world: w, plan, token: await w.linkToken(plan), before };
}

describe('signed approval links, end to end', () => {
  it('GET shows the role and the diff and changes nothing', async () => {
    const { world, plan, token, before } = await pendingLink();
    const page = await handleApprovalRequest(get(token), world.deps);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1>Approve policy change for billing-exec</h1>');
    expect(page.body).toContain(`<code>${plan.roleArn}</code>`);
    // billing-exec's task definition needs no S3 and pulls its image from this account's billing repository.
    // The deleted policy's contents, and the narrowed replacement of its wildcard with who needs it.
    expect(page.body).toContain('<h3>Inline policy billing-extra: deleted</h3>');
    expect(page.body).toContain('<li class="remove">- s3:* on * <small>(removed)</small></li>');
    expect(page.body).toContain('<li class="remove">- secretsmanager:GetSecretValue on * <small>(removed)</small></li>');
    expect(page.body).toContain(
      '<li class="add">+ secretsmanager:GetSecretValue on arn:aws:secretsmanager:eu-west-1:123456789012:secret:billing/db-XyZ123 <small>(narrows the removed grant on *)</small><div class="why">needed by <code>arn:aws:ecs:eu-west-1:123456789012:task-definition/billing:1 container billing containerDefinitions[0].secrets[0].valueFrom',
    );
    expect(page.body).toContain(
      '<li class="add">+ ecr:BatchGetImage on arn:aws:ecr:eu-west-1:123456789012:repository/billing <small>(new access)</small>',
    );
    // Before the click: live or dry-run, as whom, the watch window, how to roll back.
    expect(page.body).toContain('<strong>Leash is live:</strong>');
    expect(page.body).toContain(`You approve as <code>${LINK_APPROVER}</code>`);
    expect(page.body).toContain('watches the role for 60 minutes');
    expect(page.body).toContain(`leash rollback ${plan.roleArn} --yes`);
    expect(page.body).toMatch(/<form method="post" action="\/approve\/[^"]+">/);
    expect(await world.stateHash(ROLE)).toBe(before);
    expect((await world.audit(ROLE)).map((e) => e.action)).toEqual(['plan']);
  });

  it('POST approve applies the plan once; the same link posted again is refused', async () => {
    const { world, plan, token } = await pendingLink();
    const before = await world.readRole(ROLE);
    const done = await handleApprovalRequest(post(token, 'approve'), world.deps);
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('<h1>Approved</h1>');
    expect(await world.applyQueued()).toMatchObject([{ outcome: 'applied' }]);
    expect(done.body).toContain(`by ${LINK_APPROVER}`);
    expect(await world.readRole(ROLE)).toEqual(expectedAfter(before, plan));
    const applied = await world.stateHash(ROLE);

    const again = await handleApprovalRequest(post(token, 'approve'), world.deps);
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('<h1>Refused</h1>');
    expect(await world.stateHash(ROLE)).toBe(applied);
    expect((await world.audit(ROLE)).map((e) => e.action)).toEqual(['plan', 'approve', 'apply', 'refuse']);
  });

  it('refuses a tampered token, on GET and on POST', async () => {
    const { world, token, before } = await pendingLink();
    const [payload, mac] = token.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, string>;
    const forged = `${Buffer.from(JSON.stringify({ ...claims, expiresAt: '2099-01-01T00:00:00.000Z' })).toString('base64url')}.${mac}`;
    for (const event of [get(forged), post(forged, 'approve')]) {
      const res = await handleApprovalRequest(event, world.deps);
      expect(res.statusCode).toBe(403);
      expect(res.body).toContain('This link is not valid.');
    }
    expect(await world.stateHash(ROLE)).toBe(before);
    expect((await world.audit(ROLE)).map((e) => e.action)).toEqual(['plan']);
  });

  it('refuses an expired link: nothing changed, the refusal audited', async () => {
    const { world, plan, before } = await pendingLink();
    const expiresAt = new Date(Date.parse(world.clock.now()) + 10 * 60_000).toISOString();
    const token = createToken(
      { planHash: plan.planHash, roleArn: plan.roleArn, approverHint: LINK_APPROVER, expiresAt, nonce: randomUUID() },
      LINK_SECRET,
    );
    world.clock.advanceMinutes(15); // the plan itself is still pending (72 hours); only the link is dead

    const res = await handleApprovalRequest(post(token, 'approve'), world.deps);
    expect(res.statusCode).toBe(410);
    expect(res.body).toContain('<h1>Link expired</h1>');
    expect(await world.stateHash(ROLE)).toBe(before);
    const last = (await world.audit(ROLE)).at(-1)!;
    expect(last).toMatchObject({ action: 'refuse', actor: LINK_APPROVER, planHash: plan.planHash });
    expect(last.why).toContain('expired');
  });

  it('in dry-run, an approved link says it was not applied, and the role is unchanged', async () => {
    const { world, plan, token, before } = await pendingLink({ dryRun: true });
    const res = await handleApprovalRequest(post(token, 'approve'), world.deps);
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('<h1>Applied</h1>');
    expect(res.body).toContain('<h1>Approved</h1>'); // recorded and queued; the remediation function runs it
    expect(await world.applyQueued()).toMatchObject([{ outcome: 'dry-run', why: 'dry-run: nothing changed' }]);
    expect(await world.deps.plans.status(plan.planHash)).toMatchObject({ status: 'dry-run', by: LINK_APPROVER, via: 'link' });
    expect(await world.stateHash(ROLE)).toBe(before);
    expect((await world.audit(ROLE)).map((e) => e.action)).toEqual(['plan', 'approve', 'skip']);
    // The plan's Slack message, posted with the request, says so too although the decision came by link.
    const message = [...world.slack.messages.values()][0]!;
    expect(message.blocks.some((b) => (b as { type?: string }).type === 'actions')).toBe(false);
    expect(JSON.stringify(message.blocks)).toContain('dry-run: nothing changed');
    expect(JSON.stringify(message.blocks)).not.toContain('*Applied*');
  });
});
