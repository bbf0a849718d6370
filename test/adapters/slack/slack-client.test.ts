import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdapterError } from '../../../lib/errors.js';
import { SlackClient } from '../../../lib/adapters/slack/slack-client.js';
import { decideApproval } from '../../../lib/engine/approval/decide.js';
import { parseInteraction } from '../../../lib/engine/approval/interaction.js';
import { signSlackRequest, verifySlackRequest } from '../../../lib/engine/approval/slack-signature.js';
import { startSlackFake, type SlackFake } from '../../fakes/slack-fake.js';
import { BASE_STATE_HASH, PLAN_HASH, ROLE_ARN, samplePlan } from '../../engine/approval/fixtures.js';

const TOKEN = 'xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy';
const CHANNEL_ID = 'C0LEASH01';
let fake: SlackFake;

beforeAll(async () => {
  fake = await startSlackFake({ token: TOKEN, channels: { 'leash-approvals': CHANNEL_ID } });
});
afterAll(async () => {
  await fake.close();
});

const client = (token = TOKEN): SlackClient => new SlackClient(token, { slackApiUrl: fake.apiUrl, retries: 0 });

type Block = { type: string; elements?: { action_id: string; value: string; style?: string }[]; text?: { text: string } };

describe('SlackClient against the Slack fake', () => {
  it('posts the plan, then replaces it with the outcome on the same channel and ts', async () => {
    const before = fake.requests.length;
    const plan = samplePlan();
    const posted = await client().postPlan('#leash-approvals', plan);
    // Slack answers with the channel id, which chat.update then needs.
    expect(posted.channel).toBe(CHANNEL_ID);
    expect(posted.ts).toMatch(/^\d+\.\d{6}$/);

    const post = fake.requests[before]!;
    expect(post.path).toBe('/api/chat.postMessage');
    expect(post.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(post.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(post.status).toBe(200);
    const stored = fake.message(CHANNEL_ID, posted.ts)!;
    expect(stored.text).toContain('ecsTaskExecutionRole-web');
    const actions = (stored.blocks as Block[]).find((b) => b.type === 'actions');
    expect(actions?.elements?.map((e) => [e.action_id, e.style, JSON.parse(e.value)])).toEqual([
      ['leash-approve', 'primary', { planHash: PLAN_HASH, roleArn: ROLE_ARN }],
      ['leash-reject', 'danger', { planHash: PLAN_HASH, roleArn: ROLE_ARN }],
    ]);

    await client().updateOutcome(posted.channel, posted.ts, plan, { status: 'applied', by: 'U024BE7LH', at: '2024-06-01T10:05:00Z' });
    const update = fake.requests[before + 1]!;
    expect(update.path).toBe('/api/chat.update');
    expect(update.body).toMatchObject({ channel: CHANNEL_ID, ts: posted.ts });
    const after = fake.message(CHANNEL_ID, posted.ts)!;
    expect(after.updates).toBe(1);
    expect((after.blocks as Block[]).some((b) => b.type === 'actions')).toBe(false);
    expect((after.blocks as Block[]).map((b) => b.text?.text)).toContain('*Applied* by <@U024BE7LH> at 2024-06-01T10:05:00Z');
  });

  it('carries a click from the posted message through signature, parsing and decision', async () => {
    const plan = samplePlan();
    const posted = await client().postPlan(CHANNEL_ID, plan);
    const button = (fake.message(CHANNEL_ID, posted.ts)!.blocks as Block[]).find((b) => b.type === 'actions')!.elements![0]!;
    const payload = {
      type: 'block_actions',
      user: { id: 'U024BE7LH' },
      container: { type: 'message', message_ts: posted.ts, channel_id: CHANNEL_ID },
      channel: { id: CHANNEL_ID },
      response_url: 'https://hooks.slack.com/actions/T0CAG/1/x',
      actions: [{ type: 'button', action_id: button.action_id, value: button.value }],
    };
    const rawBody = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    const signingSecret = 'f0e1d2c3b4a5968778695a4b3c2d1e0f';
    const timestamp = '1717236030';
    const signature = signSlackRequest({ signingSecret, timestamp, rawBody });
    const now = new Date(1717236040_000);
    expect(verifySlackRequest({ signingSecret, timestamp, signature, rawBody, now })).toEqual({ ok: true });

    const click = parseInteraction(rawBody);
    expect(click).toMatchObject({ userId: 'U024BE7LH', action: 'approve', channel: CHANNEL_ID, ts: posted.ts });
    const decision = decideApproval({
      request: {
        planHash: click.planHash,
        roleArn: click.roleArn,
        approver: click.userId,
        action: click.action === 'reject' ? 'reject' : 'approve',
        via: 'slack',
      },
      plan: { planHash: plan.planHash, roleArn: plan.roleArn, expiresAt: '2024-06-02T00:00:00Z' },
      currentStateHash: BASE_STATE_HASH,
      planBaseStateHash: plan.baseStateHash,
      approvers: ['U024BE7LH'],
      alreadyUsed: false,
      now,
    });
    expect(decision).toEqual({ ok: true, action: 'approve' });
    await client().updateOutcome(click.channel, click.ts, plan, { status: 'applied', by: click.userId, at: '2024-06-01T10:05:00Z' });
    expect(fake.message(CHANNEL_ID, posted.ts)?.updates).toBe(1);
  });

  it('surfaces Slack API errors as AdapterError with Slack’s error code', async () => {
    await expect(client('xoxb-wrong').postPlan(CHANNEL_ID, samplePlan())).rejects.toMatchObject({
      name: 'AdapterError',
      service: 'slack',
      operation: 'chat.postMessage',
      message: 'slack.chat.postMessage: invalid_auth',
    });
    await expect(client().postPlan('#nowhere', samplePlan())).rejects.toThrow(/channel_not_found/);
    const err = await client()
      .updateOutcome(CHANNEL_ID, '1.000001', samplePlan(), { status: 'rejected', by: 'U1', at: '2024-06-01T00:00:00Z' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AdapterError);
    expect((err as AdapterError).message).toContain('message_not_found');
  });
});

describe('the Slack fake itself', () => {
  it('accepts JSON bodies with the token in the header, as Slack does, and refuses a token in a JSON body', async () => {
    const post = (headers: Record<string, string>, body: unknown) =>
      fetch(`${fake.apiUrl}chat.postMessage`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers },
        body: JSON.stringify(body),
      }).then((r) => r.json() as Promise<Record<string, unknown>>);
    expect(await post({ Authorization: `Bearer ${TOKEN}` }, { channel: CHANNEL_ID, text: 'hi' })).toMatchObject({
      ok: true,
      channel: CHANNEL_ID,
    });
    expect(await post({}, { channel: CHANNEL_ID, text: 'hi', token: TOKEN })).toEqual({ ok: false, error: 'not_authed' });
  });

  it('rejects blocks beyond Slack’s limits', async () => {
    const blocks = Array.from({ length: 51 }, () => ({ type: 'divider' }));
    const res = await fetch(`${fake.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ channel: CHANNEL_ID, blocks }),
    });
    expect(await res.json()).toMatchObject({ ok: false, error: 'invalid_blocks' });
  });
});
