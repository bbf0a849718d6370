import { describe, expect, it } from 'vitest';
import { inputErrorOf } from '../../support/thrown.js';
import { planBlocks } from '../../../lib/engine/approval/blocks.js';
import { parseInteraction } from '../../../lib/engine/approval/interaction.js';
import { PLAN_HASH, ROLE_ARN, samplePlan } from './fixtures.js';

// Shape of a block_actions payload as documented at docs.slack.dev/reference/interaction-payloads/block_actions-payload.
function payload(overrides: Record<string, unknown> = {}, actionOverrides: Record<string, unknown> = {}): Record<string, unknown> {
  const actions = planBlocks(samplePlan()).find((b) => b.type === 'actions');
  const approve = actions?.type === 'actions' ? actions.elements[0] : undefined;
  return {
    type: 'block_actions',
    user: { id: 'U024BE7LH', username: 'alice', name: 'alice', team_id: 'T0CAG' },
    api_app_id: 'A0CA5',
    token: 'Shh_its_a_seekrit',
    container: { type: 'message', message_ts: '1717236000.000200', channel_id: 'C0LEASH01', is_ephemeral: false },
    trigger_id: '12466734323.1395872398',
    team: { id: 'T0CAG', domain: 'acme-creamery' },
    channel: { id: 'C0LEASH01', name: 'leash-approvals' },
    message: { type: 'message', ts: '1717236000.000200', text: 'Leash: approval needed' },
    response_url: 'https://hooks.slack.com/actions/T0CAG/1234/abcd',
    actions: [
      {
        action_id: approve?.action_id,
        block_id: 'leash-decision',
        text: { type: 'plain_text', text: 'Approve', emoji: true },
        value: approve?.value,
        style: 'primary',
        type: 'button',
        action_ts: '1717236010.123456',
        ...actionOverrides,
      },
    ],
    ...overrides,
  };
}
const body = (p: unknown): string => new URLSearchParams({ payload: JSON.stringify(p) }).toString();

describe('parseInteraction', () => {
  it('reads who clicked what on which message, from a button our blocks produced', () => {
    expect(parseInteraction(body(payload()))).toEqual({
      userId: 'U024BE7LH',
      action: 'approve',
      planHash: PLAN_HASH,
      roleArn: ROLE_ARN,
      channel: 'C0LEASH01',
      ts: '1717236000.000200',
      responseUrl: 'https://hooks.slack.com/actions/T0CAG/1234/abcd',
    });
  });

  it('reads a Reject click', () => {
    expect(parseInteraction(body(payload({}, { action_id: 'leash-reject' }))).action).toBe('reject');
  });

  it('falls back to container.channel_id when channel is absent', () => {
    expect(parseInteraction(body(payload({ channel: undefined }))).channel).toBe('C0LEASH01');
  });

  it.each([
    ['no payload field', 'foo=bar', '$'],
    ['payload is not JSON', 'payload=%7Bnope', '$'],
    ['wrong type', body(payload({ type: 'view_submission' })), '$.type'],
    ['no user', body(payload({ user: undefined })), '$.user.id'],
    ['no response_url', body(payload({ response_url: undefined })), '$.response_url'],
    ['no actions', body(payload({ actions: [] })), '$.actions'],
    ['foreign action', body(payload({}, { action_id: 'something-else' })), '$.actions[0].action_id'],
    ['value not JSON', body(payload({}, { value: 'approve' })), '$.actions[0].value'],
    ['value without roleArn', body(payload({}, { value: JSON.stringify({ planHash: 'x' }) })), '$.actions[0].value.roleArn'],
  ])('rejects %s with an InputError naming %s', (_name, raw, path) => {
    const err = inputErrorOf(() => parseInteraction(raw));
    expect(err.name).toBe('InputError');
    expect(err.jsonPath).toBe(path);
    expect(err.source).toBe('slack-interaction');
  });
});
