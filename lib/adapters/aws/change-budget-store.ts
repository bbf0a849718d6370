// The change budget in the single table: one counter item per account (`ACCOUNT#<id>` / `CHANGE-BUDGET`) updated only
// by the conditional UpdateItems engine/plan/change-budget.ts spells out, so two invocations can never both take the
// last change; and the roles deferred when it was spent (`CHANGE-BUDGET#DEFERRED` / `<role>`), with when to retry them.
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { BudgetSpend, ChangeBudget } from '../../app/ports.js';
import { budgetDecision, budgetRelease, budgetUpdates, type BudgetSettings, type BudgetUpdate } from '../../engine/plan/change-budget.js';
import { canonicalInstant, expiresAfter } from './item-codec.js';
import { call, errorName } from './sdk-call.js';
import { queryItems } from './query-items.js';

const BUDGET_SK = 'CHANGE-BUDGET';
const DEFERRED_PK = 'CHANGE-BUDGET#DEFERRED';
/** A deferred role is forgotten after this long even if nothing retried it (the next findings change brings it back). */
const DEFERRED_TTL_DAYS = 7;

const conditionFailed = (err: unknown): boolean => errorName(err) === 'ConditionalCheckFailedException';

export class DynamoChangeBudget implements ChangeBudget {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly settings: BudgetSettings,
  ) {}

  async spend(account: string, now: string): Promise<BudgetSpend> {
    const at = canonicalInstant(now, 'now');
    const { consume, open } = budgetUpdates(this.settings, at);
    // Consume inside the open window; else open a new one; else someone opened it meanwhile: consume once more.
    for (const update of open ? [consume, open, consume] : [consume]) {
      const item = await this.tryUpdate(account, update === open ? this.withTtl(update, at) : update);
      if (item) {
        const used = Number(item.used);
        return { allowed: true, windowStart: String(item.windowStart), remaining: Math.max(0, this.settings.max - used) };
      }
    }
    // Every conditional update failed: the budget is spent. The decision says by how much and until when (a counter
    // that reads as not spent lost a race at the window's edge: it is reported full).
    const state = await this.read(account);
    const decision = budgetDecision({ ...state, ...this.settings, now: at });
    return {
      allowed: false,
      decision: decision.allowed ? budgetDecision({ ...state, ...this.settings, used: this.settings.max, now: at }) : decision,
    };
  }

  async release(account: string, windowStart: string): Promise<void> {
    // A newer window, or nothing left to give back: the condition fails and nothing changes.
    await this.tryUpdate(account, budgetRelease(windowStart));
  }

  async defer(roleArn: string, retryAt: string, why: string): Promise<void> {
    const at = canonicalInstant(retryAt, 'retryAt');
    await call('dynamodb', 'PutItem', () =>
      this.ddb.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: DEFERRED_PK, sk: roleArn, retryAt: at, why: why.slice(0, 2000), expiresAt: expiresAfter(at, DEFERRED_TTL_DAYS) },
        }),
      ),
    );
  }

  async due(now: string): Promise<string[]> {
    const at = canonicalInstant(now, 'now');
    const items = await queryItems(this.ddb, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': DEFERRED_PK },
      ConsistentRead: true,
    });
    return items
      .filter((i) => String(i.retryAt) <= at)
      .map((i) => String(i.sk))
      .sort();
  }

  async undefer(roleArn: string): Promise<void> {
    await call('dynamodb', 'DeleteItem', () =>
      this.ddb.send(new DeleteCommand({ TableName: this.table, Key: { pk: DEFERRED_PK, sk: roleArn } })),
    );
  }

  /** The counter item outlives its window by one more, then DynamoDB's TTL removes it. */
  private withTtl(update: BudgetUpdate, now: string): BudgetUpdate {
    return {
      ...update,
      UpdateExpression: `${update.UpdateExpression}, #exp = :exp`,
      ExpressionAttributeNames: { ...update.ExpressionAttributeNames, '#exp': 'expiresAt' },
      ExpressionAttributeValues: {
        ...update.ExpressionAttributeValues,
        ':exp': Math.floor(Date.parse(now) / 1000) + 2 * this.settings.windowMinutes * 60,
      },
    };
  }

  /** The item after the update, or undefined when its condition did not hold. */
  private async tryUpdate(account: string, update: BudgetUpdate): Promise<Record<string, unknown> | undefined> {
    try {
      const res = await this.ddb.send(
        new UpdateCommand({ TableName: this.table, Key: { pk: `ACCOUNT#${account}`, sk: BUDGET_SK }, ReturnValues: 'ALL_NEW', ...update }),
      );
      return res.Attributes ?? {};
    } catch (err) {
      if (conditionFailed(err)) return undefined;
      return call('dynamodb', 'UpdateItem', () => Promise.reject(err));
    }
  }

  private async read(account: string): Promise<{ used: number; windowStart?: string }> {
    const res = await call('dynamodb', 'GetItem', () =>
      this.ddb.send(new GetCommand({ TableName: this.table, Key: { pk: `ACCOUNT#${account}`, sk: BUDGET_SK }, ConsistentRead: true })),
    );
    const item = res.Item;
    return { used: Number(item?.used ?? 0), ...(typeof item?.windowStart === 'string' ? { windowStart: item.windowStart } : {}) };
  }
}
