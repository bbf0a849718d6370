// Races moto cannot stage: another writer moves the pointer between our read and our transaction.
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoRoleIndex as RoleIndex } from '../../../lib/adapters/aws/role-index.js';
import { AdapterError } from '../../../lib/errors.js';

const ddbMock = mockClient(DynamoDBDocumentClient);
const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const TD = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:1';
const entry = {
  taskDefinitionArn: TD,
  family: 'web',
  revision: 1,
  status: 'ACTIVE',
  executionRoleArn: 'arn:aws:iam::123456789012:role/web-exec',
  requirements: [],
  observedAt: '2026-01-10T09:00:00.000Z',
};
const canceled = () => Object.assign(new Error('Transaction cancelled'), { name: 'TransactionCanceledException' });

beforeEach(() => ddbMock.reset());

describe('RoleIndex (mocked DynamoDB)', () => {
  it('re-reads and retries when it loses a race, guarding on the version it read', async () => {
    ddbMock
      .on(GetCommand)
      .resolvesOnce({ Item: { observedAt: '2026-01-10T08:00:00.000Z', version: 1, roleArn: entry.executionRoleArn } })
      .resolves({ Item: { observedAt: '2026-01-10T08:30:00.000Z', version: 2, roleArn: entry.executionRoleArn } });
    ddbMock.on(TransactWriteCommand).rejectsOnce(canceled()).resolves({});
    // The write reports what it replaced: the roles of the pointer it guarded on (the second read's).
    expect(await new RoleIndex(ddb, 't').putTaskDefinition(entry)).toEqual({
      applied: true,
      previous: { roleArn: entry.executionRoleArn },
    });
    const tx = ddbMock.commandCalls(TransactWriteCommand).map((c) => c.args[0].input.TransactItems![0]!.Put!);
    expect(tx.map((p) => p.ExpressionAttributeValues?.[':v'])).toEqual([1, 2]);
    expect(tx.map((p) => p.Item!.version)).toEqual([2, 3]);
  });

  it('stops when the re-read shows a newer observation', async () => {
    ddbMock
      .on(GetCommand)
      .resolvesOnce({ Item: { observedAt: '2026-01-10T08:00:00.000Z', version: 1 } })
      .resolves({ Item: { observedAt: '2026-01-10T10:00:00.000Z', version: 2 } });
    ddbMock.on(TransactWriteCommand).rejects(canceled());
    expect(await new RoleIndex(ddb, 't').putTaskDefinition(entry)).toEqual({ applied: false, reason: 'stale', previous: {} });
    expect(ddbMock.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('gives up after a few lost races, and surfaces other failures at once, as AdapterError', async () => {
    ddbMock.on(GetCommand).resolves({});
    ddbMock.on(TransactWriteCommand).rejects(canceled());
    await expect(new RoleIndex(ddb, 't').putTaskDefinition(entry)).rejects.toMatchObject({
      name: 'AdapterError',
      operation: 'TransactWriteItems',
    });
    expect(ddbMock.commandCalls(TransactWriteCommand)).toHaveLength(5);

    ddbMock.reset();
    ddbMock.on(GetCommand).resolves({});
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    ddbMock.on(TransactWriteCommand).rejects(throttled);
    const err = await new RoleIndex(ddb, 't').putTaskDefinition(entry).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AdapterError);
    expect(err).toMatchObject({ cause: throttled });
    expect(ddbMock.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('refuses a timestamp that is not one', async () => {
    await expect(new RoleIndex(ddb, 't').putTaskDefinition({ ...entry, observedAt: 'yesterday' })).rejects.toMatchObject({
      name: 'InputError',
    });
  });
});
