// The reconcile sweep against moto with the demo account: the scheduled event indexes everything, a sweep that runs
// out of time resumes to the same index as an uninterrupted one, and revisions deregistered without an event
// (spec §3.4, §11.18) stop counting unless a service still runs them.
import { DeregisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { TaskDefinitions } from '../../../lib/app/ports.js';
import { runSweep } from '../../../lib/app/sweep.js';
import { useMoto } from '../../support/moto.js';
import {
  createWorld,
  demoAccount,
  event,
  keysOf,
  NOW,
  registerInMoto,
  roleArn,
  secret,
  soloRevision,
  tdArn,
  type DemoWorld,
} from '../../support/world/index.js';

const moto = useMoto();
const WEB = roleArn('web-exec');
const ROLES = [roleArn('billing-exec'), roleArn('reports-exec'), WEB];

/** ListTaskDefinitions in pages of `size` (the real API pages by 100): the sweep then stops between small pages. */
function pagesOf(w: DemoWorld, size: number): TaskDefinitions['listPage'] {
  return async (status, token) => {
    const all: string[] = [];
    let next: string | undefined;
    do {
      const page = await w.deps.ecs.listPage(status, next);
      all.push(...page.arns);
      next = page.nextToken;
    } while (next);
    const start = Number(token ?? 0);
    return { arns: all.slice(start, start + size), ...(start + size < all.length ? { nextToken: String(start + size) } : {}) };
  };
}

describe('reconcile sweep', () => {
  it('scheduled-reconcile.json indexes every revision in the Region and records every execution role', async () => {
    const w = await createWorld(moto.config(), demoAccount());
    const summary = await w.run.reconcile(event('scheduled-reconcile.json'));
    expect(summary.complete).toBe(true);
    expect(summary.cursor.described).toBe(7);
    expect(summary.roles.map((r) => r.role)).toEqual(ROLES);
    const web = await w.entries(WEB);
    expect(web.map((e) => [e.taskDefinitionArn, e.status, e.inUse])).toEqual(
      ['web-api:1', 'web-api:2', 'web-api:3', 'web-cron:1', 'web-worker:1'].map((r) => [tdArn(r), 'ACTIVE', true]),
    );
    expect((await w.entries(roleArn('billing-exec'))).map((e) => e.taskDefinitionArn)).toEqual([tdArn('billing:1')]);
    expect((await w.entries(roleArn('reports-exec'))).map((e) => e.taskDefinitionArn)).toEqual([tdArn('reports:1')]);
    for (const role of ROLES) expect((await w.findings(role))?.length).toBeGreaterThan(0);
    expect((await w.notices()).map((n) => n.role).sort()).toEqual(ROLES);
  });

  it('a revision indexed before the task role was kept (an older layout) is described again, once', async () => {
    const w = await createWorld(moto.config(), demoAccount());
    await w.run.reconcile(event('scheduled-reconcile.json'));
    // As an older Leash wrote it: no layout version, no task role.
    await w.clients.ddb.send(
      new UpdateCommand({
        TableName: w.resources.table,
        Key: { pk: `TD#${tdArn('billing:1')}`, sk: 'META' },
        UpdateExpression: 'REMOVE #schema',
        ExpressionAttributeNames: { '#schema': 'schema' },
      }),
    );
    const again = await w.run.reconcile({ ...event('scheduled-reconcile.json'), detail: { restart: true } });
    expect(again.cursor.described).toBe(1);
    const third = await w.run.reconcile({ ...event('scheduled-reconcile.json'), detail: { restart: true } });
    expect(third.cursor.described).toBe(0);
  });

  it('a sweep that runs out of time after one page resumes and ends with the index of an uninterrupted sweep', async () => {
    const w = await createWorld(moto.config(), demoAccount());
    let checks = 0;
    const interrupted = await runSweep({
      ...w.deps,
      ecs: {
        ...w.deps.ecs,
        describe: (id) => w.deps.ecs.describe(id),
        inUseTaskDefinitionArns: () => w.deps.ecs.inUseTaskDefinitionArns(),
        listPage: pagesOf(w, 2),
      },
      concurrency: 2,
      // Time for one page, then less than the sweep keeps in reserve.
      timeLeft: () => (checks++ === 0 ? 600_000 : 1_000),
    });
    expect(interrupted.complete).toBe(false);
    expect(interrupted.cursor).toMatchObject({ phase: 'ACTIVE', nextToken: '2', pages: 1, described: 2 });
    const indexed = (await Promise.all(ROLES.map((r) => w.entries(r)))).flat();
    expect(indexed).toHaveLength(2);
    for (const role of ROLES) expect(await w.findings(role)).toBeUndefined();

    const resumed = await runSweep({
      ...w.deps,
      ecs: {
        ...w.deps.ecs,
        describe: (id) => w.deps.ecs.describe(id),
        inUseTaskDefinitionArns: () => w.deps.ecs.inUseTaskDefinitionArns(),
        listPage: pagesOf(w, 2),
      },
      concurrency: 2,
      timeLeft: () => 600_000,
    });
    expect(resumed.complete).toBe(true);
    expect(resumed.cursor.sweepId).toBe(interrupted.cursor.sweepId);
    // Counts carry over in the cursor: no revision was described twice.
    expect(resumed.cursor.described).toBe(7);
    const afterResume = await w.snapshot(ROLES);

    await moto.server().reset();
    const fresh = await createWorld(moto.config(), demoAccount());
    const whole = await fresh.run.reconcile(event('scheduled-reconcile.json'));
    expect(whole.complete).toBe(true);
    expect(afterResume).toEqual(await fresh.snapshot(ROLES));
  });

  it('revisions deregistered behind Leash’s back: the one nothing runs stops counting, the one a service runs keeps counting', async () => {
    let clock = NOW;
    const w = await createWorld(moto.config(), demoAccount({ now: () => clock }));
    await registerInMoto(w.clients, soloRevision('web-old', 'old/db-AsDfGh'));
    await w.run.reconcile(event('scheduled-reconcile.json'));
    expect(keysOf(await w.findings(WEB), 'missing')).toContain(`missing secretsmanager:GetSecretValue ${secret('old/db-AsDfGh')}`);
    await w.notices();

    // No events: the deregistrations are only visible to the next sweep.
    for (const rev of ['web-old:1', 'web-api:2']) await w.clients.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: rev }));
    clock = '2026-11-23T00:00:00.000Z';
    const summary = await w.run.reconcile(event('scheduled-reconcile.json'));
    expect(summary.complete).toBe(true);
    const entries = await w.entries(WEB);
    expect(entries.find((e) => e.taskDefinitionArn === tdArn('web-old:1'))).toMatchObject({ status: 'INACTIVE', inUse: false });
    expect(entries.find((e) => e.taskDefinitionArn === tdArn('web-api:2'))).toMatchObject({ status: 'INACTIVE', inUse: true });
    expect(keysOf(await w.findings(WEB)).join('\n')).not.toContain('old/db-AsDfGh');
    const notices = await w.notices();
    expect(notices.map((n) => n.role)).toEqual([WEB]);
    expect(notices[0]!.lines.join('\n')).not.toContain('old/db-AsDfGh');
  });
});
