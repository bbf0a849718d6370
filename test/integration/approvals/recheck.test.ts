// Issue 10, item 4: guardrails hold at every decision. A pending plan for billing-exec (mode approve) is refused, with
// the reason, when the role has since become owned by Terraform, observe-only or shared — when the remediation function
// takes up the queued approval (the approvals function reads no IAM: it records the click and queues it) and again
// inside the apply use case, right before its compare-and-swap. A refusal is audited and gives the approval back (the
// plan is pending again, its message has its buttons back and says why): once the role is back as it was, the same
// approval goes through.
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
import { planFor } from '../../../lib/app/remediate.js';
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
const hasButtons = (blocks: unknown[]) => blocks.some((b) => (b as { type?: string }).type === 'actions');
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
    expect(reply.body).toBe('approved'); // recorded and queued: the approvals function reads no IAM
    const [out] = await w.applyQueued();
    expect(out).toMatchObject({ outcome: 'pending-again', why: expect.stringMatching(/^refused by the guardrails: /) });
    expect(out!.why).toMatch(why);
    expect(await w.readRole(ROLE)).toEqual(before);
    const last = (await w.audit(ROLE)).at(-1)!;
    expect(last).toMatchObject({ action: 'refuse', actor: 'U0APPROVER', planHash: plan.planHash });
    expect(last.why).toMatch(why);
    // Not spent: the plan is pending again, and the Slack message says so with its buttons back.
    expect(await w.deps.plans.status(plan.planHash)).toMatchObject({ status: 'pending' });
    const message = [...w.slack.messages.values()].at(-1)!;
    expect(message.updates).toBe(2); // "Approved … applying now", then "Still pending"
    expect(hasButtons(message.blocks)).toBe(true);
    expect(JSON.stringify(message.blocks)).toMatch(/Still pending:\* approved by <@U0APPROVER>, but `refused by the guardrails/);
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
    const recorded = await post();
    expect(recorded.statusCode).toBe(200);
    expect(recorded.body).toContain('<h1>Approved</h1>');
    expect(await w.applyQueued()).toMatchObject([
      { outcome: 'pending-again', why: expect.stringContaining('role is now managed by terraform') },
    ]);
    expect(await w.stateHash(ROLE)).toBe(plan.baseStateHash);
    expect(await w.deps.plans.status(plan.planHash)).toMatchObject({ status: 'pending' });
    expect((await w.audit(ROLE)).at(-1)).toMatchObject({ action: 'refuse', actor: 'alice@example.com' });

    // Not consumed by the refusal: back as it was, the same link applies the plan.
    await w.clients.iam.send(new UntagRoleCommand({ RoleName: ROLE, TagKeys: ['ManagedBy'] }));
    const applied = await post();
    expect(applied.statusCode).toBe(200);
    expect(applied.body).toContain('<h1>Approved</h1>');
    expect(await w.applyQueued()).toMatchObject([{ outcome: 'applied' }]);
    expect(await w.stateHash(ROLE)).not.toBe(plan.baseStateHash);
  });

  it('the apply use case re-checks right before its compare-and-swap (a tag that lands after the approval check)', async () => {
    w = await createWorld(moto.config(), remediationAccount());
    const { plan } = await w.requestApproval(ROLE);
    await tag(w, 'ManagedBy', 'terraform');
    // What the role's task definitions need now (verification checks both directions against it).
    const requirements = (await planFor(plan.roleArn, w.deps))!.assessment.requirements;
    const opts = { dryRun: false, actor: 'U0APPROVER', reason: 'approved', now: w.clock.now(), watchMinutes: 60, requirements };
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
