// Issue 10, item 4: guardrails hold at every decision. A pending plan for billing-exec (mode approve) is refused, with
// the reason, when the role has since become owned by Terraform, observe-only or shared — on the approver's click (the
// approvals function re-reads the role) and again inside the apply use case, right before its compare-and-swap. A
// refusal is audited and leaves the plan pending: once the role is back as it was, the same approval goes through.
import {
  AddRoleToInstanceProfileCommand,
  CreateInstanceProfileCommand,
  TagRoleCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { afterEach, describe, expect, it } from 'vitest';
import { run as handleApprovalRequest } from '../../../functions/approvals.js';
import { httpEvent } from '../../../lib/dev/demo/slack-click.js';
import { RefusedError } from '../../../lib/errors.js';
import { useMoto } from '../../support/moto.js';
import { createWorld, remediationAccount, type DemoWorld } from '../../support/world/index.js';

const moto = useMoto();
let w: DemoWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

const ROLE = 'billing-exec';
const tag = (world: DemoWorld, Key: string, Value: string) =>
  world.clients.iam.send(new TagRoleCommand({ RoleName: ROLE, Tags: [{ Key, Value }] }));

const CHANGES: [string, (world: DemoWorld) => Promise<unknown>, RegExp][] = [
  ['tagged ManagedBy=terraform', (world) => tag(world, 'ManagedBy', 'terraform'), /role is now managed by terraform: change the template/],
  ['tagged by CloudFormation', (world) => tag(world, 'aws:cloudformation:stack-name', 'billing-prod'), /managed by cloudformation/],
  ['switched to observe', (world) => tag(world, 'leash:mode', 'observe'), /mode is now observe/],
  ['given an inexact mode tag', (world) => tag(world, 'leash:mode', 'Approve'), /is not exactly one of .*: the role counts as observe/],
  [
    'opened to a person (shared)',
    (world) =>
      world.clients.iam.send(
        new UpdateAssumeRolePolicyCommand({
          RoleName: ROLE,
          PolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' },
              { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:user/mallory' }, Action: 'sts:AssumeRole' },
            ],
          }),
        }),
      ),
    /role became shared after this plan was made .*user\/mallory/,
  ],
  [
    'put in an instance profile (shared)',
    async (world) => {
      await world.clients.iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'billing-ec2' }));
      await world.clients.iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'billing-ec2', RoleName: ROLE }));
    },
    /role became shared after this plan was made \(it is in an instance profile/,
  ],
];

describe('a pending plan is re-checked against the role as it is now', () => {
  it.each(CHANGES)('refused on the Slack click after the role was %s', async (_name, change, why) => {
    w = await createWorld(moto.config(), remediationAccount());
    const { plan } = await w.requestApproval(ROLE);
    const before = await w.readRole(ROLE);
    await change(w);
    const reply = await handleApprovalRequest(w.click(plan), w.deps);
    expect(reply.statusCode).toBe(200); // Slack wants a quick 200; the message update carries the outcome
    expect(reply.body).toMatch(/^refused: The guardrails refuse this plan now: /);
    expect(reply.body).toMatch(why);
    expect(await w.readRole(ROLE)).toEqual(before);
    const last = (await w.audit(ROLE)).at(-1)!;
    expect(last).toMatchObject({ action: 'refuse', actor: 'U0APPROVER', planHash: plan.planHash });
    expect(last.why).toMatch(why);
    // The Slack message says so (its buttons are replaced by the refusal).
    expect([...w.slack.messages.values()].at(-1)?.updates).toBe(1);
  });

  it('a signed link is refused the same way (ManagedBy=terraform), and the approval goes through once the tag is gone', async () => {
    w = await createWorld(moto.config(), remediationAccount());
    const { plan } = await w.requestApproval(ROLE);
    const token = await w.linkToken(plan);
    const post = () =>
      handleApprovalRequest(
        httpEvent('POST', `/approve/${token}`, new URLSearchParams({ token, decision: 'approve' }).toString()),
        w!.deps,
      );
    await tag(w, 'ManagedBy', 'terraform');
    const refused = await post();
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('role is now managed by terraform');
    expect(await w.stateHash(ROLE)).toBe(plan.baseStateHash);

    // Not consumed by the refusal: back as it was, the same link applies the plan.
    await w.clients.iam.send(new UntagRoleCommand({ RoleName: ROLE, TagKeys: ['ManagedBy'] }));
    const applied = await post();
    expect(applied.statusCode).toBe(200);
    expect(applied.body).toContain('<h1>Applied</h1>');
    expect(await w.stateHash(ROLE)).not.toBe(plan.baseStateHash);
  });

  it('the apply use case re-checks right before its compare-and-swap (a tag that lands after the approval check)', async () => {
    w = await createWorld(moto.config(), remediationAccount());
    const { plan } = await w.requestApproval(ROLE);
    await tag(w, 'ManagedBy', 'terraform');
    const opts = { dryRun: false, actor: 'U0APPROVER', reason: 'approved', now: w.clock.now(), watchMinutes: 60, requirements: [] };
    const err = await w.deps.applier.apply(plan, opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RefusedError);
    expect(err).toMatchObject({ rule: 'guardrails', message: expect.stringMatching(/role is now managed by terraform/) });
    expect(await w.stateHash(ROLE)).toBe(plan.baseStateHash);
    expect((await w.audit(ROLE)).at(-1)).toMatchObject({
      action: 'refuse',
      actor: 'U0APPROVER',
      detail: { refusals: [expect.stringMatching(/terraform/)] },
    });

    // An automatic apply is held to the scope as it is now: billing-exec declares none, so its additions are refused.
    await w.clients.iam.send(new UntagRoleCommand({ RoleName: ROLE, TagKeys: ['ManagedBy'] }));
    await tag(w, 'leash:mode', 'auto');
    const auto = await w.deps.applier.apply(plan, { ...opts, actor: 'leash-auto', via: 'auto' }).catch((e: unknown) => e);
    expect(auto).toMatchObject({ rule: 'guardrails', message: expect.stringMatching(/outside the declared scope/) });
    expect(await w.stateHash(ROLE)).toBe(plan.baseStateHash);
  });
});
