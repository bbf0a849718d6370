// Every event in events/ through the real handlers against moto, with a fraction of SDK attempts failing
// (throttling, 5xx, socket timeouts). Lambda's async semantics are emulated: 2 retries, then the on-failure
// destination (an SQS queue); the queue is then redriven. The end state must equal a fault-free run.
import { describe, expect, it } from 'vitest';
import { SqsDlq } from '../../lib/adapters/aws/dlq.js';
import { redrive, type FailureRecord } from '../../lib/app/redrive.js';
import type { Remediation } from '../../lib/composition-remediation.js';
import type { Finding, IndexEntry } from '../../lib/engine/types.js';
import { loadEventJson } from '../support/corpus.js';
import { everyClient, fastRetries, FaultInjector } from '../support/fault-injection.js';
import { invokeAsync, sqsDestination } from '../support/fake-aws/lambda-async.js';
import { useMoto } from '../support/moto.js';
import { createWorld, eventsAccount, handlers, REGION, roleArn, SCENARIO, type World } from '../support/world/index.js';

const moto = useMoto();

interface Snapshot {
  index: Record<string, IndexEntry[]>;
  findings: Record<string, { setHash: string; findings: Finding[] } | null>;
  /** Subject and message of every notice in the SNS subscription's queue, sorted. */
  notices: string[];
}

/** The events' account, swept once; notices from that sweep are not part of the comparison. */
async function prepare(): Promise<World> {
  const w = await createWorld(moto.config(), eventsAccount());
  await w.reindex();
  await w.envelopes();
  return w;
}

/** Reads the end state with the world's own (fault-free) deps. Drains the notices. */
async function snapshot(w: World): Promise<Snapshot> {
  const index: Snapshot['index'] = {};
  const findings: Snapshot['findings'] = {};
  for (const r of [...(await w.deps.index.allRoles()), roleArn('payments-exec')].sort()) {
    const entries = await w.entries(r);
    if (entries.length) index[r] = entries;
    const cur = await w.deps.findings.current(r);
    findings[r] = cur ? { setHash: cur.setHash, findings: cur.findings } : null;
  }
  return { index, findings, notices: (await w.envelopes()).map((e) => `${e.subject}\n${e.message}`).sort() };
}

async function runScenario(w: World, deps: Remediation): Promise<{ deadLettered: string[]; retried: number }> {
  const fns = handlers(deps).byName;
  const onFailure = sqsDestination(w.clients.sqs, w.resources.failuresUrl);
  const deadLettered: string[] = [];
  let retried = 0;
  for (const [i, [fn, file]] of SCENARIO.entries()) {
    const res = await invokeAsync({ name: `leash-prod-${fn}`, run: fns[fn]! }, loadEventJson(file), { onFailure, requestId: `req-${i}` });
    if (!res.ok) deadLettered.push(file);
    if (res.attempts > 1) retried++;
  }
  return { deadLettered, retried };
}

// SNS Publish is kept out of the faults: recomputeRole stores the findings before publishing, so a publish that
// fails on every attempt loses its notice for good (the retry sees "unchanged"). Reported to the lead; with it
// in, whether a notice is lost depends on timing, which would make these tests flaky.
const notPublish = (c: { commandName: string }) => c.commandName !== 'PublishCommand';

function withFaults(deps: Remediation, rate: number, seed: number, maxAttempts: number): FaultInjector {
  const faults = new FaultInjector({ rate, seed, where: notPublish });
  for (const client of everyClient(deps.clients.home, [REGION, 'us-east-1'])) {
    faults.attach(client);
    fastRetries(client, maxAttempts);
  }
  return faults;
}

async function faultFree(): Promise<Snapshot> {
  const w = await prepare();
  const outcome = await runScenario(w, w.compose());
  expect(outcome).toEqual({ deadLettered: [], retried: 0 });
  return snapshot(w);
}

function expectMeaningful(s: Snapshot): void {
  // The comparison is only worth something if the scenario produced state in all three places.
  expect(Object.keys(s.index).sort()).toEqual([roleArn('billing-exec'), roleArn('reports-exec'), roleArn('web-exec')]);
  expect(s.index[roleArn('web-exec')]!.map((x) => x.taskDefinitionArn)).toContain(
    `arn:aws:ecs:${REGION}:123456789012:task-definition/web-api:3`,
  );
  expect(s.findings[roleArn('reports-exec')]?.findings.length).toBeGreaterThan(0);
  expect(s.notices.length).toBeGreaterThan(0);
}

