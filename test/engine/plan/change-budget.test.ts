// The change cap as a per-account budget over a window: the decision, the allocation with its notice, and the
// conditional DynamoDB updates, run through a small interpreter of DynamoDB's expression language to prove that
// they spend exactly what the decision says, even when invocations interleave.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allocateBudget,
  budgetDecision,
  budgetRelease,
  budgetUpdates,
  type BudgetSettings,
  type BudgetUpdate,
} from '../../../lib/engine/plan/change-budget.js';
import { InputError } from '../../../lib/errors.js';

const CAP: BudgetSettings = { max: 5, windowMinutes: 60 };
const T0 = '2025-03-04T10:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();
const roles = Array.from({ length: 12 }, (_, i) => `arn:aws:iam::123456789012:role/auto-${String(i + 1).padStart(2, '0')}`);

describe('budgetDecision', () => {
  it('opens a window at the first change and counts within it', () => {
    expect(budgetDecision({ used: 0, ...CAP, now: T0 })).toEqual({
      allowed: true,
      state: { used: 1, windowStart: T0 },
      remaining: 4,
      resetsAt: at(60),
    });
    expect(budgetDecision({ used: 4, windowStart: T0, ...CAP, now: at(59) })).toMatchObject({ allowed: true, remaining: 0 });
    const full = budgetDecision({ used: 5, windowStart: T0, ...CAP, now: at(59) });
    expect(full).toMatchObject({ allowed: false, state: { used: 5, windowStart: T0 }, resetsAt: at(60) });
    expect(full.reason).toBe(`change budget reached: 5 of 5 changes in the 60-minute window since ${T0}; more after ${at(60)}`);
  });

  it('a closed window (at its end exactly, or later) starts a new one', () => {
    expect(budgetDecision({ used: 5, windowStart: T0, ...CAP, now: at(60) })).toMatchObject({
      allowed: true,
      state: { used: 1, windowStart: at(60) },
    });
    expect(budgetDecision({ used: 5, windowStart: T0, ...CAP, now: at(600) }).allowed).toBe(true);
  });

  it('a window start in the future (a clock ahead) is still the current window', () => {
    expect(budgetDecision({ used: 5, windowStart: at(5), ...CAP, now: T0 }).allowed).toBe(false);
  });

  it('a lowered cap below what was used allows nothing more; a cap of 0 allows nothing', () => {
    expect(budgetDecision({ used: 7, windowStart: T0, max: 5, windowMinutes: 60, now: at(1) }).allowed).toBe(false);
    expect(budgetDecision({ used: 0, max: 0, windowMinutes: 60, now: T0 }).allowed).toBe(false);
  });

  it.each<[Partial<BudgetSettings & { now: string }>, string]>([
    [{ max: -1 }, 'max'],
    [{ max: 1.5 }, 'max'],
    [{ windowMinutes: 0 }, 'windowMinutes'],
    [{ now: 'yesterday' }, 'now'],
  ])('refuses bad settings %j', (over, field) => {
    expect(() => budgetDecision({ used: 0, ...CAP, now: T0, ...over })).toThrow(InputError);
    expect(() => budgetDecision({ used: 0, ...CAP, now: T0, ...over })).toThrow(field);
  });
});

