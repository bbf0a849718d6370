// What the approvals function logs (Powertools JSON lines through the real middy-wrapped handler) says what happened
// (route, status, outcome, role, plan-hash prefix, request id) and never carries the link token, the Slack signature,
// the request body or the response page.
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { handlerWith } from '../../../functions/approvals.js';
import { httpEvent } from '../../../lib/dev/demo/slack-click.js';
import { useMoto } from '../../support/moto.js';
import { makeWorld, SIGNING_SECRET, type World } from '../../support/remediation-world.js';

const moto = useMoto();
let w: World | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await w?.close();
  w = undefined;
});

const context = (requestId: string): Context =>
  ({
    awsRequestId: requestId,
    functionName: 'leash-test-approvals',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:leash-test-approvals',
    memoryLimitInMB: '512',
    logGroupName: '/aws/lambda/leash-test-approvals',
    logStreamName: 'test',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 29_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  }) as Context;

/** Runs the deployed handler over the world and returns every line it wrote, and its response. */
async function logged(world: World, event: unknown, requestId: string): Promise<{ lines: string[]; body: string }> {
  const lines: string[] = [];
  const capture = (chunk: unknown) => (lines.push(String(chunk)), true);
  vi.spyOn(process.stdout, 'write').mockImplementation(capture as typeof process.stdout.write);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture as typeof process.stderr.write);
  const handler = handlerWith(() => world.rt);
  const response = (await handler(event, context(requestId))) as { body?: string };
  vi.restoreAllMocks();
  return { lines, body: response.body ?? '' };
}

describe('approvals logs hold no secrets', () => {
  it('GET /approve/{token}: the route, outcome, role and plan prefix; never the token or the page', async () => {
    w = await makeWorld(moto.config());
    const { plan } = await w.requestApproval('billing-exec');
    const token = await w.linkToken(plan);
    const { lines, body } = await logged(w, httpEvent('GET', `/approve/${token}`), 'req-get-1');
    const text = lines.join('');
    expect(body).toContain(token); // the page itself carries the token in its form...
    expect(text).not.toContain(token); // ...the logs never do
    for (const part of token.split('.')) expect(text).not.toContain(part);
    expect(text).not.toContain('<h1>');
    const summary = lines
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.message === 'approval request');
    expect(summary).toMatchObject({
      route: 'GET /approve/{token}',
      status: 200,
      outcome: 'shown',
      role: plan.roleArn,
      plan: plan.planHash.slice(0, 12),
      function_request_id: 'req-get-1',
    });
  });

  it('POST /slack/interactivity: never the signature, the signing secret or the form body', async () => {
    w = await makeWorld(moto.config());
    const { plan } = await w.requestApproval('billing-exec');
    const click = w.click(plan);
    const signature = click.headers['x-slack-signature']!;
    const { lines } = await logged(w, click, 'req-slack-1');
    const text = lines.join('');
    expect(text).not.toContain(signature);
    expect(text).not.toContain(signature.slice(3, 30));
    expect(text).not.toContain(SIGNING_SECRET);
    expect(text).not.toContain(click.body!.slice(0, 40));
    expect(text).not.toContain('payload=');
    const summary = lines
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.message === 'approval request');
    expect(summary).toMatchObject({ route: 'POST /slack/interactivity', status: 200, outcome: 'approved', role: plan.roleArn });
    const done = lines
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.message === 'done');
    expect(done).toMatchObject({ fn: 'approvals', outcome: 'ok', statusCode: 200, function_request_id: 'req-slack-1' });
  });
});
