// The harness's stand-in for DynamoDB's per-item atomicity (test/support/moto-serial.ts): through the clients every
// test builds from moto.config(), concurrent conditional increments never pass their cap. Without the serializing
// handler moto let 6 or 7 of 50 through a cap of 5 in 2 of 20 runs: if the handler stopped reaching the clients
// (makeClients dropping `requestHandler`, a client built another way), this would fail most runs.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { makeClients } from '../../../lib/adapters/aws/clients.js';
import { createTables } from '../../../lib/dev/account-seed.js';
import { useMoto } from '../../support/moto.js';

const moto = useMoto();
const CAP = 5;

async function raceOnce(ddb: DynamoDBDocumentClient, pk: string): Promise<number> {
  const results = await Promise.allSettled(
    Array.from({ length: 50 }, () =>
      ddb.send(
        new UpdateCommand({
          TableName: 'serial',
          Key: { pk, sk: 'C' },
          UpdateExpression: 'SET c = if_not_exists(c, :zero) + :one',
          ConditionExpression: 'attribute_not_exists(c) OR c < :cap',
          ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':cap': CAP },
        }),
      ),
    ),
  );
  for (const r of results) if (r.status === 'rejected') expect((r.reason as Error).name).toBe('ConditionalCheckFailedException');
  return results.filter((r) => r.status === 'fulfilled').length;
}

describe('DynamoDB on moto in the tests: one conditional write at a time, as on one DynamoDB item', () => {
  it('50 concurrent conditional increments take exactly the cap, every time, from makeClients and a plain client', async () => {
    const c = makeClients(moto.config());
    await createTables(c.ddb, 'serial');
    const plain = DynamoDBDocumentClient.from(new DynamoDBClient(moto.config()));
    const counts: number[] = [];
    for (let run = 0; run < 8; run++) counts.push(await raceOnce(run % 2 ? plain : c.ddb, `counter-${run}`));
    expect(counts).toEqual(Array.from({ length: 8 }, () => CAP));
  });
});
