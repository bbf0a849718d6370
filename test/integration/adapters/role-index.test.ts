import { describe, expect, it, vi } from 'vitest';
import { DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoCursors, DynamoRoleIndex as RoleIndex } from '../../../lib/adapters/aws/role-index.js';
import type { IndexEntry as RoleIndexEntry } from '../../../lib/engine/types.js';
import { createTables } from '../../../lib/dev/account-seed.js';
import type { Requirement } from '../../../lib/engine/types.js';
import { TEST_ACCOUNT, useMoto } from '../../support/moto.js';

const moto = useMoto();
const TABLE = 'leash-test';

const WEB = `arn:aws:iam::${TEST_ACCOUNT}:role/web-exec`;
const API = `arn:aws:iam::${TEST_ACCOUNT}:role/api-exec`;
const td = (fr: string) => `arn:aws:ecs:us-east-1:${TEST_ACCOUNT}:task-definition/${fr}`;

const logs: Requirement = {
  action: 'logs:CreateLogStream',
  resource: `arn:aws:logs:us-east-1:${TEST_ACCOUNT}:log-group:/ecs/web:*`,
  reasons: [{ taskDefinition: td('web:1'), container: 'app', field: 'containerDefinitions[0].logConfiguration' }],
};
const secret: Requirement = {
  action: 'secretsmanager:GetSecretValue',
  resource: `arn:aws:secretsmanager:us-east-1:${TEST_ACCOUNT}:secret:db-??????`,
  reasons: [{ taskDefinition: td('web:1'), container: 'app', field: 'containerDefinitions[0].secrets[0].valueFrom' }],
};

function entry(overrides: Partial<RoleIndexEntry> = {}): RoleIndexEntry {
  return {
    taskDefinitionArn: td('web:1'),
    family: 'web',
    revision: 1,
    status: 'ACTIVE',
    executionRoleArn: WEB,
    requirements: [logs, secret],
    unresolved: [{ kind: 'kms-key-for-secret', resource: secret.resource, reasons: secret.reasons }],
    registeredAt: '2026-01-10T09:00:00.000Z',
    inUse: false,
    observedAt: '2026-01-10T09:00:05.000Z',
    ...overrides,
  };
}

async function setUp() {
  const raw = new DynamoDBClient(moto.config());
  await createTables(raw, TABLE);
  const ddb = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  return { raw, ddb, index: new RoleIndex(ddb, TABLE) };
}

