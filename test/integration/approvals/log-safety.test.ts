// What the approvals function logs (Powertools JSON lines through the real middy-wrapped handler) says what happened
// (route, status, outcome, role, plan-hash prefix, request id) and never carries the link token, the Slack signature,
// the request body or the response page.
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { handlerWith } from '../../../functions/approvals.js';
import { httpEvent } from '../../../lib/dev/demo/slack-click.js';
import { useMoto } from '../../support/moto.js';
import type { ApprovalRequestDeps } from '../../../lib/app/approval-requests.js';
import { APPROVER, createWorld, type DemoWorld, LINK_SECRET, remediationAccount, SIGNING_SECRET } from '../../support/world/index.js';

const moto = useMoto();
let w: DemoWorld | undefined;
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
async function logged(
  world: DemoWorld,
  event: unknown,
  requestId: string,
  deps: ApprovalRequestDeps = world.deps,
): Promise<{ lines: string[]; body: string; status?: number; thrown?: unknown }> {
  const lines: string[] = [];
  const capture = (chunk: unknown) => (lines.push(String(chunk)), true);
  vi.spyOn(process.stdout, 'write').mockImplementation(capture as typeof process.stdout.write);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture as typeof process.stderr.write);
  const handler = handlerWith(() => deps);
  try {
    const response = (await handler(event, context(requestId))) as { body?: string; statusCode?: number };
    return { lines, body: response.body ?? '', status: response.statusCode };
  } catch (thrown) {
    return { lines, body: '', thrown };
  } finally {
    vi.restoreAllMocks();
  }
}

/** Anything a log line must never hold: the token and any long piece of it, the signature, secrets, bodies. */
function expectNothingSecret(lines: string[], secrets: string[]): void {
  const text = lines.join('');
  for (const s of secrets.filter(Boolean)) {
    expect(text).not.toContain(s);
    for (const part of s.split(/[.=&]/).filter((p) => p.length >= 12)) expect(text).not.toContain(part);
  }
  expect(text).not.toContain(SIGNING_SECRET);
  expect(text).not.toContain(LINK_SECRET);
  expect(text).not.toMatch(/\/approve\/[A-Za-z0-9_-]{8}/); // a link, whole or cut
  expect(text).not.toMatch(/[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}/); // anything shaped like a link token
  expect(text).not.toMatch(/v0=[0-9a-f]{8}/); // a Slack signature
  expect(text).not.toContain('payload=');
  expect(text).not.toContain('<h1>');
  expect(text).not.toContain('<form');
}

const summaryOf = (lines: string[]) =>
  lines
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .find((l) => l.message === 'approval request');

const getLink = (token: string) => httpEvent('GET', `/approve/${token}`);
const postLink = (token: string, decision: string, formToken = token) =>
  httpEvent('POST', `/approve/${token}`, new URLSearchParams({ token: formToken, decision }).toString());

/** The world's runtime with one store read replaced by a failure whose message and cause quote the request. */
function failingDeps(world: DemoWorld, message: string, cause: string): ApprovalRequestDeps {
  const plans = Object.create(world.deps.plans) as typeof world.deps.plans;
  plans.getPlan = async () => {
    throw new Error(message, { cause: new Error(cause) });
  };
  return { ...world.deps, plans };
}

