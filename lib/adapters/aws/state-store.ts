// Remediation bookkeeping in the single table: role-state snapshots (for rollback), change intents (one open change
// per role), single-use markers (approvals, tokens), pending plans and watch windows. Bodies are stored as JSON strings
// so they come back byte-identical.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ChangeIntent, ChangeIntents, ChangeOutcome, Snapshots, StoredState, Watches } from '../../app/ports.js';
import { isoOf, type Watch } from '../../engine/role/watch.js';
import type { RoleState } from '../../engine/types.js';
import { AdapterError, ConflictError } from '../../errors.js';
import { decodeBody, encodeBody } from './item-codec.js';
import { call, errorMessage, errorName } from './sdk-call.js';
import { GSI1, keys } from './table-schema.js';
import { queryItems } from './query-items.js';

const STATE_PREFIX = 'STATE#';
const WATCH_SK = 'WATCH';
const WATCH_INDEX_PK = 'WATCH';
const CHANGE_SK = 'CHANGE';
/** An open change older than this is a writer that died (Lambda's longest timeout is 15 minutes): it no longer blocks. */
const STALE_CHANGE_MS = 15 * 60_000;

/** Writes an item that must not exist yet (the records table is append-only); false when it already does. */
export async function putNew(ddb: DynamoDBDocumentClient, table: string, item: Record<string, unknown>): Promise<boolean> {
  try {
    await ddb.send(new PutCommand({ TableName: table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw new AdapterError(`${errorName(err) || 'Error'}: ${errorMessage(err)}`, 'dynamodb', 'PutItem', { cause: err });
  }
}

export const epochSeconds = (time: string): number => Math.floor(Date.parse(time) / 1000);

export const isConditionFailure = (err: unknown): boolean =>
  err instanceof ConditionalCheckFailedException || (err as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException';

export abstract class TableStore {
  constructor(
    protected readonly ddb: DynamoDBDocumentClient,
    protected readonly tableName: string,
  ) {}
}

export class DynamoSnapshots extends TableStore implements Snapshots {
  /** Append-only (records table): a snapshot is never overwritten; the same state stored twice in one instant is one. */
  async put(state: RoleState, hash: string, at: string): Promise<StoredState> {
    const iso = isoOf(at);
    const id = `${iso}#${hash}`;
    const item = {
      pk: keys.role(state.roleArn),
      sk: `${STATE_PREFIX}${id}`,
      roleArn: state.roleArn,
      at: iso,
      hash,
      state: JSON.stringify(state),
    };
    const fresh = await putNew(this.ddb, this.tableName, item);
    if (!fresh) {
      const existing = await this.get(state.roleArn, id);
      if (existing?.hash !== hash || existing.state === undefined)
        throw new ConflictError(`snapshot ${id} of ${state.roleArn} exists with other content`);
    }
    return { id, roleArn: state.roleArn, at: iso, hash, state };
  }

  async latest(roleArn: string): Promise<StoredState | undefined> {
    const res = await this.queryStates(roleArn, 1);
    return res[0];
  }

  async get(roleArn: string, id: string): Promise<StoredState | undefined> {
    const res = await call('dynamodb', 'GetItem', () =>
      this.ddb.send(
        new GetCommand({ TableName: this.tableName, Key: { pk: keys.role(roleArn), sk: `${STATE_PREFIX}${id}` }, ConsistentRead: true }),
      ),
    );
    return res.Item ? toStored(res.Item) : undefined;
  }

  /** Newest first. */
  list(roleArn: string, limit?: number): Promise<StoredState[]> {
    return this.queryStates(roleArn, limit);
  }

  private async queryStates(roleArn: string, limit?: number): Promise<StoredState[]> {
    const items = await queryItems(
      this.ddb,
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :s)',
        ExpressionAttributeValues: { ':pk': keys.role(roleArn), ':s': STATE_PREFIX },
        ScanIndexForward: false,
        ConsistentRead: true,
      },
      limit,
    );
    return items.map(toStored);
  }
}

export class DynamoWatches extends TableStore implements Watches {
  async open(w: Watch): Promise<void> {
    const until = isoOf(w.until);
    await call('dynamodb', 'PutItem', () =>
      this.ddb.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: keys.role(w.roleArn),
            sk: WATCH_SK,
            // With the policies before and after the apply it can be large: compressed when it is.
            ...encodeBody({ ...w, until, openedAt: isoOf(w.openedAt) }, `watch of ${w.roleArn}`),
            // Kept a day past the window so a late denial can still be told "window closed" from "never watched".
            expiresAt: epochSeconds(until) + 86_400,
            gsi1pk: WATCH_INDEX_PK,
            gsi1sk: `${until}#${w.roleArn}`,
          },
        }),
      ),
    );
  }

  async get(roleArn: string): Promise<Watch | undefined> {
    const res = await call('dynamodb', 'GetItem', () =>
      this.ddb.send(new GetCommand({ TableName: this.tableName, Key: { pk: keys.role(roleArn), sk: WATCH_SK }, ConsistentRead: true })),
    );
    if (!res.Item) return undefined;
    // Items written before the change was recorded hold the watch as `watch`.
    return typeof res.Item.watch === 'string' ? (JSON.parse(res.Item.watch) as Watch) : decodeBody<Watch>(res.Item);
  }

  async close(roleArn: string): Promise<void> {
    await call('dynamodb', 'DeleteItem', () =>
      this.ddb.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: keys.role(roleArn), sk: WATCH_SK } })),
    );
  }

  /** Roles whose watch window ended before `now` (gsi1 is keys-only: the role comes from `pk`). */
  async expired(now: string): Promise<string[]> {
    const items = await queryItems(this.ddb, {
      TableName: this.tableName,
      IndexName: GSI1,
      KeyConditionExpression: 'gsi1pk = :w AND gsi1sk < :now',
      ExpressionAttributeValues: { ':w': WATCH_INDEX_PK, ':now': isoOf(now) },
    });
    return items.map((item) => String(item.pk).slice(keys.role('').length));
  }
}

