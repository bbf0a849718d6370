// The change cap as a per-account budget over a time window (LEASH_MAX_CHANGES_PER_WINDOW per LEASH_CHANGE_WINDOW_MINUTES;
// the old per-invocation count let 12 auto roles change in one sweep, 5 per queue batch). Pure: the decision and the exact conditional DynamoDB
// updates the adapter makes on one counter item per account, so that concurrent invocations cannot overspend.
import { InputError } from '../../errors.js';

export interface BudgetSettings {
  /** Changes allowed per account per window (0 allows none). */
  max: number;
  windowMinutes: number;
}

/** The counter item as stored: absent means nothing used yet. */
export interface BudgetState {
  used: number;
  /** ISO time the current window opened. */
  windowStart?: string;
}

export interface BudgetDecision {
  allowed: boolean;
  /** The counter after this decision (unchanged when not allowed). */
  state: { used: number; windowStart: string };
  remaining: number;
  /** When the current window closes and the budget is whole again. */
  resetsAt: string;
  /** Why not, when not allowed. */
  reason?: string;
}

const iso = (ms: number): string => new Date(ms).toISOString();

function check(settings: BudgetSettings, now: string): number {
  if (!Number.isInteger(settings.max) || settings.max < 0) throw new InputError(`not a budget: ${settings.max}`, 'change-budget', 'max');
  if (!(settings.windowMinutes > 0)) throw new InputError(`not a window: ${settings.windowMinutes}`, 'change-budget', 'windowMinutes');
  const t = Date.parse(now);
  if (Number.isNaN(t)) throw new InputError(`not a timestamp: ${now}`, 'change-budget', 'now');
  return t;
}

/**
 * May one more role be changed now? A window opens at the first change after the previous one closed and lasts
 * `windowMinutes`; within it at most `max` changes. A stored window start in the future (another clock ahead) still
 * counts as the current window. Mirrors `budgetUpdates` exactly (the adapter writes windowStart only as an ISO time).
 */
export function budgetDecision(input: BudgetState & BudgetSettings & { now: string }): BudgetDecision {
  const now = check(input, input.now);
  const windowMs = input.windowMinutes * 60_000;
  const start = input.windowStart !== undefined ? Date.parse(input.windowStart) : Number.NaN;
  const open = !Number.isNaN(start) && now < start + windowMs;
  const windowStart = open ? start : now;
  const used = open ? Math.max(0, input.used) : 0;
  const resetsAt = iso(windowStart + windowMs);
  if (used < input.max) {
    return { allowed: true, state: { used: used + 1, windowStart: iso(windowStart) }, remaining: input.max - used - 1, resetsAt };
  }
  return {
    allowed: false,
    state: { used, windowStart: iso(windowStart) },
    remaining: 0,
    resetsAt,
    reason: `change budget reached: ${used} of ${input.max} changes in the ${input.windowMinutes}-minute window since ${iso(windowStart)}; more after ${resetsAt}`,
  };
}

export interface BudgetAllocation {
  change: string[];
  defer: string[];
  state: { used: number; windowStart: string };
  /** Says what was deferred and until when; undefined when nothing was. */
  notice?: string;
}

/**
 * Splits `roles` (in the caller's order) into those the budget lets change now and those deferred. With a cap of 5
 * and 12 roles: 5 change, 7 are deferred with a notice.
 */
export function allocateBudget(
  account: string,
  roles: string[],
  state: BudgetState,
  settings: BudgetSettings,
  now: string,
): BudgetAllocation {
  const change: string[] = [];
  const defer: string[] = [];
  let current: BudgetState = state;
  let last = budgetDecision({ ...current, ...settings, now });
  for (const role of roles) {
    last = budgetDecision({ ...current, ...settings, now });
    if (last.allowed) {
      change.push(role);
      current = last.state;
    } else defer.push(role);
  }
  // Nothing taken: the counter as it stands (the probe decision above would have taken one).
  const untouched = last.allowed ? { used: last.state.used - 1, windowStart: last.state.windowStart } : last.state;
  const out: BudgetAllocation = { change, defer, state: change.length > 0 ? (current as BudgetAllocation['state']) : untouched };
  if (defer.length > 0) out.notice = budgetNotice(account, defer, last);
  return out;
}

export function budgetNotice(account: string, deferred: string[], decision: BudgetDecision): string {
  return (
    `account ${account}: ${decision.reason ?? 'change budget reached'}. ` +
    `${deferred.length} role(s) deferred until ${decision.resetsAt}: ${deferred.join(', ')}`
  );
}

/** One conditional UpdateItem, in DynamoDB's expression language; the adapter adds TableName and Key. */
export interface BudgetUpdate {
  UpdateExpression: string;
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, string | number>;
}

/**
 * The atomic updates on the account's counter item (attributes `used`, a number, and `windowStart`, an ISO time;
 * ISO times in one format compare as strings). To spend one change the adapter tries, in order:
 *   1. `consume`: inside the open window and under the cap, add one;
 *   2. `open`: no window yet or the window has closed, start a new one at `now` with one used (skipped when max is 0);
 *   3. `consume` once more (another invocation opened the window between 1 and 2).
 * A ConditionalCheckFailedException on all three means the budget is spent: defer the role. Every update is
 * conditional, so two invocations can never both take the last change. `release` gives one back when the
 * change was not made after all (dry run decided late, the apply refused before its first IAM write).
 */
export function budgetUpdates(settings: BudgetSettings, now: string): { consume: BudgetUpdate; open?: BudgetUpdate } {
  const t = check(settings, now);
  const names = { '#used': 'used', '#ws': 'windowStart' };
  const cutoff = iso(t - settings.windowMinutes * 60_000);
  const consume: BudgetUpdate = {
    UpdateExpression: 'SET #used = #used + :one',
    ConditionExpression: '#ws > :cutoff AND #used < :max',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: { ':one': 1, ':cutoff': cutoff, ':max': settings.max },
  };
  if (settings.max < 1) return { consume };
  const open: BudgetUpdate = {
    UpdateExpression: 'SET #ws = :now, #used = :one',
    ConditionExpression: 'attribute_not_exists(#ws) OR #ws <= :cutoff',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: { ':now': iso(t), ':one': 1, ':cutoff': cutoff },
  };
  return { consume, open };
}

/** Gives back one change spent in the window that opened at `windowStart` (never below zero, never to a newer window). */
export function budgetRelease(windowStart: string): BudgetUpdate {
  return {
    UpdateExpression: 'SET #used = #used - :one',
    ConditionExpression: '#ws = :ws AND #used > :zero',
    ExpressionAttributeNames: { '#used': 'used', '#ws': 'windowStart' },
    ExpressionAttributeValues: { ':one': 1, ':zero': 0, ':ws': windowStart },
  };
}
