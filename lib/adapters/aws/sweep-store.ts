// Sweep bookkeeping: which revisions are already indexed (batched pointer reads, since revisions are immutable
// and need no second describe), the pages of live revisions seen by a sweep, and the resumable cursor.
import { BatchGetCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { IndexedPointer, SweepStore } from '../../app/ports.js';
import { chunk } from '../../engine/concurrency.js';
import { expiresAfter } from './item-codec.js';
import { call } from './sdk-call.js';
import { keys } from './table-schema.js';

export class DynamoSweepStore implements SweepStore {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly table: string,
    /** One sweep per account: its cursor and pages are kept apart by this scope. */
    private readonly scope = 'home',
  ) {}

  /** Pointers for up to any number of revisions, read 100 at a time (BatchGetItem's limit). */
  async pointers(arns: string[]): Promise<Map<string, IndexedPointer>> {
    const out = new Map<string, IndexedPointer>();
    for (const batch of chunk(arns, 100)) {
      let request: Record<string, { Keys: Record<string, unknown>[] }> | undefined = {
        [this.table]: { Keys: batch.map((a) => ({ pk: keys.taskDefinition(a), sk: keys.meta })) },
      };
      for (let attempt = 0; request && Object.keys(request).length && attempt < 8; attempt++) {
        const res = await call('dynamodb', 'BatchGetItem', () => this.ddb.send(new BatchGetCommand({ RequestItems: request })));
        for (const item of res.Responses?.[this.table] ?? []) out.set(String(item.pk).slice(3), item as IndexedPointer);
        request = res.UnprocessedKeys as typeof request;
        if (request && Object.keys(request).length) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      }
    }
    return out;
  }

  async putLivePage(sweepId: string, page: number, arns: string[], at: string): Promise<void> {
    await call('dynamodb', 'PutItem', () =>
      this.ddb.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: `SWEEP#${this.scope}#${sweepId}`, sk: `PAGE#${String(page).padStart(6, '0')}`, arns, expiresAt: expiresAfter(at, 7) },
        }),
      ),
    );
  }

  async livePages(sweepId: string, pages: number): Promise<Set<string>> {
    const live = new Set<string>();
    const ids = Array.from({ length: pages }, (_, i) => i);
    for (const batch of chunk(ids, 100)) {
      const res = await call('dynamodb', 'BatchGetItem', () =>
        this.ddb.send(
          new BatchGetCommand({
            RequestItems: {
              [this.table]: {
                Keys: batch.map((i) => ({ pk: `SWEEP#${this.scope}#${sweepId}`, sk: `PAGE#${String(i).padStart(6, '0')}` })),
              },
            },
          }),
        ),
      );
      for (const item of res.Responses?.[this.table] ?? []) for (const a of item.arns as string[]) live.add(a);
    }
    return live;
  }

  async getCursor(): Promise<string | undefined> {
    const res = await call('dynamodb', 'GetItem', () =>
      this.ddb.send(new GetCommand({ TableName: this.table, Key: { pk: 'SWEEP', sk: keys.cursor(this.scope) }, ConsistentRead: true })),
    );
    return typeof res.Item?.cursor === 'string' ? res.Item.cursor : undefined;
  }

  async putCursor(cursor: string): Promise<void> {
    await call('dynamodb', 'PutItem', () =>
      this.ddb.send(new PutCommand({ TableName: this.table, Item: { pk: 'SWEEP', sk: keys.cursor(this.scope), cursor } })),
    );
  }
}
