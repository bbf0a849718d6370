// Parses the body Slack POSTs when someone clicks Approve/Reject: `application/x-www-form-urlencoded` with one
// `payload` field holding the block_actions JSON. Verify the signature on the raw body first (slack-signature.ts).
import { InputError } from '../../errors.js';
import { APPROVE_ACTION_ID, REJECT_ACTION_ID, REVIEW_ACTION_ID } from './blocks.js';

export interface SlackInteraction {
  userId: string;
  /** `review`: the approver asks for the approval page of a plan too long to approve in Slack. */
  action: 'approve' | 'reject' | 'review';
  planHash: string;
  roleArn: string;
  channel: string;
  /** Timestamp of the message that carried the buttons: what chat.update needs. */
  ts: string;
  responseUrl: string;
}

const SOURCE = 'slack-interaction';
const ACTIONS: Record<string, SlackInteraction['action'] | undefined> = {
  [APPROVE_ACTION_ID]: 'approve',
  [REJECT_ACTION_ID]: 'reject',
  [REVIEW_ACTION_ID]: 'review',
};

export function parseInteraction(rawBody: string): SlackInteraction {
  const form = new URLSearchParams(rawBody);
  const raw = form.get('payload');
  if (raw === null) throw new InputError('form field `payload` is missing', SOURCE, '$');
  let payload: unknown;
  try {
    payload = JSON.parse(raw);
  } catch (cause) {
    throw new InputError('`payload` is not JSON', SOURCE, '$', { cause });
  }
  if (!isObject(payload)) throw new InputError('payload is not an object', SOURCE, '$');
  if (payload.type !== 'block_actions') {
    throw new InputError(`unsupported payload type ${JSON.stringify(payload.type)}`, SOURCE, '$.type');
  }
  const userId = str(payload, ['user', 'id']);
  const channel = str(payload, ['channel', 'id'], () => str(payload, ['container', 'channel_id']));
  const ts = str(payload, ['container', 'message_ts'], () => str(payload, ['message', 'ts']));
  const responseUrl = str(payload, ['response_url']);

  const actions = payload.actions;
  if (!Array.isArray(actions) || actions.length === 0) {
    throw new InputError('no action in payload', SOURCE, '$.actions');
  }
  const clicked: unknown = actions[0];
  if (!isObject(clicked)) throw new InputError('action is not an object', SOURCE, '$.actions[0]');
  const action = ACTIONS[String(clicked.action_id)];
  if (!action) throw new InputError(`unknown action_id ${JSON.stringify(clicked.action_id)}`, SOURCE, '$.actions[0].action_id');
  const value = parseValue(clicked.value);
  return { userId, action, planHash: value.planHash, roleArn: value.roleArn, channel, ts, responseUrl };
}

function parseValue(raw: unknown): { planHash: string; roleArn: string } {
  const path = '$.actions[0].value';
  if (typeof raw !== 'string') throw new InputError('button value is missing', SOURCE, path);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (cause) {
    throw new InputError('button value is not JSON', SOURCE, path, { cause });
  }
  if (!isObject(value)) throw new InputError('button value is not an object', SOURCE, path);
  if (typeof value.planHash !== 'string' || !value.planHash) throw new InputError('planHash is missing', SOURCE, `${path}.planHash`);
  if (typeof value.roleArn !== 'string' || !value.roleArn.startsWith('arn:')) {
    throw new InputError('roleArn is missing or not an ARN', SOURCE, `${path}.roleArn`);
  }
  return { planHash: value.planHash, roleArn: value.roleArn };
}

function str(root: Record<string, unknown>, path: string[], fallback?: () => string): string {
  let cur: unknown = root;
  for (const key of path) cur = isObject(cur) ? cur[key] : undefined;
  if (typeof cur === 'string' && cur) return cur;
  if (fallback) return fallback();
  throw new InputError(`${path.join('.')} is missing`, SOURCE, `$.${path.join('.')}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
