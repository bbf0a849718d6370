// Append-only record of every remediation decision and change: who, why, and the state hashes around it.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEntry, AuditLog } from '../../app/ports.js';
import { AdapterError } from '../../errors.js';
import { errorMessage, errorName } from './sdk-call.js';
import { keys } from './table-schema.js';
import { queryItems } from './query-items.js';

const PREFIX = 'AUDIT#';
// Entries in the same instant get 0000, 0001, …: the conditional put picks the next free number, so
// concurrent writers never overwrite each other and order within an instant is kept.
const MAX_PER_INSTANT = 10_000;

export class DynamoAuditLog implements AuditLog {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(entry: AuditEntry): Promise<AuditEntry> {
    const at = new Date(entry.at).toISOString();
    const stored = { ...entry, at };
    for (let n = 0; n < MAX_PER_INSTANT; n++) {
      try {
        await this.ddb.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              pk: keys.role(entry.roleArn),
              sk: `${PREFIX}${at}#${String(n).padStart(4, '0')}`,
              entry: JSON.stringify(stored),
            },
            ConditionExpression: 'attribute_not_exists(sk)',
          }),
        );
        return stored;
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException || errorName(err) === 'ConditionalCheckFailedException') continue;
        throw new AdapterError(`${errorName(err) || 'Error'}: ${errorMessage(err)}`, 'dynamodb', 'PutItem', { cause: err });
      }
    }
    throw new AdapterError(`more than ${MAX_PER_INSTANT} audit entries at ${at}`, 'dynamodb', 'PutItem');
  }

  /** Newest first; `limit` caps how many are returned. */
  async history(roleArn: string, limit?: number): Promise<AuditEntry[]> {
    const items = await queryItems(
      this.ddb,
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :a)',
        ExpressionAttributeValues: { ':pk': keys.role(roleArn), ':a': PREFIX },
        ScanIndexForward: false,
        ConsistentRead: true,
      },
      limit,
    );
    return items.map((item) => JSON.parse(String(item.entry)) as AuditEntry);
  }
}
