// Issue 10, item 5: the change cap is a per-account budget over a time window, kept in DynamoDB and spent atomically.
// 12 `auto` roles under a cap of 5 (the default, per 60-minute window), delivered by the queue in batches of 5: 5 roles
// change, 7 are deferred, each with a notice and an audit entry; once the window resets the watch function hands them
// back to the remediation queue. And the counter itself, on moto: concurrent spends never take more than the cap.
import { AccessAnalyzerClient, CheckNoNewAccessCommand, ValidatePolicyCommand } from '@aws-sdk/client-accessanalyzer';
import { mockClient } from 'aws-sdk-client-mock';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { run as runRemediate } from '../../../functions/remediate.js';
import { run as runWatch } from '../../../functions/watch.js';
import { DynamoChangeBudget } from '../../../lib/adapters/aws/change-budget-store.js';
import { makeClients } from '../../../lib/adapters/aws/clients.js';
import { createTables } from '../../../lib/dev/account-seed.js';
import { RETRY_REASON } from '../../../lib/app/retry-deferred.js';
import { useMoto } from '../../support/moto.js';
import { awslogs, ecrImage, createWorld, remediationAccount, roleArn, sqsEvent, type DemoWorld } from '../../support/world/index.js';

const moto = useMoto();
let w: DemoWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

const SCHEDULED = { 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} };
const names = Array.from({ length: 12 }, (_, i) => `svc${String(i + 1).padStart(2, '0')}-exec`);

/** Auto roles (the first `count` of the twelve), each over-granted (every secret), missing its pulls and logs, in scope. */
async function autoRoles(analyzer: AccessAnalyzerClient | null = null, count = names.length): Promise<DemoWorld> {
  w = await createWorld(moto.config(), remediationAccount({ dryRun: false, analyzer }));
  await w.addRoles(
    names.slice(0, count).map((name) => ({
      name,
      tags: { 'leash:mode': 'auto', 'leash:scope': `repository/${name} log-group:/ecs/${name}` },
      inline: { broad: [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*' }] },
      taskDefinitions: [
        { family: name, containers: [{ name: 'app', image: ecrImage(name), essential: true, logConfiguration: awslogs(`/ecs/${name}`) }] },
      ],
    })),
  );
  await w.reindex();
  return w;
}

/** What the findings topic's subscribers received (the inbox queue), as subjects. */
async function subjects(world: DemoWorld): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const res = await world.clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: world.resources.inboxUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
      }),
    );
    if (!res.Messages?.length) return out;
    out.push(...res.Messages.map((m) => m.Body ?? ''));
  }
}

