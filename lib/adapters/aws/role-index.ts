// Which task definitions name which execution role, with each revision's own share of the intent. The event path
// reads a role's intent from here instead of describing every revision in the Region.
//
// Items: `ROLE#<role> / TD#<td>` (the entry), `TASKROLE#<account>#<name> / TD#<td>` (the revision names that role as
// its task role) and `TD#<td> / META` (a pointer holding both roles, the layout version and a write version).
// Every write is one transaction guarded by the pointer's version, and nothing older than what is stored (by
// `observedAt`) is ever written: EventBridge delivers at least once and out of order.
import {
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { INDEX_SCHEMA, type Cursors, type RoleIndex, type TaskRoleUse, type WriteOutcome } from '../../app/ports.js';
import { isLive } from '../../engine/assess.js';
import { parseArn } from '../../engine/arn.js';
import type { IndexEntry, Lookup, Requirement } from '../../engine/types.js';
import { canonicalInstant, decodeBody, encodeBody, expiresAfter } from './item-codec.js';
import { call, errorName } from './sdk-call.js';
import { GSI1, keys } from './table-schema.js';
import { queryItems } from './query-items.js';

interface Pointer {
  roleArn?: string;
  taskRoleArn?: string;
  schema?: number;
  observedAt: string;
  version: number;
  deleted?: boolean;
}

type TxItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

const MAX_ATTEMPTS = 5;
/** A removed revision leaves a tombstone this long, so a late duplicate event cannot bring it back. */
const TOMBSTONE_DAYS = 30;

function lostRace(err: unknown): boolean {
  return errorName(err) === 'TransactionCanceledException' || errorName(err) === 'ConditionalCheckFailedException';
}

export class DynamoRoleIndex implements RoleIndex {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async putTaskDefinition(entry: IndexEntry, opts: { expectNew?: boolean } = {}): Promise<WriteOutcome> {
    const observedAt = canonicalInstant(entry.observedAt ?? new Date().toISOString(), 'observedAt');
    const body = encodeBody(
      { requirements: entry.requirements, unresolved: entry.unresolved ?? [] },
      `requirements of ${entry.taskDefinitionArn}`,
    );
    const role = entry.executionRoleArn;
    const taskRole = entry.taskRoleArn;
    return this.withPointer(entry.taskDefinitionArn, observedAt, opts, (ptr) => {
      const oldRole = ptr && !ptr.deleted ? ptr.roleArn : undefined;
      const oldTaskRole = ptr && !ptr.deleted ? ptr.taskRoleArn : undefined;
      const items: TxItem[] = [
        this.putPointer(entry.taskDefinitionArn, ptr, {
          ...(role ? { roleArn: role } : {}),
          ...(taskRole ? { taskRoleArn: taskRole } : {}),
          status: entry.status,
          observedAt,
          schema: INDEX_SCHEMA,
        }),
      ];
      if (role) {
        items.push({
          Put: {
            TableName: this.table,
            Item: {
              pk: keys.role(role),
              sk: keys.taskDefinition(entry.taskDefinitionArn),
              gsi1pk: keys.roleTaskDefinitions,
              gsi1sk: `${role}#${entry.taskDefinitionArn}`,
              taskDefinitionArn: entry.taskDefinitionArn,
              family: entry.family,
              revision: entry.revision,
              status: entry.status,
              executionRoleArn: role,
              ...(taskRole ? { taskRoleArn: taskRole } : {}),
              inUse: entry.inUse ?? false,
              registeredAt: entry.registeredAt,
              observedAt,
              ...body,
            },
          },
        });
      }
      // The revision's role changed (or it has none now): its entry moves.
      if (oldRole && oldRole !== role) items.push(this.deleteEntry(oldRole, entry.taskDefinitionArn));
      const taskKey = taskRole ? taskRoleKey(taskRole) : undefined;
      if (taskRole && taskKey) {
        // Also in the role's own partition (this ARN form), so one Query of that partition sees the use.
        items.push({
          Put: {
            TableName: this.table,
            Item: {
              pk: keys.role(taskRole),
              sk: keys.taskRoleUse(entry.taskDefinitionArn),
              taskDefinitionArn: entry.taskDefinitionArn,
              taskRoleArn: taskRole,
              status: entry.status,
              inUse: entry.inUse ?? false,
              observedAt,
            },
          },
        });
        items.push({
          Put: {
            TableName: this.table,
            Item: {
              pk: taskKey,
              sk: keys.taskDefinition(entry.taskDefinitionArn),
              taskDefinitionArn: entry.taskDefinitionArn,
              taskRoleArn: taskRole,
              status: entry.status,
              inUse: entry.inUse ?? false,
              observedAt,
            },
          },
        });
      }
      const oldTaskKey = oldTaskRole ? taskRoleKey(oldTaskRole) : undefined;
      if (oldTaskKey && oldTaskKey !== taskKey) items.push(this.deleteTaskRole(oldTaskKey, entry.taskDefinitionArn));
      if (oldTaskRole && oldTaskRole !== taskRole) items.push(this.deleteTaskRoleUse(oldTaskRole, entry.taskDefinitionArn));
      return items;
    });
  }

  async markStatus(taskDefinitionArn: string, status: string, inUse: boolean, observedAt?: string): Promise<WriteOutcome> {
    const at = canonicalInstant(observedAt ?? new Date().toISOString(), 'observedAt');
    return withoutPrevious(
      this.withPointer(taskDefinitionArn, at, {}, (ptr) => {
        if (!ptr || ptr.deleted) return undefined;
        const kept = {
          ...(ptr.roleArn ? { roleArn: ptr.roleArn } : {}),
          ...(ptr.taskRoleArn ? { taskRoleArn: ptr.taskRoleArn } : {}),
          ...(ptr.schema !== undefined ? { schema: ptr.schema } : {}),
        };
        const items: TxItem[] = [this.putPointer(taskDefinitionArn, ptr, { ...kept, status, observedAt: at })];
        const taskKey = ptr.taskRoleArn ? taskRoleKey(ptr.taskRoleArn) : undefined;
        if (taskKey) {
          items.push({
            Update: {
              TableName: this.table,
              Key: { pk: taskKey, sk: keys.taskDefinition(taskDefinitionArn) },
              UpdateExpression: 'SET #s = :s, inUse = :u, observedAt = :o',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeNames: { '#s': 'status' },
              ExpressionAttributeValues: { ':s': status, ':u': inUse, ':o': at },
            },
          });
          // Written whole (no condition): a revision indexed before this item existed gets it now.
          items.push({
            Update: {
              TableName: this.table,
              Key: { pk: keys.role(ptr.taskRoleArn!), sk: keys.taskRoleUse(taskDefinitionArn) },
              UpdateExpression: 'SET #s = :s, inUse = :u, observedAt = :o, taskDefinitionArn = :t, taskRoleArn = :r',
              ExpressionAttributeNames: { '#s': 'status' },
              ExpressionAttributeValues: { ':s': status, ':u': inUse, ':o': at, ':t': taskDefinitionArn, ':r': ptr.taskRoleArn },
            },
          });
        }
        if (ptr.roleArn) {
          items.push({
            Update: {
              TableName: this.table,
              Key: { pk: keys.role(ptr.roleArn), sk: keys.taskDefinition(taskDefinitionArn) },
              UpdateExpression: 'SET #s = :s, inUse = :u, observedAt = :o',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeNames: { '#s': 'status' },
              ExpressionAttributeValues: { ':s': status, ':u': inUse, ':o': at },
            },
          });
        }
        return items;
      }),
    );
  }

  /** Drops the revision (e.g. DeleteTaskDefinitions), leaving a tombstone that expires after 30 days. */
  async remove(taskDefinitionArn: string, observedAt?: string): Promise<WriteOutcome> {
    const at = canonicalInstant(observedAt ?? new Date().toISOString(), 'observedAt');
    return withoutPrevious(
      this.withPointer(taskDefinitionArn, at, {}, (ptr) => {
        const items: TxItem[] = [
          this.putPointer(taskDefinitionArn, ptr, { deleted: true, observedAt: at, expiresAt: expiresAfter(at, TOMBSTONE_DAYS) }),
        ];
        if (ptr?.roleArn && !ptr.deleted) items.push(this.deleteEntry(ptr.roleArn, taskDefinitionArn));
        const taskKey = ptr?.taskRoleArn && !ptr.deleted ? taskRoleKey(ptr.taskRoleArn) : undefined;
        if (taskKey)
          items.push(this.deleteTaskRole(taskKey, taskDefinitionArn), this.deleteTaskRoleUse(ptr!.taskRoleArn!, taskDefinitionArn));
        return items;
      }),
    );
  }

  async roleOfTaskDefinition(taskDefinitionArn: string): Promise<string | undefined> {
    const ptr = await this.pointer(taskDefinitionArn);
    return ptr && !ptr.deleted ? ptr.roleArn : undefined;
  }

  async executionRoleOf(taskDefinitionArn: string): Promise<string | null | undefined> {
    const ptr = await this.pointer(taskDefinitionArn);
    if (!ptr || ptr.deleted) return undefined;
    return ptr.roleArn ?? null;
  }

  async taskRoleUses(roleArn: string): Promise<TaskRoleUse[]> {
    const key = taskRoleKey(roleArn);
    if (!key) return [];
    const items = await this.query({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :td)',
      ExpressionAttributeValues: { ':pk': key, ':td': 'TD#' },
      ConsistentRead: true,
    });
    return items
      .filter((i) => isLive({ status: String(i.status), inUse: i.inUse === true }))
      .map((i) => ({ taskDefinitionArn: String(i.taskDefinitionArn), taskRoleArn: String(i.taskRoleArn) }));
  }

  async get(taskDefinitionArn: string): Promise<IndexEntry | undefined> {
    const role = await this.roleOfTaskDefinition(taskDefinitionArn);
    if (!role) return undefined;
    const res = await call('dynamodb', 'GetItem', () =>
      this.ddb.send(
        new GetCommand({
          TableName: this.table,
          Key: { pk: keys.role(role), sk: keys.taskDefinition(taskDefinitionArn) },
          ConsistentRead: true,
        }),
      ),
    );
    return res.Item ? toEntry(res.Item) : undefined;
  }

  async entriesForRole(roleArn: string): Promise<IndexEntry[]> {
    const items = await this.query({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :td)',
      ExpressionAttributeValues: { ':pk': keys.role(roleArn), ':td': 'TD#' },
      ConsistentRead: true,
    });
    return items.map(toEntry);
  }

  /** Every role that at least one indexed revision names, sorted. */
  async allRoles(): Promise<string[]> {
    const items = await this.query({
      IndexName: GSI1,
      KeyConditionExpression: 'gsi1pk = :p',
      ExpressionAttributeValues: { ':p': keys.roleTaskDefinitions },
    });
    return [...new Set(items.map((i) => String(i.pk).slice('ROLE#'.length)))].sort();
  }

  /**
   * Reads the pointer, asks `plan` for the writes, and commits them only if the pointer did not move meanwhile. With
   * `expectNew` the first attempt skips the read and writes only if no pointer exists (a fresh registration).
   */
  private async withPointer(
    taskDefinitionArn: string,
    observedAt: string,
    opts: { expectNew?: boolean },
    plan: (ptr: Pointer | undefined) => TxItem[] | undefined,
  ): Promise<WriteOutcome> {
    for (let attempt = 1; ; attempt++) {
      const ptr = attempt === 1 && opts.expectNew ? undefined : await this.pointer(taskDefinitionArn);
      if (ptr && ptr.observedAt > observedAt) return { applied: false, reason: 'stale', previous: previousOf(ptr) };
      const items = plan(ptr);
      if (!items) return { applied: false, reason: 'unknown' };
      try {
        await this.ddb.send(new TransactWriteCommand({ TransactItems: items }));
        return { applied: true, previous: previousOf(ptr) };
      } catch (err) {
        if (!lostRace(err) || attempt >= MAX_ATTEMPTS) return call('dynamodb', 'TransactWriteItems', () => Promise.reject(err));
      }
    }
  }

  private putPointer(taskDefinitionArn: string, prev: Pointer | undefined, fields: Record<string, unknown>): TxItem {
    return {
      Put: {
        TableName: this.table,
        Item: { pk: keys.taskDefinition(taskDefinitionArn), sk: keys.meta, ...fields, version: (prev?.version ?? 0) + 1 },
        ConditionExpression: prev ? 'version = :v' : 'attribute_not_exists(pk)',
        ...(prev ? { ExpressionAttributeValues: { ':v': prev.version } } : {}),
      },
    };
  }

  private deleteTaskRole(key: string, taskDefinitionArn: string): TxItem {
    return { Delete: { TableName: this.table, Key: { pk: key, sk: keys.taskDefinition(taskDefinitionArn) } } };
  }

  private deleteTaskRoleUse(taskRoleArn: string, taskDefinitionArn: string): TxItem {
    return { Delete: { TableName: this.table, Key: { pk: keys.role(taskRoleArn), sk: keys.taskRoleUse(taskDefinitionArn) } } };
  }

  private deleteEntry(roleArn: string, taskDefinitionArn: string): TxItem {
    return { Delete: { TableName: this.table, Key: { pk: keys.role(roleArn), sk: keys.taskDefinition(taskDefinitionArn) } } };
  }

  private async pointer(taskDefinitionArn: string): Promise<Pointer | undefined> {
    const res = await call('dynamodb', 'GetItem', () =>
      this.ddb.send(
        new GetCommand({ TableName: this.table, Key: { pk: keys.taskDefinition(taskDefinitionArn), sk: keys.meta }, ConsistentRead: true }),
      ),
    );
    return res.Item as Pointer | undefined;
  }

  private query(input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey' | 'Limit'>): Promise<Record<string, unknown>[]> {
    return queryItems(this.ddb, { TableName: this.table, ...input });
  }
}