describe('table schema', () => {
  it('creates the agreed shape: pk/sk, gsi1 on gsi1pk/gsi1sk, on-demand, TTL on expiresAt', async () => {
    const { raw } = await setUp();
    const t = (await raw.send(new DescribeTableCommand({ TableName: TABLE }))).Table!;
    expect(t.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(t.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(t.GlobalSecondaryIndexes?.map((g) => [g.IndexName, g.KeySchema?.map((k) => k.AttributeName)])).toEqual([
      ['gsi1', ['gsi1pk', 'gsi1sk']],
    ]);
    const ttl = await raw.send(new DescribeTimeToLiveCommand({ TableName: TABLE }));
    expect(ttl.TimeToLiveDescription?.AttributeName).toBe('expiresAt');
  });
});

describe('RoleIndex against moto DynamoDB', () => {
  it('stores an entry and reads it back by role and by task definition', async () => {
    const { index } = await setUp();
    expect(await index.putTaskDefinition(entry())).toMatchObject({ applied: true });
    expect(await index.entriesForRole(WEB)).toEqual([entry()]);
    expect(await index.get(td('web:1'))).toEqual(entry());
    expect(await index.roleOfTaskDefinition(td('web:1'))).toBe(WEB);
    expect(await index.allRoles()).toEqual([WEB]);
  });

  it('is idempotent: the same put twice leaves the same single entry', async () => {
    const { index, ddb } = await setUp();
    await index.putTaskDefinition(entry());
    const first = (await ddb.send(new GetCommand({ TableName: TABLE, Key: { pk: `ROLE#${WEB}`, sk: `TD#${td('web:1')}` } }))).Item;
    expect(await index.putTaskDefinition(entry())).toEqual({ applied: true, previous: { roleArn: WEB } });
    // A registration expects no pointer, finds one, reads it and writes the same, naming the same previous role.
    expect(await index.putTaskDefinition(entry(), { expectNew: true })).toEqual({ applied: true, previous: { roleArn: WEB } });
    const second = (await ddb.send(new GetCommand({ TableName: TABLE, Key: { pk: `ROLE#${WEB}`, sk: `TD#${td('web:1')}` } }))).Item;
    expect(second).toEqual(first);
    expect(await index.entriesForRole(WEB)).toHaveLength(1);
  });

  it('never lets an older observation overwrite a newer one', async () => {
    const { index } = await setUp();
    const newer = entry({ status: 'INACTIVE', inUse: true, observedAt: '2026-01-11T00:00:00.000Z' });
    const older = entry({ status: 'ACTIVE', observedAt: '2026-01-10T00:00:00.000Z' });
    await index.putTaskDefinition(newer);
    expect(await index.putTaskDefinition(older)).toMatchObject({ applied: false, reason: 'stale' });
    expect(await index.entriesForRole(WEB)).toEqual([newer]);
  });

  it('accepts timestamps in other ISO forms and orders them as instants', async () => {
    const { index } = await setUp();
    await index.putTaskDefinition(entry({ observedAt: '2026-01-10T10:00:00+01:00' })); // 09:00Z
    expect(await index.putTaskDefinition(entry({ status: 'INACTIVE', observedAt: '2026-01-10T09:30:00Z' }))).toMatchObject({
      applied: true,
    });
    expect((await index.get(td('web:1')))?.status).toBe('INACTIVE');
  });

  it('moves an entry when the revision names another role, and drops it when it names none', async () => {
    const { index } = await setUp();
    await index.putTaskDefinition(entry());
    await index.putTaskDefinition(entry({ executionRoleArn: API, observedAt: '2026-01-10T10:00:00.000Z' }));
    expect(await index.entriesForRole(WEB)).toEqual([]);
    expect((await index.entriesForRole(API)).map((e) => e.taskDefinitionArn)).toEqual([td('web:1')]);
    expect(await index.allRoles()).toEqual([API]);

    await index.putTaskDefinition(entry({ executionRoleArn: undefined, observedAt: '2026-01-10T11:00:00.000Z' }));
    expect(await index.entriesForRole(API)).toEqual([]);
    expect(await index.roleOfTaskDefinition(td('web:1'))).toBeUndefined();
    expect(await index.allRoles()).toEqual([]);
  });

  it('marks status and use, out-of-order safe', async () => {
    const { index } = await setUp();
    await index.putTaskDefinition(entry());
    expect(await index.markStatus(td('web:1'), 'INACTIVE', true, '2026-01-12T00:00:00.000Z')).toEqual({ applied: true });
    // A re-delivered registration from before the deregistration must not flip it back.
    expect(await index.putTaskDefinition(entry())).toMatchObject({ applied: false, reason: 'stale' });
    const got = await index.get(td('web:1'));
    expect([got?.status, got?.inUse, got?.observedAt]).toEqual(['INACTIVE', true, '2026-01-12T00:00:00.000Z']);
    expect(await index.markStatus(td('other:1'), 'INACTIVE', false, '2026-01-12T00:00:00.000Z')).toEqual({
      applied: false,
      reason: 'unknown',
    });
  });

  it('indexes the task role too: by account and role name (any case, path or bare name), live revisions only', async () => {
    const { index, ddb } = await setUp();
    // web:1 uses web-exec for both; api:1 names it by a differently cased ARN with a path as its task role.
    await index.putTaskDefinition(entry({ taskRoleArn: WEB }));
    await index.putTaskDefinition(
      entry({
        taskDefinitionArn: td('api:1'),
        family: 'api',
        executionRoleArn: API,
        taskRoleArn: `arn:aws:iam::${TEST_ACCOUNT}:role/team/Web-Exec`,
      }),
    );
    await index.putTaskDefinition(entry({ taskDefinitionArn: td('other:1'), family: 'other', executionRoleArn: API, taskRoleArn: API }));
    expect((await index.taskRoleUses(WEB)).map((u) => u.taskDefinitionArn).sort()).toEqual([td('api:1'), td('web:1')]);
    expect((await index.get(td('web:1')))?.taskRoleArn).toBe(WEB);
    // Another account's role of the same name is another role.
    expect(await index.taskRoleUses('arn:aws:iam::210987654321:role/web-exec')).toEqual([]);

    // Deregistered and unused: no longer counts; in use again: counts.
    await index.markStatus(td('api:1'), 'INACTIVE', false, '2026-01-12T00:00:00.000Z');
    expect((await index.taskRoleUses(WEB)).map((u) => u.taskDefinitionArn)).toEqual([td('web:1')]);
    await index.markStatus(td('api:1'), 'INACTIVE', true, '2026-01-12T01:00:00.000Z');
    expect((await index.taskRoleUses(WEB)).map((u) => u.taskDefinitionArn).sort()).toEqual([td('api:1'), td('web:1')]);
    // A revision whose task role changes (a re-describe) moves; a removed one goes.
    await index.putTaskDefinition(entry({ taskRoleArn: API, observedAt: '2026-01-13T00:00:00.000Z' }));
    await index.remove(td('api:1'), '2026-01-13T00:00:00.000Z');
    expect(await index.taskRoleUses(WEB)).toEqual([]);
    expect((await index.taskRoleUses(API)).map((u) => u.taskDefinitionArn).sort()).toEqual([td('other:1'), td('web:1')]);
    // The pointer records the layout version, so a sweep re-describes pointers written before the task role was kept.
    const ptr = (await ddb.send(new GetCommand({ TableName: TABLE, Key: { pk: `TD#${td('web:1')}`, sk: 'META' } }))).Item;
    expect(ptr).toMatchObject({ schema: 2, taskRoleArn: API, roleArn: WEB });
  });

  it('says what a revision is evidence about: its execution role, none, or unknown', async () => {
    const { index } = await setUp();
    await index.putTaskDefinition(entry());
    await index.putTaskDefinition(entry({ taskDefinitionArn: td('noexec:1'), family: 'noexec', executionRoleArn: undefined }));
    expect(await index.executionRoleOf(td('web:1'))).toBe(WEB);
    expect(await index.executionRoleOf(td('noexec:1'))).toBeNull();
    expect(await index.executionRoleOf(td('never:1'))).toBeUndefined();
    await index.remove(td('web:1'), '2026-01-13T00:00:00.000Z');
    expect(await index.executionRoleOf(td('web:1'))).toBeUndefined();
  });

  it('removes a revision and keeps a tombstone against late duplicates', async () => {
    const { index, ddb } = await setUp();
    await index.putTaskDefinition(entry());
    expect(await index.remove(td('web:1'), '2026-01-13T00:00:00.000Z')).toEqual({ applied: true });
    expect(await index.entriesForRole(WEB)).toEqual([]);
    expect(await index.putTaskDefinition(entry())).toMatchObject({ applied: false, reason: 'stale' });
    expect(await index.get(td('web:1'))).toBeUndefined();
    const tomb = (await ddb.send(new GetCommand({ TableName: TABLE, Key: { pk: `TD#${td('web:1')}`, sk: 'META' } }))).Item;
    // 30 days after the removal, in epoch seconds.
    expect(tomb?.expiresAt).toBe(Date.parse('2026-02-12T00:00:00.000Z') / 1000);
  });

  it('keeps every entry of a shared role, across Query pages', async () => {
    const { index, ddb } = await setUp();
    // 40 entries of ~30 KB (just under the compression threshold): ~1.2 MB, more than one 1 MB Query page.
    const pad = 'x'.repeat(30_000);
    for (let i = 1; i <= 40; i++) {
      await index.putTaskDefinition(
        entry({
          taskDefinitionArn: td(`web:${i}`),
          revision: i,
          requirements: [{ ...logs, reasons: [{ ...logs.reasons[0]!, note: `${pad}${i}` }] }],
        }),
      );
    }
    const send = vi.spyOn(ddb, 'send');
    const got = await index.entriesForRole(WEB);
    const queries = send.mock.calls.filter(([cmd]) => cmd instanceof QueryCommand).length;
    send.mockRestore();
    expect(queries).toBeGreaterThan(1);
    expect(got.map((e) => e.revision).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it('stores large requirement sets compressed and reads them back intact', async () => {
    const { index, ddb } = await setUp();
    const reqs: Requirement[] = Array.from({ length: 800 }, (_, i) => ({
      action: 'ssm:GetParameters',
      resource: `arn:aws:ssm:us-east-1:${TEST_ACCOUNT}:parameter/app/setting-${i}`,
      reasons: [{ taskDefinition: td('web:1'), container: 'app', field: `containerDefinitions[0].secrets[${i}].valueFrom` }],
    }));
    await index.putTaskDefinition(entry({ requirements: reqs }));
    const item = (await ddb.send(new GetCommand({ TableName: TABLE, Key: { pk: `ROLE#${WEB}`, sk: `TD#${td('web:1')}` } }))).Item!;
    expect(item.body).toBeUndefined();
    expect(item.bodyGz).toBeInstanceOf(Uint8Array);
    expect((await index.get(td('web:1')))?.requirements).toEqual(reqs);
  });

  it('keeps sweep cursors', async () => {
    const { ddb } = await setUp();
    const cursors = new DynamoCursors(ddb, TABLE);
    expect(await cursors.get('sweep:us-east-1')).toBeUndefined();
    await cursors.put('sweep:us-east-1', 'token-1');
    await cursors.put('sweep:us-east-1', 'token-2');
    expect(await cursors.get('sweep:us-east-1')).toBe('token-2');
    await cursors.put('sweep:us-east-1', undefined);
    expect(await cursors.get('sweep:us-east-1')).toBeUndefined();
  });
});
