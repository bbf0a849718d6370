// One Query reads a role's whole partition: its index entries (TD#), evidence (DENIAL#, USE#), current findings with
// the stored facts (FINDINGS#CURRENT) and the revisions that name it as their task role (TASKUSE#). The findings
// history shares the partition and is left out by the filter (a history item has a setHash and no version).
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RoleRecord, RoleRecords } from '../../app/ports.js';
import { isLive } from '../../engine/assess.js';
import type { Denial, Use } from '../../engine/evidence/types.js';
import { toRecord } from './findings-store.js';
import { queryItems } from './query-items.js';
import { toEntry } from './role-index.js';
import { keys } from './table-schema.js';

export class DynamoRoleRecords implements RoleRecords {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async read(roleArn: string): Promise<RoleRecord> {
    const items = await queryItems(this.ddb, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      FilterExpression: 'attribute_not_exists(setHash) OR attribute_exists(version)',
      ExpressionAttributeValues: { ':pk': keys.role(roleArn) },
      ConsistentRead: true,
    });
    const out: RoleRecord = { entries: [], denials: [], uses: [], taskRoleUses: [] };
    for (const item of items) {
      const sk = String(item.sk);
      if (sk.startsWith('TD#')) out.entries.push(toEntry(item));
      else if (sk.startsWith('DENIAL#')) out.denials.push(item.denial as Denial);
      else if (sk.startsWith('USE#')) out.uses.push(item.use as Use);
      else if (sk === keys.findingsCurrent) out.findings = toRecord(item);
      else if (sk.startsWith('TASKUSE#') && isLive({ status: String(item.status), inUse: item.inUse === true })) {
        out.taskRoleUses.push({ taskDefinitionArn: String(item.taskDefinitionArn), taskRoleArn: String(item.taskRoleArn) });
      }
    }
    return out;
  }
}
