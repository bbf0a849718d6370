// Approvals in a world: the approvers and secrets its config names, a remediation that asks for approval, the
// signed Slack click and the approver's link token Leash published.
import type { APIGatewayProxyEventV2, SQSEvent } from 'aws-lambda';
import { DEMO_REGION, roleArn } from '../../../lib/dev/demo/seed.js';
import { signedClick } from '../../../lib/dev/demo/slack-click.js';
import type { World } from './index.js';

export const APPROVER = 'U0APPROVER';
export const LINK_APPROVER = 'alice@example.com';
export const SIGNING_SECRET = 'test-slack-signing-secret';
export const LINK_SECRET = 'test-link-secret-0123456789abcdef0123';
export const PUBLIC_BASE_URL = 'https://leash.example';
export const SLACK_TOKEN = 'xoxb-test';
export const SLACK_CHANNEL = 'C0LEASH';

/** An SQS batch as the remediation function receives it. */
export function sqsEvent(bodies: string[]): SQSEvent {
  return {
    Records: bodies.map((body, i) => ({
      messageId: `m-${i}`,
      receiptHandle: `m-${i}`,
      body,
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'test', ApproximateFirstReceiveTimestamp: '0' },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:${DEMO_REGION}:123456789012:leash-remediation`,
      awsRegion: DEMO_REGION,
    })),
  };
}

export function approvalHelpers(w: World): Pick<World, 'remediate' | 'requestApproval' | 'linkToken' | 'click' | 'applyQueued'> {
  const remediate: World['remediate'] = async (role) => {
    const out = await w.run.remediate(sqsEvent([JSON.stringify({ roleArn: roleArn(role), reason: 'findings changed' })]));
    if (out.batchItemFailures.length || out.outcomes.length !== 1) throw new Error(`remediation of ${role} failed: ${JSON.stringify(out)}`);
    return out.outcomes[0]!;
  };
  return {
    remediate,
    async applyQueued() {
      const bodies = await w.drain(w.resources.remediationQueueUrl);
      if (!bodies.length) return [];
      const out = await w.run.remediate(sqsEvent(bodies));
      if (out.batchItemFailures.length) throw new Error(`queued messages failed: ${JSON.stringify(out.batchItemFailures)}`);
      return out.outcomes;
    },
    async requestApproval(role) {
      const out = await remediate(role);
      if (out.outcome !== 'approval-requested' || !('plan' in out) || !out.plan)
        throw new Error(`expected an approval request for ${role}, got ${JSON.stringify(out)}`);
      const message = [...w.slack.messages.values()].at(-1);
      if (!message) throw new Error('no Slack message was posted');
      return { plan: out.plan, message };
    },
    async linkToken(plan, approver = LINK_APPROVER) {
      // One message per approver on the approvals topic: take the one addressed to `approver`.
      const messages = (await w.drain(w.resources.approvalsInboxUrl)).filter((m) => m.includes(plan.planHash));
      const published = messages.find((m) => m.includes(`as ${approver} `)) ?? '';
      const url = published.split('\n').find((l) => l.startsWith(`${PUBLIC_BASE_URL}/approve/`));
      if (!url) throw new Error(`no approval link for ${approver} in the SNS messages: ${messages.join(' | ')}`);
      // Nobody else's message may carry this approver's link.
      if (messages.filter((m) => m.includes(url)).length !== 1)
        throw new Error(`the link for ${approver} went out in more than one message`);
      return decodeURIComponent(url.slice(`${PUBLIC_BASE_URL}/approve/`.length));
    },
    click: (plan, o = {}): APIGatewayProxyEventV2 =>
      signedClick(
        {
          userId: o.userId ?? APPROVER,
          action: o.action ?? 'approve',
          planHash: plan.planHash,
          roleArn: plan.roleArn,
          channel: SLACK_CHANNEL,
          ts: [...w.slack.messages.values()].at(-1)?.ts ?? '',
        },
        o.secret ?? SIGNING_SECRET,
        o.epochSeconds ?? w.clock.epochSeconds(),
      ),
  };
}
