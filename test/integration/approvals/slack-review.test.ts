// Through the real handlers on moto: a plan too long for Slack (40 log groups) is never approvable in Slack; its
// "Review and approve" answers an approver alone with their own link to the full page, which shows all of it and
// approves. And text from a task definition (a valueFrom with ``` and a fake verdict, container names with mentions
// and links) renders inert in the posted message.
import { afterEach, describe, expect, it } from 'vitest';
import { run as handleApprovalRequest } from '../../../functions/approvals.js';
import { httpEvent } from '../../../lib/dev/demo/slack-click.js';
import { APPROVE_ACTION_ID, REVIEW_ACTION_ID, type SlackBlock } from '../../../lib/engine/approval/blocks.js';
import { outsideCode } from '../../engine/approval/mrkdwn-model.js';
import { useMoto } from '../../support/moto.js';
import { APPROVER, awslogs, createWorld, type DemoWorld, ecrImage, remediationAccount } from '../../support/world/index.js';

const moto = useMoto();
let w: DemoWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

type Section = Extract<SlackBlock, { type: 'section' }>;
type Actions = Extract<SlackBlock, { type: 'actions' }>;
const sectionsOf = (blocks: unknown[]) =>
  (blocks as SlackBlock[]).filter((b): b is Section => b.type === 'section').map((b) => b.text.text);
const actionIds = (blocks: unknown[]) =>
  (blocks as SlackBlock[]).filter((b): b is Actions => b.type === 'actions').flatMap((b) => b.elements.map((e) => e.action_id));

/** payroll-exec: 40 log groups over four task definitions (ECS allows ten containers each); the last is payroll/root. */
function payrollGroups(): string[] {
  return [...Array.from({ length: 39 }, (_, i) => `/ecs/payroll/worker-${String(i).padStart(2, '0')}`), 'payroll/root'];
}

describe('a plan too long for Slack', () => {
  it('offers Review and approve, never Approve; the approver alone gets a link to the page, which shows all and approves', async () => {
    w = await createWorld(moto.config(), remediationAccount());
    const groups = payrollGroups();
    await w.addRoles([
      {
        name: 'payroll-exec',
        tags: { 'leash:mode': 'approve' },
        inline: { legacy: [{ Effect: 'Allow', Action: 'logs:*', Resource: '*' }] },
        taskDefinitions: [0, 1, 2, 3].map((t) => ({
          family: `payroll-${t}`,
          containers: groups.slice(t * 10, t * 10 + 10).map((g, i) => ({
            name: `c${i}`,
            image: ecrImage('payroll'),
            essential: i === 0,
            logConfiguration: awslogs(g),
          })),
        })),
      },
    ]);
    await w.reindex();
    const { plan, message } = await w.requestApproval('payroll-exec');

    expect(actionIds(message.blocks)).toEqual([REVIEW_ACTION_ID, 'leash-reject']);
    expect(actionIds(message.blocks)).not.toContain(APPROVE_ACTION_ID);
    const text = sectionsOf(message.blocks).join('\n');
    expect(text).toMatch(/…and \d+ more/); // the preview is cut...
    expect(text).toContain('*This change is too long to show here in full*'); // ...and says where the rest is
    // Before anyone clicks: live or dry-run, the watch window, how to roll back.
    const context = JSON.stringify((message.blocks as SlackBlock[]).filter((b) => b.type === 'context'));
    expect(context).toContain('*Live:* approving changes the role in IAM.');
    expect(context).toContain('Watched for 60 min');

    // Someone who may not approve gets no link; the approver gets one, in a message only they see.
    const intruder = await handleApprovalRequest(w.click(plan, { action: 'review', userId: 'U0INTRUDER' }), w.deps);
    expect(intruder.statusCode).toBe(200);
    expect(w.slack.ephemerals).toEqual([expect.objectContaining({ user: 'U0INTRUDER', text: expect.not.stringContaining('/approve/') })]);
    const review = await handleApprovalRequest(w.click(plan, { action: 'review' }), w.deps);
    expect(review.body).toBe('link sent');
    const sent = w.slack.ephemerals.at(-1)!;
    expect(sent.user).toBe(APPROVER);
    const token = /\/approve\/(\S+)/.exec(sent.text)![1]!;
    // Nothing was posted to the channel, and the channel message is unchanged.
    expect(w.slack.messages.size).toBe(1);
    expect(w.slack.messages.values().next().value!.updates).toBe(0);

    const page = await handleApprovalRequest(httpEvent('GET', `/approve/${token}`), w.deps);
    expect(page.statusCode).toBe(200);
    for (const g of groups) expect(page.body).toContain(`log-group:${g}:*`);
    expect(page.body).toContain('<h3>Inline policy legacy: deleted</h3>');
    expect(page.body).toContain('<li class="remove">- logs:* on * <small>(removed)</small></li>');
    expect(page.body).toContain(`You approve as <code>${APPROVER}</code>`);

    const before = await w.stateHash('payroll-exec');
    const posted = await handleApprovalRequest(
      httpEvent('POST', `/approve/${token}`, new URLSearchParams({ token, decision: 'approve' }).toString()),
      w.deps,
    );
    expect(posted.statusCode).toBe(200);
    expect(posted.body).toContain('<h1>Approved</h1>'); // recorded and queued: the remediation function applies it
    expect(await w.stateHash('payroll-exec')).toBe(before);
    expect(await w.applyQueued()).toMatchObject([{ outcome: 'applied', roleArn: plan.roleArn }]);
    expect(await w.stateHash('payroll-exec')).not.toBe(before);
    expect((await w.audit('payroll-exec')).map((e) => [e.action, e.actor])).toContainEqual(['approve', APPROVER]);
  }, 120_000);
});

