// One writer per role: a lease item per role in the main table, taken with a conditional write (free, expired, or
// already this holder's) and released only by its holder. Applies and rollbacks (the watch's included) take it.
import { DeleteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RoleLocks } from '../../app/ports.js';
import { AdapterError } from '../../errors.js';
import { errorMessage, errorName } from './sdk-call.js';
import { epochSeconds, isConditionFailure } from './state-store.js';
import { keys } from './table-schema.js';

const LEASE_SK = 'LEASE';

export class DynamoRoleLocks implements RoleLocks {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async acquire(roleArn: string, holder: string, now: string, ttlMs: number): Promise<boolean> {
    const until = new Date(Date.parse(now) + ttlMs).toISOString();
    try {
      await this.ddb.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: keys.role(roleArn), sk: LEASE_SK, holder, until, expiresAt: epochSeconds(until) + 86_400 },
          ConditionExpression: 'attribute_not_exists(pk) OR #u < :now OR holder = :h',
          ExpressionAttributeNames: { '#u': 'until' },
          ExpressionAttributeValues: { ':now': new Date(Date.parse(now)).toISOString(), ':h': holder },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw new AdapterError(`${errorName(err) || 'Error'}: ${errorMessage(err)}`, 'dynamodb', 'PutItem', { cause: err });
    }
  }

  async release(roleArn: string, holder: string): Promise<void> {
    try {
      await this.ddb.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { pk: keys.role(roleArn), sk: LEASE_SK },
          ConditionExpression: 'holder = :h',
          ExpressionAttributeValues: { ':h': holder },
        }),
      );
    } catch (err) {
      // Taken over after it expired: that holder's lease stays.
      if (!isConditionFailure(err))
        throw new AdapterError(`${errorName(err) || 'Error'}: ${errorMessage(err)}`, 'dynamodb', 'DeleteItem', { cause: err });
    }
  }
}
