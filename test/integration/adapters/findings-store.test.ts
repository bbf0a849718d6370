import { describe, expect, it } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoFindingsStore as FindingsStore } from '../../../lib/adapters/aws/findings-store.js';
import { createTables } from '../../../lib/dev/account-seed.js';
import type { Finding } from '../../../lib/engine/types.js';
import { TEST_ACCOUNT, useMoto } from '../../support/moto.js';

const moto = useMoto();
const TABLE = 'leash-findings-test';
const ROLE = `arn:aws:iam::${TEST_ACCOUNT}:role/web-exec`;

const missing: Finding = {
  kind: 'missing',
  severity: 'urgent',
  action: 'secretsmanager:GetSecretValue',
  resource: `arn:aws:secretsmanager:us-east-1:${TEST_ACCOUNT}:secret:db-??????`,
  reasons: ['web:3 container app reads secret DB'],
};
const tooBroad: Finding = {
  kind: 'too-broad',
  severity: 'review',
  action: 'ecr:BatchGetImage',
  resource: '*',
  reasons: ['granted on * by AmazonECSTaskExecutionRolePolicy'],
};
const meta = (at: string) => ({ at, intentHash: 'i1', stateHash: 's1' });

async function setUp() {
  const raw = new DynamoDBClient(moto.config());
  await createTables(raw, TABLE);
  const ddb = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  return { ddb, store: new FindingsStore(ddb, TABLE) };
}

describe('FindingsStore against moto DynamoDB', () => {
  it('reports a change the first time, and not when the same findings come again', async () => {
    const { store } = await setUp();
    expect(await store.putCurrent(ROLE, [missing, tooBroad], meta('2026-01-10T09:00:00.000Z'))).toEqual({ changed: true });
    // Until the caller says it announced them, the same set comes back as a pending notice.
    expect(await store.putCurrent(ROLE, [missing, tooBroad], meta('2026-01-10T09:00:00.000Z'))).toEqual({
      changed: false,
      pendingNotice: true,
    });
    await store.markNotified(ROLE, [tooBroad, missing]);
    // A re-delivered event: same findings, possibly in another order.
    expect(await store.putCurrent(ROLE, [tooBroad, missing], meta('2026-01-10T09:00:00.000Z'))).toEqual({ changed: false });
    expect(await store.putCurrent(ROLE, [missing, tooBroad], meta('2026-01-10T09:05:00.000Z'))).toEqual({ changed: false });
    const cur = await store.current(ROLE);
    expect(cur?.findings).toEqual([missing, tooBroad]);
    expect(cur?.at).toBe('2026-01-10T09:05:00.000Z');
    expect(await store.history(ROLE, 10)).toHaveLength(1);
  });

  it('does not count an empty set as a change when nothing was recorded before', async () => {
    const { store } = await setUp();
    expect(await store.putCurrent(ROLE, [], meta('2026-01-10T09:00:00.000Z'))).toEqual({ changed: false });
    expect((await store.current(ROLE))?.findings).toEqual([]);
    expect(await store.history(ROLE, 10)).toEqual([]);
  });

  it('records each different set in history, newest first, and a resolution as a change', async () => {
    const { store } = await setUp();
    await store.putCurrent(ROLE, [missing], meta('2026-01-10T09:00:00.000Z'));
    expect(await store.putCurrent(ROLE, [missing, tooBroad], meta('2026-01-11T09:00:00.000Z'))).toEqual({ changed: true });
    expect(await store.putCurrent(ROLE, [], { ...meta('2026-01-12T09:00:00.000Z'), stateHash: 's2' })).toEqual({ changed: true });
    const history = await store.history(ROLE, 10);
    expect(history.map((h) => [h.at, h.findings.length])).toEqual([
      ['2026-01-12T09:00:00.000Z', 0],
      ['2026-01-11T09:00:00.000Z', 2],
      ['2026-01-10T09:00:00.000Z', 1],
    ]);
    expect(history[0]?.stateHash).toBe('s2');
    expect((await store.history(ROLE, 2)).map((h) => h.at)).toEqual(['2026-01-12T09:00:00.000Z', '2026-01-11T09:00:00.000Z']);
  });

  it('treats a severity change of the same finding as a change', async () => {
    const { store } = await setUp();
    await store.putCurrent(ROLE, [tooBroad], meta('2026-01-10T09:00:00.000Z'));
    expect(await store.putCurrent(ROLE, [{ ...tooBroad, severity: 'urgent' }], meta('2026-01-10T10:00:00.000Z'))).toEqual({
      changed: true,
    });
  });

  it('ignores a result computed before the one stored', async () => {
    const { store } = await setUp();
    await store.putCurrent(ROLE, [missing], meta('2026-01-10T10:00:00.000Z'));
    expect(await store.putCurrent(ROLE, [tooBroad], meta('2026-01-10T09:00:00.000Z'))).toEqual({ changed: false });
    expect((await store.current(ROLE))?.findings).toEqual([missing]);
  });

  it('gives history items a TTL and leaves the current item without one', async () => {
    const { store, ddb } = await setUp();
    await store.putCurrent(ROLE, [missing], meta('2026-01-10T00:00:00.000Z'));
    const cur = (await ddb.send(new GetCommand({ TableName: TABLE, Key: { pk: `ROLE#${ROLE}`, sk: 'FINDINGS#CURRENT' } }))).Item;
    expect(cur).toBeDefined();
    expect(cur?.expiresAt).toBeUndefined();
    const { Items } = await ddb.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :h)',
        ExpressionAttributeValues: { ':pk': `ROLE#${ROLE}`, ':h': 'FINDINGS#2026-01-10T00:00:00.000Z#' },
      }),
    );
    expect(Items).toHaveLength(1);
    // 400 days after 2026-01-10, in epoch seconds.
    expect(Items?.[0]?.expiresAt).toBe(Date.parse('2027-02-14T00:00:00.000Z') / 1000);
  });
});