describe('allocateBudget: 12 auto roles under a cap of 5', () => {
  it('changes 5, defers 7 with a notice that names them and says until when', () => {
    const a = allocateBudget('123456789012', roles, { used: 0 }, CAP, T0);
    expect(a.change).toEqual(roles.slice(0, 5));
    expect(a.defer).toEqual(roles.slice(5));
    expect(a.state).toEqual({ used: 5, windowStart: T0 });
    expect(a.notice).toContain('account 123456789012: change budget reached: 5 of 5');
    expect(a.notice).toContain(`7 role(s) deferred until ${at(60)}`);
    for (const r of roles.slice(5)) expect(a.notice).toContain(r);
  });

  it('a second sweep inside the window changes none; the next window changes the next 5', () => {
    const first = allocateBudget('123456789012', roles, { used: 0 }, CAP, T0);
    const second = allocateBudget('123456789012', first.defer, first.state, CAP, at(30));
    expect(second.change).toEqual([]);
    expect(second.state).toEqual(first.state);
    const third = allocateBudget('123456789012', second.defer, second.state, CAP, at(61));
    expect(third.change).toEqual(roles.slice(5, 10));
    expect(third.defer).toEqual(roles.slice(10));
  });

  it('nothing to change leaves the counter as it is and says nothing', () => {
    expect(allocateBudget('123456789012', [], { used: 2, windowStart: T0 }, CAP, at(1))).toEqual({
      change: [],
      defer: [],
      state: { used: 2, windowStart: T0 },
    });
  });
});

// --- a small DynamoDB expression interpreter: exactly the forms the budget uses ---

type Item = Record<string, string | number>;

function operand(token: string, u: BudgetUpdate, item: Item): string | number | undefined {
  if (token.startsWith('#')) return item[u.ExpressionAttributeNames[token]!];
  if (token.startsWith(':')) return u.ExpressionAttributeValues[token];
  throw new Error(`operand ${token}`);
}