// Each of these builds a world of 12 roles and runs ~20 remediations on moto: ~20 s on a loaded 2-core machine, which
// the 30 s default timed out on once. The time is moto's, not a wait: a larger bound hides no hang the tests could see.
describe('the change budget, end to end', { timeout: 120_000 }, () => {
  it('12 auto roles under a cap of 5: 5 change, 7 are deferred with a notice, and are retried when the window resets', async () => {
    const world = await autoRoles();
    await subjects(world); // the findings notices of the sweep
    const messages = names.map((n) => JSON.stringify({ roleArn: roleArn(n), reason: 'findings changed' }));
    const outcomes = [];
    // The queue delivers batches of 5 (the event source mapping's batch size): three invocations.
    for (let i = 0; i < messages.length; i += 5) {
      const res = await runRemediate(sqsEvent(messages.slice(i, i + 5)), world.deps);
      expect(res.batchItemFailures).toEqual([]);
      outcomes.push(...res.outcomes);
    }
    expect(outcomes.filter((o) => o.outcome === 'applied').map((o) => o.roleArn)).toEqual(names.slice(0, 5).map(roleArn));
    const deferred = outcomes.filter((o) => o.outcome === 'deferred');
    expect(deferred.map((o) => o.roleArn)).toEqual(names.slice(5).map(roleArn));
    for (const o of deferred) {
      expect(o.why).toMatch(
        /^account 123456789012: change budget reached: 5 of 5 changes in the 60-minute window since 2026-11-22T07:20:00\.000Z/,
      );
      expect(o.why).toContain(`deferred until 2026-11-22T08:20:00.000Z: ${o.roleArn}`);
    }
    // Said: one notice per deferred role on the findings topic, and an audit entry; the deferred roles are unchanged.
    const notices = (await subjects(world)).filter((b) => b.includes('change budget reached'));
    expect(notices).toHaveLength(7);
    for (const name of names.slice(5)) {
      expect((await world.audit(name)).at(-1)).toMatchObject({
        action: 'skip',
        actor: 'leash-auto',
        why: expect.stringMatching(/^deferred: /),
      });
      expect(Object.keys((await world.readRole(name)).inline)).toEqual(['broad']);
    }

    // Before the window resets the watch hands nothing back; after it, all 7 go back to the remediation queue.
    world.clock.advanceMinutes(30);
    expect((await runWatch(SCHEDULED, world.deps)).retried).toEqual([]);
    world.clock.advanceMinutes(31);
    expect((await runWatch(SCHEDULED, world.deps)).retried).toEqual(names.slice(5).map(roleArn));
    const retried = await world.drain(world.resources.remediationQueueUrl);
    expect(retried.map((b) => JSON.parse(b))).toEqual(names.slice(5).map((n) => ({ roleArn: roleArn(n), reason: RETRY_REASON })));
    expect((await runWatch(SCHEDULED, world.deps)).retried).toEqual([]);

    // The new window: 5 more change, 2 wait again.
    const second = [];
    for (let i = 0; i < retried.length; i += 5)
      second.push(...(await runRemediate(sqsEvent(retried.slice(i, i + 5)), world.deps)).outcomes);
    expect(second.map((o) => o.outcome)).toEqual(['applied', 'applied', 'applied', 'applied', 'applied', 'deferred', 'deferred']);
  });

  it('a dry run spends nothing; an apply refused before its first IAM write gives its change back', async () => {
    // Access Analyzer (mocked: moto has none) passes the dry run's policy, then finds a problem with every other one:
    // verification refuses each real apply.
    const analyzer = mockClient(AccessAnalyzerClient);
    analyzer
      .on(ValidatePolicyCommand)
      .resolvesOnce({ findings: [] })
      .resolves({ findings: [{ findingType: 'ERROR', issueCode: 'TEST', findingDetails: 'refused', learnMoreLink: '', locations: [] }] });
    analyzer.on(CheckNoNewAccessCommand).resolves({ result: 'PASS', message: 'ok', reasons: [] });
    try {
      const world = await autoRoles(analyzer as unknown as AccessAnalyzerClient, 6); // only 6 are remediated
      const dryRun = { ...world.deps, settings: { ...world.deps.settings, dryRun: true } };
      const message = (name: string) => sqsEvent([JSON.stringify({ roleArn: roleArn(name), reason: 'findings changed' })]);
      expect((await runRemediate(message(names[0]!), dryRun)).outcomes).toMatchObject([{ outcome: 'dry-run' }]);
      // Six real applies, each refused by verification after spending and before writing: each change is given back.
      for (const name of names.slice(0, 6)) {
        const res = await runRemediate(message(name), world.deps);
        expect(res.batchItemFailures).toHaveLength(1); // the refusal fails the message (retried, then dead-lettered)
        expect((await world.audit(name)).at(-1)).toMatchObject({ action: 'refuse', why: expect.stringMatching(/^verification failed/) });
      }
      // Nothing was spent: the whole budget is still there.
      expect(await world.deps.budget.spend('123456789012', world.clock.now())).toMatchObject({ allowed: true, remaining: 4 });
    } finally {
      analyzer.restore();
    }
  });
});

// moto answers concurrent requests on threads with no lock around UpdateItem's check-and-write; the harness sends
// DynamoDB requests one at a time, as DynamoDB serializes writes to one item (test/support/moto-serial.ts). So this
// checks the adapter's protocol and counting on a real SDK and DynamoDB API; that the expressions hold the cap under
// every interleaving (rollover and releases included) is proved in test/engine/plan/change-budget.test.ts.
describe('the budget counter in DynamoDB (moto)', () => {
  it('concurrent spends never take more than the cap; a release gives one back, only to its own window', async () => {
    const c = makeClients({ ...moto.config(), region: 'eu-west-1' });
    await createTables(c.ddb, 'budget');
    const budget = new DynamoChangeBudget(c.ddb, 'budget', { max: 5, windowMinutes: 60 });
    const now = '2026-11-22T07:00:00.000Z';
    const results = await Promise.all(Array.from({ length: 20 }, () => budget.spend('111122223333', now)));
    expect(results.filter((r) => r.allowed)).toHaveLength(5);
    const refused = results.find((r) => !r.allowed);
    expect(refused).toMatchObject({ allowed: false, decision: { reason: expect.stringMatching(/5 of 5 changes/) } });
    // Another account has its own budget.
    expect(await budget.spend('444455556666', now)).toMatchObject({ allowed: true, remaining: 4 });

    await budget.release('111122223333', now);
    expect(await budget.spend('111122223333', '2026-11-22T07:10:00.000Z')).toMatchObject({ allowed: true, windowStart: now });
    expect(await budget.spend('111122223333', '2026-11-22T07:10:00.000Z')).toMatchObject({ allowed: false });
    // A release for a window that has closed changes nothing in the new one.
    const next = '2026-11-22T08:00:00.000Z';
    expect(await budget.spend('111122223333', next)).toMatchObject({ allowed: true, windowStart: next, remaining: 4 });
    await budget.release('111122223333', now);
    const after = await Promise.all(Array.from({ length: 6 }, () => budget.spend('111122223333', next)));
    expect(after.filter((r) => r.allowed)).toHaveLength(4);
  });
});
