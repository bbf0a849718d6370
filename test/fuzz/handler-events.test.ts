// Random and mutated events into every handler's run(event, deps) with in-memory deps: a handler either returns a
// summary or throws a LeashError that says what was wrong; never a TypeError, never a hang.
import fc from 'fast-check';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run as runDenial } from '../../functions/denial.js';
import { run as runIamChange } from '../../functions/iam-change.js';
import { run as runTaskDefinitionChange } from '../../functions/task-definition-change.js';
import { run as runTaskStopped } from '../../functions/task-stopped.js';
import { InputError, LeashError } from '../../lib/errors.js';
import { loadEventJson, repoRoot } from '../support/corpus.js';
import { memoryPipeline as memoryDeps } from '../support/world/memory.js';

type Run = (event: unknown, deps: ReturnType<typeof memoryDeps>) => Promise<unknown>;
const HANDLERS: [string, Run][] = [
  ['task-definition-change', runTaskDefinitionChange as Run],
  ['iam-change', runIamChange as Run],
  ['denial', runDenial as Run],
  ['task-stopped', runTaskStopped as Run],
];

const EVENTS = readdirSync(join(repoRoot, 'events'))
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => loadEventJson<unknown>(f));

type Path = (string | number)[];

function paths(value: unknown, prefix: Path = []): Path[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  const keys: (string | number)[] = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return [prefix, ...keys.flatMap((k) => paths((value as Record<string | number, unknown>)[k], [...prefix, k]))];
}

type Mutation = { kind: 'delete' } | { kind: 'set'; value: unknown };

function mutate(event: unknown, path: Path, m: Mutation): unknown {
  if (!path.length) return m.kind === 'delete' ? undefined : m.value;
  const copy = structuredClone(event) as Record<string | number, unknown>;
  let parent = copy;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (m.kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else parent[last] = m.value;
  return copy;
}

const HUGE = 'A'.repeat(300_000);
const wrongValue = fc.oneof(
  fc.constantFrom<unknown>(null, true, 0, -1, 1e308, '', HUGE, [], {}, [null], { '': 1 }, 'arn:aws:iam::123456789012:role/', '::::'),
  fc.string(),
  fc.jsonValue({ maxDepth: 2 }),
);
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constant<Mutation>({ kind: 'delete' }),
  wrongValue.map((value): Mutation => ({ kind: 'set', value })),
);

/** A real event with 1–3 mutations at random paths. */
const mutatedEvent = fc.integer({ min: 0, max: EVENTS.length - 1 }).chain((i) => {
  const all = paths(EVENTS[i]);
  return fc.array(fc.tuple(fc.integer({ min: 0, max: all.length - 1 }), mutation), { minLength: 1, maxLength: 3 }).map((ms) => {
    let ev = EVENTS[i];
    for (const [p, m] of ms) {
      // Later mutations may hit a path an earlier one removed: skip those.
      try {
        ev = mutate(ev, all[p]!, m);
      } catch {
        /* path gone */
      }
    }
    return ev;
  });
});

async function settle(run: Run, event: unknown): Promise<{ ok: true } | { ok: false; error: unknown }> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('HANG: handler did not settle within 5 s')), 5000);
  });
  try {
    await Promise.race([run(event, memoryDeps()), hang]);
    return { ok: true };
  } catch (error) {
    return { ok: false, error };
  } finally {
    clearTimeout(timer);
  }
}

function expectLeashFailure(outcome: Awaited<ReturnType<typeof settle>>, handler: string, event: unknown): void {
  if (outcome.ok) return;
  const err = outcome.error;
  const info = `${handler} threw ${err instanceof Error ? `${err.name}: ${err.message}\n${err.stack}` : String(err)}\nevent: ${JSON.stringify(event)?.slice(0, 2000)}`;
  expect(err instanceof LeashError, info).toBe(true);
  expect((err as Error).message.length, info).toBeGreaterThan(0);
  if (err instanceof InputError) expect(err.jsonPath, info).toMatch(/^\$|^[A-Za-z]/);
}

describe('handlers under random and malformed events', () => {
  it('every real event is accepted or rejected with a LeashError by every handler', async () => {
    for (const event of EVENTS) for (const [name, run] of HANDLERS) expectLeashFailure(await settle(run, event), name, event);
  });

  it('mutated real events (deleted fields, wrong types, huge strings) only ever fail with a LeashError', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedEvent, async (event) => {
        for (const [name, run] of HANDLERS) expectLeashFailure(await settle(run, event), name, event);
      }),
      { numRuns: 1000, seed: 20261120 },
    );
  });

  it('arbitrary JSON only ever fails with a LeashError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), async (event) => {
        for (const [name, run] of HANDLERS) expectLeashFailure(await settle(run, event), name, event);
      }),
      { numRuns: 500, seed: 7 },
    );
  });
});