export class DynamoChangeIntents extends TableStore implements ChangeIntents {
  async begin(intent: ChangeIntent): Promise<void> {
    const at = isoOf(intent.at);
    const staleBefore = new Date(Date.parse(at) - STALE_CHANGE_MS).toISOString();
    try {
      await this.ddb.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: keys.role(intent.roleArn), sk: CHANGE_SK, id: intent.id, at, intent: JSON.stringify({ ...intent, at }) },
          ConditionExpression: 'attribute_not_exists(pk) OR attribute_exists(outcome) OR #at < :stale',
          ExpressionAttributeNames: { '#at': 'at' },
          ExpressionAttributeValues: { ':stale': staleBefore },
        }),
      );
    } catch (err) {
      if (!isConditionFailure(err))
        throw new AdapterError(`${errorName(err) || 'Error'}: ${errorMessage(err)}`, 'dynamodb', 'PutItem', { cause: err });
      const open = await this.last(intent.roleArn);
      throw new ConflictError(
        `another change of ${intent.roleArn} is in progress (${open?.kind ?? 'change'} ${open?.id ?? '?'} by ${open?.actor ?? '?'} since ${open?.at ?? '?'})`,
      );
    }
  }

  async end(roleArn: string, id: string, outcome: ChangeOutcome, at: string): Promise<void> {
    try {
      await this.ddb.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: keys.role(roleArn), sk: CHANGE_SK },
          UpdateExpression: 'SET outcome = :o, endedAt = :e',
          ConditionExpression: 'id = :id',
          ExpressionAttributeValues: { ':o': outcome, ':e': isoOf(at), ':id': id },
        }),
      );
    } catch (err) {
      // Another change took the slot after this one went stale: that one's record stays as it is.
      if (!isConditionFailure(err))
        throw new AdapterError(`${errorName(err) || 'Error'}: ${errorMessage(err)}`, 'dynamodb', 'UpdateItem', { cause: err });
    }
  }

  async last(roleArn: string): Promise<ChangeIntent | undefined> {
    const res = await call('dynamodb', 'GetItem', () =>
      this.ddb.send(new GetCommand({ TableName: this.tableName, Key: { pk: keys.role(roleArn), sk: CHANGE_SK }, ConsistentRead: true })),
    );
    if (!res.Item) return undefined;
    const intent = JSON.parse(String(res.Item.intent)) as ChangeIntent;
    return {
      ...intent,
      ...(typeof res.Item.outcome === 'string' ? { outcome: res.Item.outcome as ChangeOutcome } : {}),
      ...(typeof res.Item.endedAt === 'string' ? { endedAt: res.Item.endedAt } : {}),
    };
  }
}

function toStored(item: Record<string, unknown>): StoredState {
  const at = String(item.at);
  const hash = String(item.hash);
  return { id: `${at}#${hash}`, roleArn: String(item.roleArn), at, hash, state: JSON.parse(String(item.state)) as RoleState };
}
