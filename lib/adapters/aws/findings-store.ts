// A role's current findings and their history. `changed` tells the caller whether to notify: a re-delivered
// event that yields the same findings must not announce them again.
import {
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { FindingsMeta, FindingsRecord, FindingsStore, StoredRoleFacts } from '../../app/ports.js';
import type { Finding } from '../../engine/types.js';
import { canonicalInstant, decodeBody, encodeBody, expiresAfter } from './item-codec.js';
import { findingSetHash } from '../../engine/finding-set.js';
import { call, errorName } from './sdk-call.js';
import { keys } from './table-schema.js';

const lostRace = (err: unknown) => ['TransactionCanceledException', 'ConditionalCheckFailedException'].includes(errorName(err) ?? '');

type TxItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

const HISTORY_DAYS = 400;
const MAX_ATTEMPTS = 5;

export class DynamoFindingsStore implements FindingsStore {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** Stores the latest findings (unless something newer is stored) and appends history when the set differs. */
  /**
   * `pendingNotice`: the set did not change, but its announcement never went out (the publish failed after the
   * store): the caller publishes now and calls markNotified, so a notice is never lost to a retry.
   */
  async putCurrent(
    roleArn: string,
    findings: Finding[],
    meta: FindingsMeta,
    opts?: { current: FindingsRecord | undefined },
  ): Promise<{ changed: boolean; pendingNotice?: boolean }> {
    const at = canonicalInstant(meta.at, 'at');
    const setHash = findingSetHash(findings);
    const body = encodeBody(findings, `findings of ${roleArn}`);
    for (let attempt = 1; ; attempt++) {
      // The caller's fresh read saves this one; a stale one fails the version check below and is read again.
      const cur = attempt === 1 && opts ? opts.current : await this.currentItem(roleArn);
      if (cur && String(cur.at) > at) return { changed: false };
      // No record yet and nothing found: nothing to announce.
      const changed = cur ? cur.setHash !== setHash : findings.length > 0;
      const notified = changed ? false : cur?.notified !== false;
      const attrs = {
        at,
        intentHash: meta.intentHash,
        stateHash: meta.stateHash,
        setHash,
        count: findings.length,
        notified,
        ...(meta.facts ? { facts: meta.facts } : {}),
        ...body,
      };
      const items: TxItem[] = [
        {
          Put: {
            TableName: this.table,
            Item: { pk: keys.role(roleArn), sk: keys.findingsCurrent, roleArn, ...attrs, version: Number(cur?.version ?? 0) + 1 },
            ConditionExpression: cur ? 'version = :v' : 'attribute_not_exists(pk)',
            ...(cur ? { ExpressionAttributeValues: { ':v': cur.version } } : {}),
          },
        },
      ];
      if (changed) {
        items.push({
          Put: {
            TableName: this.table,
            Item: {
              pk: keys.role(roleArn),
              sk: keys.findingsHistory(at, setHash.slice(0, 16)),
              roleArn,
              ...attrs,
              expiresAt: expiresAfter(at, HISTORY_DAYS),
            },
          },
        });
      }
      try {
        await this.ddb.send(new TransactWriteCommand({ TransactItems: items }));
        return changed ? { changed } : { changed, ...(notified ? {} : { pendingNotice: true }) };
      } catch (err) {
        // Someone else wrote meanwhile: re-read and decide again.
        if (!(lostRace(err) && attempt < MAX_ATTEMPTS)) {
          return call('dynamodb', 'TransactWriteItems', () => Promise.reject(err));
        }
      }
    }
  }

  /** Records that the set with `setHash` was announced (a newer set keeps its own flag). */
  async markNotified(roleArn: string, findings: Finding[]): Promise<void> {
    try {
      await this.ddb.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: keys.role(roleArn), sk: keys.findingsCurrent },
          UpdateExpression: 'SET notified = :t',
          ConditionExpression: 'setHash = :h',
          ExpressionAttributeValues: { ':t': true, ':h': findingSetHash(findings) },
        }),
      );
    } catch (err) {
      if (errorName(err) !== 'ConditionalCheckFailedException') await call('dynamodb', 'UpdateItem', () => Promise.reject(err));
    }
  }

  async current(roleArn: string): Promise<FindingsRecord | undefined> {
    const item = await this.currentItem(roleArn);
    return item ? toRecord(item) : undefined;
  }

  /** Past finding sets, newest first. */
  async history(roleArn: string, limit = 20): Promise<FindingsRecord[]> {
    const res = await call('dynamodb', 'Query', () =>
      this.ddb.send(
        new QueryCommand({
          TableName: this.table,
          // History keys start FINDINGS#<year>…; `:` sorts after every digit and before `C` of CURRENT.
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lo AND :hi',
          ExpressionAttributeValues: { ':pk': keys.role(roleArn), ':lo': 'FINDINGS#0', ':hi': 'FINDINGS#:' },
          ScanIndexForward: false,
          Limit: limit,
        }),
      ),
    );
    return (res.Items ?? []).map(toRecord);
  }

  private async currentItem(roleArn: string): Promise<Record<string, unknown> | undefined> {
    const res = await call('dynamodb', 'GetItem', () =>
      this.ddb.send(
        new GetCommand({ TableName: this.table, Key: { pk: keys.role(roleArn), sk: keys.findingsCurrent }, ConsistentRead: true }),
      ),
    );
    return res.Item;
  }
}

export function toRecord(item: Record<string, unknown>): FindingsRecord {
  return {
    roleArn: String(item.roleArn),
    at: String(item.at),
    intentHash: String(item.intentHash),
    stateHash: String(item.stateHash),
    setHash: String(item.setHash),
    findings: decodeBody<Finding[]>(item),
    ...(typeof item.version === 'number' ? { version: item.version } : {}),
    ...(typeof item.notified === 'boolean' ? { notified: item.notified } : {}),
    ...(item.facts && typeof item.facts === 'object' ? { facts: item.facts as StoredRoleFacts } : {}),
  };
}