/** The task-role key of a role ARN (undefined for anything that is not an IAM role ARN with an account). */
function taskRoleKey(roleArn: string): string | undefined {
  const arn = parseArn(roleArn);
  if (!arn || arn.service !== 'iam' || !arn.account || !arn.resource.startsWith('role/')) return undefined;
  return keys.taskRole(arn.account, arn.resource.split('/').pop() ?? '');
}

async function withoutPrevious(outcome: Promise<WriteOutcome>): Promise<WriteOutcome> {
  const { previous: _previous, ...rest } = await outcome;
  return rest;
}

function previousOf(ptr: Pointer | undefined): NonNullable<WriteOutcome['previous']> {
  if (!ptr || ptr.deleted) return {};
  return { ...(ptr.roleArn ? { roleArn: ptr.roleArn } : {}), ...(ptr.taskRoleArn ? { taskRoleArn: ptr.taskRoleArn } : {}) };
}

export function toEntry(item: Record<string, unknown>): IndexEntry {
  const { requirements, unresolved } = decodeBody<{ requirements: Requirement[]; unresolved: Lookup[] }>(item);
  return {
    taskDefinitionArn: String(item.taskDefinitionArn),
    family: String(item.family),
    revision: Number(item.revision),
    status: String(item.status),
    ...(typeof item.executionRoleArn === 'string' ? { executionRoleArn: item.executionRoleArn } : {}),
    ...(typeof item.taskRoleArn === 'string' ? { taskRoleArn: item.taskRoleArn } : {}),
    requirements,
    unresolved,
    ...(typeof item.registeredAt === 'string' ? { registeredAt: item.registeredAt } : {}),
    inUse: item.inUse === true,
    observedAt: String(item.observedAt),
  };
}

/** Named cursors (`CURSOR#<name>` / META): the evidence backfill's resumption point per account. */
export class DynamoCursors implements Cursors {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async get(name: string): Promise<string | undefined> {
    const res = await call('dynamodb', 'GetItem', () =>
      this.ddb.send(new GetCommand({ TableName: this.table, Key: { pk: keys.cursor(name), sk: keys.meta }, ConsistentRead: true })),
    );
    return typeof res.Item?.cursor === 'string' && res.Item.cursor ? res.Item.cursor : undefined;
  }

  async put(name: string, cursor: string | undefined): Promise<void> {
    await call('dynamodb', 'PutItem', () =>
      this.ddb.send(new PutCommand({ TableName: this.table, Item: { pk: keys.cursor(name), sk: keys.meta, cursor: cursor ?? '' } })),
    );
  }
}