function condition(expr: string, u: BudgetUpdate, item: Item): boolean {
  return expr.split(' OR ').some((disjunct) =>
    disjunct.split(' AND ').every((c) => {
      const exists = /^attribute_not_exists\((#\w+)\)$/.exec(c.trim());
      if (exists) return item[u.ExpressionAttributeNames[exists[1]!]!] === undefined;
      const m = /^(\S+) (<=|>=|<|>|=) (\S+)$/.exec(c.trim());
      if (!m) throw new Error(`condition ${c}`);
      const a = operand(m[1]!, u, item);
      const b = operand(m[3]!, u, item);
      if (a === undefined || b === undefined || typeof a !== typeof b) return false; // DynamoDB: a missing attribute fails a comparison
      return { '<': a < b, '>': a > b, '<=': a <= b, '>=': a >= b, '=': a === b }[m[2] as '<']!;
    }),
  );
}

/** Applies the update if its condition holds; false is a ConditionalCheckFailedException. */
function update(item: Item, u: BudgetUpdate): boolean {
  if (!condition(u.ConditionExpression, u, item)) return false;
  const sets = u.UpdateExpression.replace(/^SET /, '').split(', ');
  const next: Item = { ...item };
  for (const s of sets) {
    const m = /^(#\w+) = (\S+)(?: ([+-]) (\S+))?$/.exec(s);
    if (!m) throw new Error(`update ${s}`);
    const left = operand(m[2]!, u, item);
    const value = m[3] ? (left as number) + (m[3] === '+' ? 1 : -1) * (operand(m[4]!, u, item) as number) : left;
    next[u.ExpressionAttributeNames[m[1]!]!] = value!;
  }
  Object.assign(item, next);
  return true;
}

/** The adapter's protocol: consume, else open, else consume once more. */
function spend(item: Item, settings: BudgetSettings, now: string): boolean {
  const u = budgetUpdates(settings, now);
  return update(item, u.consume) || (u.open !== undefined && update(item, u.open)) || update(item, u.consume);
}

describe('budgetUpdates: the conditional updates spend exactly what budgetDecision allows', () => {
  it('12 roles under a cap of 5: 5 spends succeed, 7 fail', () => {
    const item: Item = {};
    const results = roles.map(() => spend(item, CAP, T0));
    expect(results.filter(Boolean)).toHaveLength(5);
    expect(item).toEqual({ used: 5, windowStart: T0 });
    expect(spend(item, CAP, at(60))).toBe(true);
    expect(item).toEqual({ used: 1, windowStart: at(60) });
  });

  it('a cap of 0 has no update that opens a window', () => {
    const u = budgetUpdates({ max: 0, windowMinutes: 60 }, T0);
    expect(u.open).toBeUndefined();
    expect(spend({}, { max: 0, windowMinutes: 60 }, T0)).toBe(false);
  });

  it('release gives one back, only within the same window and never below zero', () => {
    const item: Item = { used: 2, windowStart: T0 };
    expect(update(item, budgetRelease(T0))).toBe(true);
    expect(item.used).toBe(1);
    expect(update(item, budgetRelease(at(60)))).toBe(false);
    expect(update({ used: 0, windowStart: T0 }, budgetRelease(T0))).toBe(false);
  });

  it('property: interleaved invocations never spend more than the cap, and spend all of it when asked enough', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 1, max: 10 }),
        fc.boolean(),
        fc.array(fc.nat(), { minLength: 40, maxLength: 40 }),
        (max, workers, expired, schedule) => {
          const settings = { max, windowMinutes: 60 };
          // A full window that has just closed, or no counter yet.
          const item: Item = expired ? { used: max, windowStart: at(-61) } : {};
          const u = budgetUpdates(settings, T0);
          const protocol = [u.consume, ...(u.open ? [u.open] : []), u.consume];
          const state = Array.from({ length: workers }, () => ({ step: 0, done: false, won: false }));
          for (let i = 0; state.some((w) => !w.done); i++) {
            const pending = state.filter((w) => !w.done);
            const w = pending[(schedule[i % schedule.length] ?? 0) % pending.length]!;
            if (update(item, protocol[w.step]!)) {
              w.won = true;
              w.done = true;
            } else if (++w.step === protocol.length) w.done = true;
          }
          const won = state.filter((w) => w.won).length;
          expect(won).toBe(Math.min(workers, max));
          if (won > 0) expect(item).toEqual({ used: won, windowStart: T0 });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: for any sequence of spends at non-decreasing times, the item and the pure decision agree', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 1, max: 120 }),
        fc.array(fc.integer({ min: 0, max: 90 }), { maxLength: 40 }),
        (max, windowMinutes, steps) => {
          const settings = { max, windowMinutes };
          const item: Item = {};
          let minute = 0;
          for (const step of steps) {
            minute += step;
            const now = at(minute);
            const state = item.used === undefined ? { used: 0 } : { used: item.used as number, windowStart: item.windowStart as string };
            const d = budgetDecision({ ...state, ...settings, now });
            const ok = spend(item, settings, now);
            expect(ok).toBe(d.allowed);
            if (ok) expect(item).toEqual(d.state);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

// --- every interleaving, window rollover and releases included (the integration tests serialize moto, see
// test/support/moto-serial.ts: what they can no longer race is proved here, on the expressions themselves) ---

/** One invocation: its own clock, the adapter's protocol until one update holds, then maybe a release (apply refused). */
interface Worker {
  now: string;
  releases: boolean;
  step: number;
  won?: string;
  done: boolean;
}

/** Changes spent per window start, net of releases: what the cap bounds. */
type Ledger = Map<string, number>;

function stepOnce(item: Item, w: Worker, settings: BudgetSettings, ledger: Ledger): void {
  if (w.won !== undefined) {
    if (update(item, budgetRelease(w.won))) ledger.set(w.won, ledger.get(w.won)! - 1);
    w.done = true;
    return;
  }
  const u = budgetUpdates(settings, w.now);
  const protocol = [u.consume, ...(u.open ? [u.open] : []), u.consume];
  if (update(item, protocol[w.step]!)) {
    w.won = item.windowStart as string;
    ledger.set(w.won, (ledger.get(w.won) ?? 0) + 1);
    w.done = !w.releases;
  } else if (++w.step === protocol.length) w.done = true;
}

function expectCapHeld(item: Item, ledger: Ledger, max: number): void {
  for (const spent of ledger.values()) expect(spent >= 0 && spent <= max).toBe(true);
  if (item.windowStart !== undefined) expect(item.used).toBe(ledger.get(item.windowStart as string) ?? 0);
}

/** Runs every interleaving of `workers` from `item` (depth first), checking the cap after every single update. */
function everyInterleaving(item: Item, workers: Worker[], settings: BudgetSettings, ledger: Ledger): number {
  expectCapHeld(item, ledger, settings.max);
  const pending = workers.map((w, i) => (w.done ? -1 : i)).filter((i) => i >= 0);
  if (pending.length === 0) return 1;
  let leaves = 0;
  for (const i of pending) {
    const nextItem = { ...item };
    const nextWorkers = workers.map((w) => ({ ...w }));
    const nextLedger = new Map(ledger);
    stepOnce(nextItem, nextWorkers[i]!, settings, nextLedger);
    leaves += everyInterleaving(nextItem, nextWorkers, settings, nextLedger);
  }
  return leaves;
}

describe('budgetUpdates under every interleaving', () => {
  const settings = { max: 2, windowMinutes: 60 };
  const OLD = at(30); // inside the window opened at T0
  const NEW = at(61); // after it closed: this invocation opens the next one

  it('cap + 1 invocations at one time: the (cap+1)th is refused in every interleaving', () => {
    for (const start of [{}, { used: 0, windowStart: T0 }, { used: 2, windowStart: at(-61) }] as Item[]) {
      const workers = [0, 1, 2].map(() => ({ now: OLD, releases: false, step: 0, done: false }) as Worker);
      const ledger: Ledger = new Map(start.windowStart ? [[start.windowStart as string, start.used as number]] : []);
      const finals: Worker[][] = [];
      const walk = (item: Item, ws: Worker[], l: Ledger): void => {
        const pending = ws.filter((w) => !w.done);
        if (pending.length === 0) return void finals.push(ws);
        for (const w of pending) {
          const [i2, ws2, l2] = [{ ...item }, ws.map((x) => ({ ...x })), new Map(l)];
          stepOnce(i2, ws2[ws.indexOf(w)]!, settings, l2);
          expectCapHeld(i2, l2, settings.max);
          walk(i2, ws2, l2);
        }
      };
      walk(start, workers, ledger);
      expect(finals.length).toBeGreaterThanOrEqual(6); // at least every order of the three
      for (const ws of finals) expect(ws.filter((w) => w.won !== undefined)).toHaveLength(2);
    }
  });

  it('rollover: invocations in the closing window race those opening the next, some releasing after a refused apply', () => {
    let leaves = 0;
    for (const used of [1, 2])
      for (const clocks of [0, 1, 2, 3, 4, 5, 6, 7])
        for (const releaser of [-1, 0, 2]) {
          const workers = [0, 1, 2].map(
            (i) => ({ now: clocks & (1 << i) ? NEW : OLD, releases: i === releaser, step: 0, done: false }) as Worker,
          );
          leaves += everyInterleaving({ used, windowStart: T0 }, workers, settings, new Map([[T0, used]]));
        }
    expect(leaves).toBeGreaterThan(10_000);
  });

  it('property: many invocations on skewed clocks, with releases, never spend more than the cap in any window', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5 }),
        fc.array(fc.record({ minute: fc.integer({ min: 0, max: 200 }), releases: fc.boolean() }), { minLength: 1, maxLength: 12 }),
        fc.array(fc.nat(), { minLength: 60, maxLength: 60 }),
        (max, invocations, schedule) => {
          const s = { max, windowMinutes: 60 };
          const item: Item = {};
          const ledger: Ledger = new Map();
          const workers = invocations.map((v) => ({ now: at(v.minute), releases: v.releases, step: 0, done: false }) as Worker);
          for (let i = 0; workers.some((w) => !w.done); i++) {
            const pending = workers.filter((w) => !w.done);
            stepOnce(item, pending[(schedule[i % schedule.length] ?? 0) % pending.length]!, s, ledger);
            expectCapHeld(item, ledger, max);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