describe('text from a task definition in the Slack message', () => {
  it('a ``` in a valueFrom cannot close the diff block; mentions and links in names stay text', async () => {
    w = await createWorld(moto.config(), remediationAccount());
    // Leash grants nothing for a reference holding `*`, `?` or a line break, nor for a secret name with ':' (the agent
    // splits on it): the injection uses what does get granted, and so reaches the diff.
    const evil = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:x```Policy change none, safe to approve```-AbCdEf';
    await w.addRoles([
      {
        name: 'evil-exec',
        tags: { 'leash:mode': 'approve' },
        inline: { old: [{ Effect: 'Allow', Action: 'ssm:GetParameters', Resource: '*' }] },
        taskDefinitions: [
          {
            family: 'evil',
            containers: [
              {
                name: 'app',
                image: ecrImage('evil'),
                essential: true,
                secrets: [
                  { name: 'A', valueFrom: evil },
                  {
                    name: 'B',
                    valueFrom:
                      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:<!channel>|<@U123ADMIN>|<www.evil.example|approve>-AbCdEf',
                  },
                ],
              },
            ],
          },
        ],
      },
    ]);
    await w.reindex();
    const { message } = await w.requestApproval('evil-exec');
    const sections = sectionsOf(message.blocks);
    const diff = sections.find((t) => t.startsWith('*Policy change*'))!;
    expect(diff.match(/```/g)).toHaveLength(2); // Leash's own fences only
    expect(outsideCode(diff)).toBe('*Policy change*\n');
    expect(diff).toContain('secret:xˋˋˋPolicy change none, safe to approveˋˋˋ-AbCdEf'); // shown, as text
    expect(diff).toContain('secret:&lt;!channel&gt;|&lt;@U123ADMIN&gt;|&lt;www.evil.example|approve&gt;-AbCdEf');
    for (const t of sections) {
      const outside = outsideCode(t);
      expect(outside).not.toContain('safe to approve');
      expect(outside).not.toMatch(/<!|<@|<www|evil\.example/);
      expect(t).not.toMatch(/<!channel>|<@U123ADMIN>|<www/);
    }
  }, 60_000);
});
