// What Slack sends when a person clicks Approve or Reject: a signed, form-encoded block_actions payload, shaped as
// API Gateway (HTTP API, payload 2.0) hands it to the approvals function. Used by the demo and the tests.
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { APPROVE_ACTION_ID, REJECT_ACTION_ID, REVIEW_ACTION_ID } from '../../engine/approval/blocks.js';
import type { SlackInteraction } from '../../engine/approval/interaction.js';
import { signSlackRequest } from '../../engine/approval/slack-signature.js';

/** What a click carries, as parseInteraction reads it back (the response URL is Slack's own). */
export type Click = Omit<SlackInteraction, 'responseUrl'>;

export function clickBody(c: Click): string {
  const payload = {
    type: 'block_actions',
    user: { id: c.userId },
    channel: { id: c.channel },
    container: { type: 'message', channel_id: c.channel, message_ts: c.ts },
    response_url: 'https://hooks.slack.invalid/actions/demo',
    actions: [
      {
        action_id: { approve: APPROVE_ACTION_ID, reject: REJECT_ACTION_ID, review: REVIEW_ACTION_ID }[c.action],
        value: JSON.stringify({ planHash: c.planHash, roleArn: c.roleArn }),
      },
    ],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export function httpEvent(method: 'GET' | 'POST', path: string, body = '', headers: Record<string, string> = {}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'demo',
      domainName: 'leash.example',
      domainPrefix: 'leash',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'Slackbot 1.0' },
      requestId: 'demo',
      routeKey: `${method} ${path}`,
      stage: '$default',
      time: '',
      timeEpoch: 0,
    },
  };
}

/** A Slack click as the approvals endpoint receives it, signed with `signingSecret` at `epochSeconds`. */
export function signedClick(c: Click, signingSecret: string, epochSeconds: number): APIGatewayProxyEventV2 {
  const body = clickBody(c);
  const timestamp = String(epochSeconds);
  return httpEvent('POST', '/slack/interactivity', body, {
    'x-slack-request-timestamp': timestamp,
    'x-slack-signature': signSlackRequest({ signingSecret, timestamp, rawBody: body }),
  });
}
