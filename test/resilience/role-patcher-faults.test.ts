// Faults during RolePatcher.apply (IAM throttling, 5xx, timeouts on any of its reads and writes): once the call
// returns or throws, the role is either exactly as before or exactly as planned, never in between.
import { afterEach, describe, expect, it } from 'vitest';
import { requirements, ROLE_NAME } from '../engine/plan/fixtures.js';
import { createWorld, makePlan, singleRoleApply, type SingleRoleWorld } from '../support/world/index.js';
import { fastRetries, FaultInjector } from '../support/fault-injection.js';
import { useMoto } from '../support/moto.js';

const moto = useMoto();
const T0 = '2026-03-01T10:00:00.000Z';
const opts = { dryRun: false, actor: 'alice@example.com', reason: 'approved', now: T0, watchMinutes: 30, requirements };

let worlds: SingleRoleWorld[] = [];
afterEach(() => {
  for (const w of worlds) w.account.analyzer.restore();
  worlds = [];
});

async function world(): Promise<SingleRoleWorld> {
  await moto.server().reset();
  const w = await createWorld(moto.config(), singleRoleApply({ now: () => T0 }));
  worlds.push(w);
  return w;
}

describe('RolePatcher.apply under IAM faults', () => {
  it('ends fully old or fully new, and says which', async () => {
    const clean = await world();
    const cleanPlan = await makePlan(clean);
    const newHash = (await clean.deps.applier.apply(cleanPlan, opts)).after!;
    const oldHash = cleanPlan.baseStateHash;
    expect(newHash).not.toBe(oldHash);

    const outcomes = { applied: 0, failed: 0, failedAfterApplying: [] as string[] };
    for (let seed = 1; seed <= 12; seed++) {
      const w = await world();
      const plan = await makePlan(w);
      expect(plan.baseStateHash).toBe(oldHash); // same starting point every time
      const faults = new FaultInjector({ rate: 0.2, seed });
      faults.attach(w.clients.iam);
      fastRetries(w.clients.iam, 2);
      let applied = false;
      let error: unknown;
      try {
        applied = (await w.deps.applier.apply(plan, opts)).applied;
      } catch (err) {
        error = err;
      }
      faults.enabled = false;
      const end = await w.stateHash(ROLE_NAME);
      expect([oldHash, newHash], `seed ${seed}: role left in a partial state`).toContain(end);
      // "applied" always means the new state.
      if (applied) expect(end, `seed ${seed}`).toBe(newHash);
      if (!applied && end === newHash) {
        // Known gap (reported): every step went through, then reading the result back failed; apply throws
        // although the role is fully new, and records neither the apply nor a watch window.
        outcomes.failedAfterApplying.push(`seed ${seed}: ${(error as Error).name}: ${(error as Error).message}`);
      }
      outcomes[applied ? 'applied' : 'failed']++;
    }
    // The faults must actually have bitten, and some applies must have got through.
    expect(outcomes.failed).toBeGreaterThan(0);
    expect(outcomes.applied).toBeGreaterThan(0);
    console.info(
      `apply under faults: ${outcomes.applied} applied, ${outcomes.failed} failed; failed after applying: ${outcomes.failedAfterApplying.join(' | ') || 'none'}`,
    );
  }, 120_000);
});