describe('approvals logs hold no secrets', () => {
  it('GET /approve/{token}: the route, outcome, role and plan prefix; never the token or the page', async () => {
    w = await createWorld(moto.config(), remediationAccount());
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
    w = await createWorld(moto.config(), remediationAccount());
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

describe('approvals logs hold no secrets, whatever the outcome', () => {
  it('signed links: GET and POST, approve, reject, replay, decided, forged, mismatched form, expired', async () => {
    w = await createWorld(moto.config(), remediationAccount());
    const { plan } = await w.requestApproval('billing-exec');
    const token = await w.linkToken(plan);
    const [claims, mac] = token.split('.') as [string, string];
    const forged = `${claims}.${mac.slice(0, -4)}AAAA`;
    const cases: [string, unknown, number, string][] = [
      ['GET shown', getLink(token), 200, 'shown'],
      ['GET forged MAC', getLink(forged), 403, 'refused: bad-signature'],
      ['POST form token differs', postLink(token, 'approve', forged), 400, 'bad request: $.token'],
      ['POST unknown decision', postLink(token, 'apply-all'), 400, 'bad request: $.decision'],
      ['POST approve', postLink(token, 'approve'), 200, 'approved'],
      ['POST replayed', postLink(token, 'approve'), 409, 'refused: already-used'],
      ['GET after the decision', getLink(token), 410, 'already approved'],
    ];
    for (const [name, event, status, outcome] of cases) {
      const r = await logged(w, event, `req-${name}`);
      expect(r.status, name).toBe(status);
      expect(summaryOf(r.lines), name).toMatchObject({ outcome, status });
      expectNothingSecret(r.lines, [token, forged, mac]);
    }
    // After the plan's expiry the link says so; a POST on it is still logged without the token.
    w.clock.advanceMinutes(73 * 60);
    for (const event of [getLink(token), postLink(token, 'reject')]) {
      const r = await logged(w, event, 'req-expired');
      expect(r.status).toBe(410);
      expectNothingSecret(r.lines, [token, mac]);
    }
  });

  it('a rejection by link is logged as one, without the token', async () => {
    w = await createWorld(moto.config(), remediationAccount());
    const { plan } = await w.requestApproval('billing-exec');
    const token = await w.linkToken(plan);
    const r = await logged(w, postLink(token, 'reject'), 'req-reject');
    expect(summaryOf(r.lines)).toMatchObject({ outcome: 'rejected', status: 200, role: plan.roleArn });
    expectNothingSecret(r.lines, [token]);
  });

  it('Slack: success, forged, stale, not an approver, replayed, and the review link sent ephemerally', async () => {
    w = await createWorld(moto.config(), remediationAccount());
    const { plan } = await w.requestApproval('billing-exec');
    const events: [string, ReturnType<DemoWorld['click']>, string][] = [
      ['forged', w.click(plan, { secret: 'forged-secret-0123456789' }), 'refused: bad-signature'],
      ['stale', w.click(plan, { epochSeconds: w.clock.epochSeconds() - 3600 }), 'refused: stale-timestamp'],
      ['intruder', w.click(plan, { userId: 'U0INTRUDER' }), 'refused: approver-not-allowed'],
      ['review', w.click(plan, { action: 'review' }), 'review-link-sent'],
      ['approve', w.click(plan), 'approved'],
    ];
    events.push(['replay', events[4]![1], 'refused: already-used']);
    for (const [name, click, outcome] of events) {
      const r = await logged(w, click, `req-slack-${name}`);
      expect(summaryOf(r.lines), name).toMatchObject({ route: 'POST /slack/interactivity', outcome });
      expectNothingSecret(r.lines, [click.headers['x-slack-signature']!, click.body!]);
    }
    // The review link went to the approver alone; it is not in any log line. The replayed click got its own
    // ephemeral reply (already decided), which carries no link.
    const [sent, ...others] = w.slack.ephemerals.filter((e) => e.text.includes('/approve/'));
    expect(others).toEqual([]);
    expect(sent).toMatchObject({ user: APPROVER });
    expect(w.slack.ephemerals.at(-1)).toMatchObject({ user: APPROVER, text: expect.stringContaining('already decided') });
    const link = /https:\/\/\S+\/approve\/(\S+)/.exec(sent!.text)![1]!;
    expect(link.length).toBeGreaterThan(40);
  });

  it('errors: a thrown error whose message and cause quote the link, the token, the signature and the body', async () => {
    w = await createWorld(moto.config(), remediationAccount());
    const { plan } = await w.requestApproval('billing-exec');
    const token = await w.linkToken(plan);
    const url = `https://leash.example/approve/${token}`;
    const get = await logged(w, getLink(token), 'req-err-get', failingDeps(w, `GET ${url} failed`, `token ${token} not readable`));
    expect(get.thrown).toBeInstanceOf(Error);
    const failed = get.lines
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.message === 'failed');
    expect(failed).toMatchObject({ fn: 'approvals', outcome: 'error', function_request_id: 'req-err-get' });
    expect(JSON.stringify(failed)).toContain('[redacted]'); // the error is still logged, minus its secrets
    expectNothingSecret(get.lines, [token]);

    const click = w.click(plan);
    const sig = click.headers['x-slack-signature']!;
    const slack = await logged(w, click, 'req-err-slack', failingDeps(w, `request ${click.body} rejected`, `signature ${sig}`));
    expect(slack.thrown).toBeInstanceOf(Error);
    expectNothingSecret(slack.lines, [sig, click.body!, decodeURIComponent(click.body!)]);

    const post = await logged(w, postLink(token, 'approve'), 'req-err-post', failingDeps(w, `body token=${token}&decision=approve`, url));
    expect(post.thrown).toBeInstanceOf(Error);
    expectNothingSecret(post.lines, [token]);
  });
});
