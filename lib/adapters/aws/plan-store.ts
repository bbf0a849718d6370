// Plans: their content in the records table (append-only, written once: a plan hash names one content), their status
// and the role's current plan in the main table. Every status change is a conditional update from the statuses it may
// leave, so two clicks (or a click and a redelivered message) can never both decide, and a decided plan stays decided.
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PlanDecision, Plans, PlanStatus } from '../../app/ports.js';
import { planHash } from '../../engine/plan/canonical.js';
import type { Plan } from '../../engine/types.js';
import { AdapterError, RefusedError } from '../../errors.js';
import { call, errorMessage, errorName } from './sdk-call.js';
import { epochSeconds, isConditionFailure, putNew } from './state-store.js';
import { keys } from './table-schema.js';

const STATUS_SK = 'STATUS';
const CURRENT_SK = 'PLAN';
/** A decided plan's status is kept this long (TTL): until then the same plan cannot be proposed or decided again. */
const DECIDED_KEEP_S = 30 * 86_400;

export class DynamoPlans implements Plans {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly table: string,
    /** The append-only records table (the main table when none is configured). */
    private readonly records: string = table,
  ) {}

  async putPlan(plan: Plan, expiresAt: string): Promise<void> {
    // Written once: the same hash is the same content, so a second write of it is refused and changes nothing.
    await putNew(this.ddb, this.records, { pk: `PLAN#${plan.planHash}`, sk: 'PLAN', roleArn: plan.roleArn, plan: JSON.stringify(plan) });
    const exp = epochSeconds(expiresAt);
    try {
      await this.ddb.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: `PLAN#${plan.planHash}`, sk: STATUS_SK, status: 'pending', roleArn: plan.roleArn, expiresAt: exp, until: expiresAt },
          // A decided plan is never made pending again; an expired pending one may be proposed anew.
          ConditionExpression: 'attribute_not_exists(pk) OR (#s = :pending AND expiresAt < :exp)',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':pending': 'pending', ':exp': exp },
        }),
      );
    } catch (err) {
      if (!isConditionFailure(err)) throw adapterError(err, 'PutItem');
    }
    await call('dynamodb', 'PutItem', () =>
      this.ddb.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: keys.role(plan.roleArn), sk: CURRENT_SK, planHash: plan.planHash, expiresAt: exp },
        }),
      ),
    );
  }

  async getPlan(hash: string, now?: string): Promise<Plan | undefined> {
    const status = await this.status(hash);
    if (!status || (now !== undefined && status.status === 'pending' && Date.parse(status.expiresAt) <= Date.parse(now))) return undefined;
    const res = await call('dynamodb', 'GetItem', () =>
      this.ddb.send(new GetCommand({ TableName: this.records, Key: { pk: `PLAN#${hash}`, sk: 'PLAN' }, ConsistentRead: true })),
    );
    if (!res.Item) return undefined;
    const plan = JSON.parse(String(res.Item.plan)) as Plan;
    if (plan.planHash !== hash || planHash(plan) !== hash)
      throw new RefusedError(`stored plan ${hash} does not match its hash`, 'plan-integrity');
    return plan;
  }

  async status(hash: string): Promise<PlanDecision | undefined> {
    const res = await call('dynamodb', 'GetItem', () =>
      this.ddb.send(new GetCommand({ TableName: this.table, Key: { pk: `PLAN#${hash}`, sk: STATUS_SK }, ConsistentRead: true })),
    );
    const i = res.Item;
    if (!i) return undefined;
    return {
      status: i.status as PlanStatus,
      roleArn: String(i.roleArn),
      expiresAt: String(i.until),
      ...(typeof i.by === 'string' ? { by: i.by } : {}),
      ...(typeof i.at === 'string' ? { at: i.at } : {}),
      ...(i.via === 'slack' || i.via === 'link' ? { via: i.via } : {}),
      ...(typeof i.message === 'string' ? { message: JSON.parse(i.message) as { channel: string; ts: string } } : {}),
      ...(typeof i.note === 'string' ? { note: i.note } : {}),
    };
  }

  async transition(hash: string, from: PlanStatus[], to: Omit<PlanDecision, 'roleArn' | 'expiresAt'>): Promise<boolean> {
    const values: Record<string, unknown> = { ':to': to.status };
    const names: Record<string, string> = { '#s': 'status' };
    from.forEach((s, i) => (values[`:f${i}`] = s));
    const sets = ['#s = :to'];
    // Names go through placeholders: `by` and `at` are DynamoDB reserved words.
    const set = (name: string, value: unknown) => {
      if (value === undefined) return;
      sets.push(`#${name} = :${name}`);
      names[`#${name}`] = name;
      values[`:${name}`] = value;
    };
    set('by', to.by);
    set('at', to.at);
    set('via', to.via);
    set('message', to.message ? JSON.stringify(to.message) : undefined);
    set('note', to.note);
    // Decided: kept past the plan's own expiry, so it cannot come back as pending.
    if (to.status !== 'pending' && to.at) set('expiresAt', epochSeconds(to.at) + DECIDED_KEEP_S);
    try {
      await this.ddb.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `PLAN#${hash}`, sk: STATUS_SK },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: `attribute_exists(pk) AND #s IN (${from.map((_, i) => `:f${i}`).join(', ')})`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw adapterError(err, 'UpdateItem');
    }
  }

  async currentPlan(roleArn: string): Promise<string | undefined> {
    const res = await call('dynamodb', 'GetItem', () =>
      this.ddb.send(new GetCommand({ TableName: this.table, Key: { pk: keys.role(roleArn), sk: CURRENT_SK }, ConsistentRead: true })),
    );
    return typeof res.Item?.planHash === 'string' ? res.Item.planHash : undefined;
  }

  /** Records that `id` of `kind` was used; false when it already was (a replay). `expiresAt`: epoch seconds (TTL). */
  async markUsed(kind: string, id: string, expiresAt: number): Promise<boolean> {
    return putNew(this.ddb, this.table, { pk: `USED#${kind}#${id}`, sk: 'USED', expiresAt });
  }

  async isUsed(kind: string, id: string): Promise<boolean> {
    const res = await call('dynamodb', 'GetItem', () =>
      this.ddb.send(new GetCommand({ TableName: this.table, Key: { pk: `USED#${kind}#${id}`, sk: 'USED' }, ConsistentRead: true })),
    );
    return res.Item !== undefined;
  }
}

const adapterError = (err: unknown, op: string) =>
  new AdapterError(`${errorName(err) || 'Error'}: ${errorMessage(err)}`, 'dynamodb', op, { cause: err });