const identity = (fs: Finding[]) =>
  JSON.stringify([...new Set(fs.map((f) => [f.kind, f.severity, f.action, f.resource].join(' ')))].sort());

/** Role → identities of the finding sets its notices carried (the JSON block after the readable lines). */
function announced(notices: string[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const n of notices) {
    const data = JSON.parse(n.slice(n.indexOf('\n{') + 1)) as { roleArn: string; findings: Finding[] };
    const set = out.get(data.roleArn) ?? new Set<string>();
    set.add(identity(data.findings));
    out.set(data.roleArn, set);
  }
  return out;
}

/** Same index and findings; events ran in another order (dead-lettered ones last), so intermediate notices differ,
 *  but every final finding set the fault-free run announced is announced here too. */
function expectSameEndState(after: Snapshot, clean: Snapshot): void {
  expect(after.index).toEqual(clean.index);
  expect(after.findings).toEqual(clean.findings);
  const cleanAnnounced = announced(clean.notices);
  const faultyAnnounced = announced(after.notices);
  let checked = 0;
  for (const [role, rec] of Object.entries(clean.findings)) {
    if (!rec || !cleanAnnounced.get(role)?.has(identity(rec.findings))) continue;
    checked++;
    expect(faultyAnnounced.get(role)?.has(identity(rec.findings)), role).toBe(true);
  }
  expect(checked).toBeGreaterThan(0);
}

describe('handlers under injected AWS faults', () => {
  it('with 20% of attempts failing, retries and redrive reach the fault-free end state', async () => {
    const clean = await faultFree();
    expectMeaningful(clean);

    await moto.server().reset();
    const w = await prepare();
    const deps = w.compose({ maxAttempts: 3 });
    const faults = withFaults(deps, 0.2, 20_261_120, 3);
    const outcome = await runScenario(w, deps);
    expect(faults.total).toBeGreaterThan(10);
    expect(Object.values(faults.injected).every((n) => n > 0)).toBe(true);

    faults.enabled = false;
    const summary = await redrive(new SqsDlq(w.clients.sqs, w.resources.failuresUrl), handlers(deps).byName);
    expect(summary.failed).toEqual([]);
    expect(summary.unreadable).toEqual([]);
    expect(summary.redriven.length).toBe(outcome.deadLettered.length);
    const after = await snapshot(w);
    // A retried attempt may announce an intermediate set (its evidence was stored before it failed), and a redrive runs
    // its events last: notices are at least once, so the end state is compared, and no final announcement may be lost.
    expectSameEndState(after, clean);
  }, 90_000);

  it('when most calls fail, events land in the failure queue in Lambda’s record shape and a redrive converges', async () => {
    const clean = await faultFree();

    await moto.server().reset();
    const w = await prepare();
    const deps = w.compose({ maxAttempts: 2 });
    const faults = withFaults(deps, 0.6, 7, 2);
    const outcome = await runScenario(w, deps);
    expect(outcome.deadLettered.length).toBeGreaterThan(5);

    // Peek at the queue: one record per dead-lettered event, original payload intact.
    faults.enabled = false;
    const records: FailureRecord[] = [];
    const peek = new SqsDlq(w.clients.sqs, w.resources.failuresUrl, 0);
    for (const m of await peek.receive()) records.push(JSON.parse(m.body) as FailureRecord);
    expect(records.length).toBe(Math.min(10, outcome.deadLettered.length));
    for (const r of records) {
      expect(r.requestContext.condition).toBe('RetriesExhausted');
      expect(r.requestContext.approximateInvokeCount).toBe(3);
      expect(r.requestContext.functionArn).toMatch(/^arn:aws:lambda:eu-west-1:123456789012:function:leash-prod-[a-z-]+:\$LATEST$/);
      expect(r.responseContext?.functionError).toBe('Unhandled');
      const file = SCENARIO.find(([, f]) => JSON.stringify(loadEventJson(f)) === JSON.stringify(r.requestPayload));
      expect(file, 'payload must be one of the original events, unchanged').toBeDefined();
      expect(outcome.deadLettered).toContain(file![1]);
    }

    const summary = await redrive(new SqsDlq(w.clients.sqs, w.resources.failuresUrl), handlers(deps).byName);
    expect(summary.failed).toEqual([]);
    expect(summary.unreadable).toEqual([]);
    expect(summary.redriven.length).toBe(outcome.deadLettered.length);
    expect(await new SqsDlq(w.clients.sqs, w.resources.failuresUrl, 0).receive()).toEqual([]);

    expectSameEndState(await snapshot(w), clean);
  }, 90_000);
});
