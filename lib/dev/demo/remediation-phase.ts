// Demo, part two: billing-exec (tag leash:mode=approve) gets a plan, an approval request in Slack (a local fake),
// refused clicks (forged, not an approver, replayed), one approved click that patches the role in moto; then, inside
// the watch window, a denial the plan does not explain (reported, kept), a forged stop reason (untrusted, nothing
// believed) and a new revision failing on access the plan removed (explained: rolled back). Dry-run is off for this part.
import { RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import type { AwsClients, AwsConfig } from '../../adapters/aws/clients.js';
import { FixedSecrets } from '../../adapters/aws/secrets.js';
import { hashState } from '../../engine/role/state.js';
import { SlackClient } from '../../adapters/slack/slack-client.js';
import { buildRemediation } from '../../composition-remediation.js';
import type { LeashConfig } from '../../config.js';
import { run as runApprovals } from '../../../functions/approvals.js';
import { run as runTaskStopped } from '../../../functions/task-stopped.js';
import { run as runRemediate } from '../../../functions/remediate.js';
import { startSlackFake } from '../../../test/fakes/slack-fake.js';
import { demoTaskDefinitions, roleArn } from './seed.js';
import { signedClick } from './slack-click.js';

export interface PhaseContext {
  aws: AwsConfig;
  clients: AwsClients;
  config: LeashConfig;
  now: () => string;
  event: (name: string) => unknown;
  say: (line: string) => void;
  step: (text: string) => void;
}

const APPROVER = 'U0DEMOAPPROVER';
const SIGNING_SECRET = 'demo-slack-signing-secret';

export async function remediationPhase(ctx: PhaseContext): Promise<void> {
  const { say, step } = ctx;
  const slackFake = await startSlackFake({ token: 'xoxb-demo', channels: { 'leash-approvals': 'C0LEASH' } });
  try {
    const config: LeashConfig = { ...ctx.config, dryRun: false, approvers: [APPROVER], slackChannel: 'leash-approvals', watchMinutes: 60 };
    const rt = await buildRemediation(
      config,
      ctx.aws,
      {
        analyzer: null,
        slack: new SlackClient('xoxb-demo', { slackApiUrl: slackFake.apiUrl, retries: 0 }),
        secrets: new FixedSecrets({ slackSigning: SIGNING_SECRET }),
      },
      ctx.now,
    );
    const billing = roleArn('billing-exec');
    const epoch = () => Math.floor(Date.parse(ctx.now()) / 1000);

    step('Remediation for billing-exec (mode approve from its leash:mode tag; dry-run off for this part of the demo)');
    const before = hashState((await rt.roles.readState('billing-exec'))!);
    const queued = await runRemediate(sqs({ roleArn: billing, reason: 'findings changed' }), rt);
    const out = queued.outcomes[0]!;
    const plan = 'plan' in out ? out.plan : undefined;
    if (!plan) throw new Error(`expected a plan for billing-exec, got ${JSON.stringify(out)}`);
    say(`    outcome: ${out.outcome} — ${out.why}`);
    say(
      `    plan ${plan.planHash.slice(0, 12)}…: put inline ${plan.policyName}; delete inline [${plan.deleteInline.join(', ')}]; detach [${plan.detach.map((a) => a.split('/').pop()).join(', ')}]`,
    );
    say(
      `    removes ${plan.removals.length} grants (e.g. ${plan.removals
        .slice(0, 2)
        .map((r) => `${r.action} on ${r.resource}`)
        .join(', ')}); adds ${plan.additions.length}`,
    );
    const posted = [...slackFake.messages.values()][0];
    say(`    Slack: message ${posted?.ts} in ${posted?.channel} with ${posted?.blocks.length} blocks and Approve / Reject buttons`);

    const click = {
      userId: APPROVER,
      action: 'approve' as const,
      planHash: plan.planHash,
      roleArn: billing,
      channel: posted!.channel,
      ts: posted!.ts,
    };
    step('Approval requests that must be refused');
    const forged = await runApprovals(signedClick(click, 'not-the-signing-secret', epoch()), rt);
    say(`    forged signature:   HTTP ${forged.statusCode} ${forged.body}`);
    const stale = await runApprovals(signedClick(click, SIGNING_SECRET, epoch() - 600), rt);
    say(`    10-minute-old click: HTTP ${stale.statusCode} ${stale.body}`);
    const intruder = await runApprovals(signedClick({ ...click, userId: 'U0NOTANAPPROVER' }, SIGNING_SECRET, epoch()), rt);
    say(`    not an approver:    HTTP ${intruder.statusCode} ${intruder.body}`);

    step(`Approved in Slack by ${APPROVER}: recorded and queued at once; the remediation function re-checks and applies`);
    const approved = await runApprovals(signedClick(click, SIGNING_SECRET, epoch()), rt);
    say(`    HTTP ${approved.statusCode} ${approved.body} (answered before any IAM call: the decision is a conditional write)`);
    const approvals = (await drain(ctx.clients, config.remediationQueueUrl!)).filter((m) => m.Body?.includes('"approved '));
    const applied = await runRemediate({ Records: approvals.map((m) => record(m.Body!, m.MessageId!)) }, rt);
    for (const o of applied.outcomes) say(`    remediation function: ${o.outcome} (${o.why})`);
    const after = (await rt.roles.readState('billing-exec'))!;
    const leash = after.inline.find((p) => p.name === plan.policyName);
    const equal =
      after.inline.length === 1 && after.attached.length === 0 && JSON.stringify(leash?.document) === JSON.stringify(plan.document);
    say(
      `    billing-exec now: inline [${after.inline.map((p) => p.name).join(', ')}], attached [${after.attached.join(', ')}] — equals the plan: ${equal}`,
    );
    say(
      `    Slack message updated (${slackFake.message(posted!.channel, posted!.ts)?.updates ?? 0} updates: approved, then applied): buttons replaced by the outcome`,
    );
    const replay = await runApprovals(signedClick(click, SIGNING_SECRET, epoch()), rt);
    say(`    the same click replayed: HTTP ${replay.statusCode} ${replay.body} (an ephemeral reply; the message is unchanged)`);

    step('Inside the watch window: a billing task stops with AccessDenied on billing/db (events/task-stopped-access-denied.json)');
    const kept = await runTaskStopped(ctx.event('task-stopped-access-denied.json'), rt);
    say(`    denial recorded: ${kept.denial?.action} on ${kept.denial?.resource}`);
    say(`    ${kept.watch?.notice ?? 'no watch'}`);

    step('A forged stop reason: `ecs:StopTask --reason` on a reports task, naming billing-exec');
    const forgedStopped = await runTaskStopped(forgedStop(ctx.event('task-stopped-access-denied.json')), rt);
    say(
      `    ${forgedStopped.untrusted ? `untrusted, recorded for people: ${forgedStopped.untrusted.why}` : `unexpected: ${JSON.stringify(forgedStopped)}`}`,
    );

    step('billing:2 (reads billing/api-key) is deployed and fails to start: the plan narrowed GetSecretValue from * to billing/db');
    await ctx.clients.ecs.send(new RegisterTaskDefinitionCommand(billingReadingApiKey()));
    const explained = await runTaskStopped(apiKeyStop(ctx.event('task-stopped-access-denied.json'), ctx.now()), rt);
    say(`    denial recorded: ${explained.denial?.action} on ${explained.denial?.resource} (execution role from ECS, not from the text)`);
    say(`    ${explained.watch?.notice ?? 'no watch'}`);
    const rollbackMsgs = (await drain(ctx.clients, config.remediationQueueUrl!)).filter((m) => m.Body?.includes('"rollback'));
    say(`    the remediation queue holds ${rollbackMsgs.length} rollback request(s); the remediation function re-checks and acts:`);
    const rolled = await runRemediate({ Records: rollbackMsgs.map((m) => record(m.Body!, m.MessageId!)) }, rt);
    for (const o of rolled.outcomes) say(`    ${o.outcome}: ${o.why}`);
    const restored = hashState((await rt.roles.readState('billing-exec'))!);
    say(`    billing-exec state hash back to the one before the patch: ${restored === before}`);

    step('Audit trail for billing-exec (leash history)');
    for (const e of (await rt.audit.history(billing)).reverse()) {
      say(`    ${e.at}  ${e.action.padEnd(8)} by ${e.actor.padEnd(16)} ${e.why.slice(0, 110)}`);
    }
  } finally {
    await slackFake.close();
  }
}

type Json = Record<string, unknown> & { detail: Record<string, unknown> };
const API_KEY = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:billing/api-key-AbC123';

/** The billing task definition's next revision, which also reads billing/api-key. */
function billingReadingApiKey() {
  const billing = demoTaskDefinitions.find((t) => t.family === 'billing')!;
  const [container] = billing.containerDefinitions!;
  return {
    ...billing,
    containerDefinitions: [{ ...container!, secrets: [...(container!.secrets ?? []), { name: 'API_KEY', valueFrom: API_KEY }] }],
  };
}

/** The same stop reason, written by a person with ecs:StopTask on a reports task (stop code UserInitiated). */
function forgedStop(event: unknown): Json {
  const e = JSON.parse(JSON.stringify(event).replaceAll('task-definition/billing:1', 'task-definition/reports:1')) as Json;
  return { ...e, id: 'forged-stop', detail: { ...e.detail, stopCode: 'UserInitiated' } };
}

/** billing:2 failing to start on billing/api-key, as ECS reports it. */
function apiKeyStop(event: unknown, at: string): Json {
  const e = JSON.parse(
    JSON.stringify(event)
      .replaceAll('task-definition/billing:1', 'task-definition/billing:2')
      .replaceAll('billing/db-XyZ123', 'billing/api-key-AbC123'),
  ) as Json;
  return { ...e, id: 'billing-2-failed', time: at, detail: { ...e.detail, stoppedAt: at, updatedAt: at } };
}

/** Every message waiting on the queue (received, so each is seen once). */
async function drain(clients: AwsClients, queueUrl: string): Promise<Message[]> {
  const out: Message[] = [];
  for (;;) {
    const res = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if (!res.Messages?.length) return out;
    out.push(...res.Messages);
  }
}

function record(body: string, messageId: string): SQSEvent['Records'][number] {
  return {
    messageId,
    receiptHandle: messageId,
    body,
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'demo', ApproximateFirstReceiveTimestamp: '0' },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:leash-remediation',
    awsRegion: 'eu-west-1',
  };
}

function sqs(msg: { roleArn: string; reason: string }): SQSEvent {
  return { Records: [record(JSON.stringify(msg), 'demo-1')] };
}
