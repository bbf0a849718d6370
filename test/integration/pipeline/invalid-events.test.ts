// Events a function cannot accept make run() throw a LeashError naming the JSON path: in Lambda that sends the event
// to the DLQ instead of losing it. The deps throw on any use, so a rejected event provably touched nothing.
import { describe, expect, it } from 'vitest';
import { run as runDenial } from '../../../functions/denial.js';
import { run as runIamChange } from '../../../functions/iam-change.js';
import { run as runReconcile } from '../../../functions/reconcile.js';
import { run as runTaskDefinitionChange } from '../../../functions/task-definition-change.js';
import { run as runTaskStopped } from '../../../functions/task-stopped.js';
import { EventError, LeashError } from '../../../lib/errors.js';
import { loadEventJson } from '../../support/corpus.js';

type Run = (event: unknown, deps: never) => Promise<unknown>;
const FUNCTIONS: [string, Run][] = [
  ['task-definition-change', runTaskDefinitionChange as Run],
  ['iam-change', runIamChange as Run],
  ['denial', runDenial as Run],
  ['task-stopped', runTaskStopped as Run],
  ['reconcile', runReconcile as Run],
];

// Plain configuration may be read; any port (index, IAM, ECS, stores, notifier) may not.
const CONFIG: Record<string, unknown> = { selfRoleArns: [], pullThroughPrefixes: [] };
const untouchable = new Proxy(CONFIG, {
  get(target, key) {
    if (typeof key === 'string' && key in target) return target[key];
    throw new Error(`deps.${String(key)} used while rejecting an invalid event`);
  },
}) as never;

async function rejection(run: Run, event: unknown): Promise<Error> {
  try {
    await run(event, untouchable);
  } catch (err) {
    return err as Error;
  }
  throw new Error('run() accepted the event');
}

describe('invalid events are rejected with the JSON path, before any AWS call', () => {
  it.each(FUNCTIONS)('%s: events/malformed-missing-detail.json', async (_name, run) => {
    const err = await rejection(run, loadEventJson('malformed-missing-detail.json'));
    expect(err).toBeInstanceOf(LeashError);
    // No detail (or, for IAM and the sweep, the wrong source/detail-type) is what is wrong with it.
    expect(err.message).toMatch(/\$\.(detail|source|detail-type)\b/);
  });

  const NON_OBJECTS: unknown[] = [null, undefined, 42, 'AWS API Call via CloudTrail', true, [], [{ detail: {} }]];
  it.each(FUNCTIONS)('%s: values that are not event objects', async (_name, run) => {
    for (const value of NON_OBJECTS) {
      const err = await rejection(run, value);
      expect(err, JSON.stringify(value)).toBeInstanceOf(EventError);
      expect(err.message, JSON.stringify(value)).toMatch(/: \$(\.detail|\.detail-type)?: /);
    }
  });

  // Each function is given another function's event: the EventBridge rule should never have routed it there.
  it.each([
    ['task-definition-change', 'attach-role-policy.json', '$.source', runTaskDefinitionChange],
    ['iam-change', 'register-task-definition.json', '$.source', runIamChange],
    ['denial', 'task-stopped-access-denied.json', '$.detail-type', runDenial],
    ['task-stopped', 'denial-ecr.json', '$.detail-type', runTaskStopped],
    ['reconcile', 'register-task-definition.json', '$.detail-type', runReconcile],
  ] as [string, string, string, Run][])('%s: an event of the wrong source (%s)', async (_name, file, path, run) => {
    const err = await rejection(run, loadEventJson(file));
    expect(err).toBeInstanceOf(EventError);
    expect((err as EventError).jsonPath).toBe(path);
    expect(err.message).toContain(path);
  });

  it('task-definition-change: an ECS call that is not a task-definition change', async () => {
    const e = loadEventJson<{ detail: { eventName: string } }>('register-task-definition.json');
    e.detail.eventName = 'RunTask';
    const err = await rejection(runTaskDefinitionChange as Run, e);
    expect(err).toBeInstanceOf(EventError);
    expect((err as EventError).jsonPath).toBe('$.detail.eventName');
  });
});
