import { describe, expect, it } from 'vitest';
import { decideApproval, isAllowedApprover, type DecideInput } from '../../../lib/engine/approval/decide.js';
import { BASE_STATE_HASH, PLAN_HASH, ROLE_ARN } from './fixtures.js';

const NOW = new Date('2024-06-01T10:00:00Z');

function input(overrides: Partial<DecideInput> = {}, request: Partial<DecideInput['request']> = {}): DecideInput {
  return {
    request: { planHash: PLAN_HASH, approver: 'U024BE7LH', action: 'approve', via: 'slack', roleArn: ROLE_ARN, ...request },
    plan: { planHash: PLAN_HASH, roleArn: ROLE_ARN, expiresAt: '2024-06-02T10:00:00Z' },
    currentStateHash: BASE_STATE_HASH,
    planBaseStateHash: BASE_STATE_HASH,
    approvers: ['U024BE7LH', 'alice@example.com'],
    alreadyUsed: false,
    now: NOW,
    ...overrides,
  };
}

describe('decideApproval', () => {
  it('accepts an allowed approver approving the current plan in time', () => {
    expect(decideApproval(input())).toEqual({ ok: true, action: 'approve' });
  });

  it('accepts a link approval by email, case-insensitively', () => {
    expect(decideApproval(input({}, { via: 'link', approver: 'Alice@Example.COM' }))).toEqual({ ok: true, action: 'approve' });
  });

  it.each([
    ['approver-not-allowed', input({}, { approver: 'U0MALLORY' })],
    ['approver-not-allowed', input({}, { approver: 'u024be7lh' })],
    ['approver-not-allowed', input({}, { approver: '' })],
    ['no-approvers-configured', input({ approvers: [] })],
    ['plan-hash-mismatch', input({}, { planHash: 'b'.repeat(64) })],
    ['role-mismatch', input({}, { roleArn: 'arn:aws:iam::123456789012:role/other' })],
    ['already-used', input({ alreadyUsed: true })],
    ['expired', input({ now: new Date('2024-06-02T10:00:00Z') })],
    ['expired', input({ plan: { planHash: PLAN_HASH, roleArn: ROLE_ARN, expiresAt: 'not a date' } })],
    ['state-changed', input({ currentStateHash: 'c'.repeat(64) })],
  ])('refuses with %s', (reason, given) => {
    const decision = decideApproval(given);
    expect(decision).toMatchObject({ ok: false, reason });
    expect(decision.ok ? '' : decision.message).not.toBe('');
  });

  it('lets a rejection through although the role changed (rejecting never mutates)', () => {
    expect(decideApproval(input({ currentStateHash: 'c'.repeat(64) }, { action: 'reject' }))).toEqual({ ok: true, action: 'reject' });
  });

  it('still refuses a rejection from someone not on the list, and replayed rejections', () => {
    expect(decideApproval(input({}, { action: 'reject', approver: 'U0MALLORY' }))).toMatchObject({ reason: 'approver-not-allowed' });
    expect(decideApproval(input({ alreadyUsed: true }, { action: 'reject' }))).toMatchObject({ reason: 'already-used' });
  });

  it('gives each refusal its own message', () => {
    const messages = new Set(
      [
        input({}, { approver: 'U0MALLORY' }),
        input({ approvers: [] }),
        input({}, { planHash: 'b' }),
        input({}, { roleArn: 'arn:aws:iam::1:role/x' }),
        input({ alreadyUsed: true }),
        input({ now: new Date('2030-01-01T00:00:00Z') }),
        input({ currentStateHash: 'c' }),
      ].map((i) => {
        const d = decideApproval(i);
        return d.ok ? '' : d.message;
      }),
    );
    expect(messages.size).toBe(7);
  });
});

describe('isAllowedApprover', () => {
  it('does not let an email match a Slack id or vice versa, nor blank entries match', () => {
    expect(isAllowedApprover('U024BE7LH', ['u024be7lh@example.com'])).toBe(false);
    expect(isAllowedApprover('alice@example.com', ['', ' '])).toBe(false);
    expect(isAllowedApprover(' U024BE7LH ', ['U024BE7LH'])).toBe(true);
  });
});
