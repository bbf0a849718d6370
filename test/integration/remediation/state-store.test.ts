import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoAuditLog as AuditLog } from '../../../lib/adapters/aws/audit-log.js';
import { DynamoChangeIntents, DynamoSnapshots, DynamoWatches, epochSeconds } from '../../../lib/adapters/aws/state-store.js';
import { DynamoPlans } from '../../../lib/adapters/aws/plan-store.js';
import { createTables } from '../../../lib/dev/account-seed.js';
import { planHash } from '../../../lib/engine/plan/canonical.js';
import type { Plan, RoleState } from '../../../lib/engine/types.js';
import { ConflictError, RefusedError } from '../../../lib/errors.js';
import { useMoto } from '../../support/moto.js';
import { broadInline, ROLE_ARN, synthesized } from '../../engine/plan/fixtures.js';

const moto = useMoto();
const TABLE = 'leash-store-test';
let ddb: DynamoDBDocumentClient;
let snapshots: DynamoSnapshots;
let plans: DynamoPlans;
let watches: DynamoWatches;
let intents: DynamoChangeIntents;
let audit: AuditLog;

beforeEach(async () => {
  const raw = new DynamoDBClient(moto.config());
  await createTables(raw, TABLE);
  ddb = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  snapshots = new DynamoSnapshots(ddb, TABLE);
  plans = new DynamoPlans(ddb, TABLE);
  watches = new DynamoWatches(ddb, TABLE);
  intents = new DynamoChangeIntents(ddb, TABLE);
  audit = new AuditLog(ddb, TABLE);
});

const s1: RoleState = {
  roleArn: ROLE_ARN,
  inline: [{ name: broadInline.name, document: broadInline.document }],
  attached: ['arn:aws:iam::aws:policy/x'],
};
const s2: RoleState = { roleArn: ROLE_ARN, inline: [], attached: [] };

describe('StateStore snapshots', () => {
  it('stores states and returns them exactly, newest first', async () => {
    await snapshots.put(s1, 'h1', '2026-03-01T10:00:00Z');
    await snapshots.put(s2, 'h2', '2026-03-01T11:00:00.000Z');
    const list = await snapshots.list(ROLE_ARN);
    expect(list.map((s) => s.id)).toEqual(['2026-03-01T11:00:00.000Z#h2', '2026-03-01T10:00:00.000Z#h1']);
    expect(list[1]?.state).toEqual(s1);
    expect((await snapshots.latest(ROLE_ARN))?.hash).toBe('h2');
    expect(await snapshots.get(ROLE_ARN, '2026-03-01T10:00:00.000Z#h1')).toEqual({
      id: '2026-03-01T10:00:00.000Z#h1',
      roleArn: ROLE_ARN,
      at: '2026-03-01T10:00:00.000Z',
      hash: 'h1',
      state: s1,
    });
    expect(await snapshots.get(ROLE_ARN, 'nope')).toBeUndefined();
    expect(await snapshots.latest('arn:aws:iam::123456789012:role/other')).toBeUndefined();
  });
});

describe('StateStore single-use markers', () => {
  it('accepts the first use and refuses every replay', async () => {
    const exp = epochSeconds('2026-03-01T11:00:00Z');
    expect(await plans.markUsed('approval', 'abc', exp)).toBe(true);
    expect(await plans.markUsed('approval', 'abc', exp)).toBe(false);
    expect(await plans.markUsed('token', 'abc', exp)).toBe(true); // kinds are separate
    const results = await Promise.all([1, 2, 3, 4].map(() => plans.markUsed('approval', 'race', exp)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});

describe('StateStore pending plans', () => {
  const draft = {
    roleArn: ROLE_ARN,
    baseStateHash: 'b',
    policyName: 'leash-execution-role',
    document: synthesized.document,
    deleteInline: [],
    detach: [],
    additions: [],
    removals: [],
    compaction: [],
    findings: [],
    needsApproval: [],
  };
  const plan: Plan = { ...draft, planHash: planHash(draft) };

  it('returns a stored plan until it expires', async () => {
    await plans.putPlan(plan, '2026-03-01T11:00:00Z');
    expect(await plans.getPlan(plan.planHash, '2026-03-01T10:59:59Z')).toEqual(plan);
    expect(await plans.getPlan(plan.planHash, '2026-03-01T11:00:00Z')).toBeUndefined();
    expect(await plans.getPlan('0'.repeat(64))).toBeUndefined();
  });

  it('refuses a stored plan whose content was altered', async () => {
    await plans.putPlan(plan, '2026-03-01T11:00:00Z');
    await ddb.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: { pk: `PLAN#${plan.planHash}`, sk: 'PLAN' },
        UpdateExpression: 'SET #p = :p',
        ExpressionAttributeNames: { '#p': 'plan' },
        ExpressionAttributeValues: { ':p': JSON.stringify({ ...plan, detach: ['arn:aws:iam::aws:policy/AdministratorAccess'] }) },
      }),
    );
    await expect(plans.getPlan(plan.planHash)).rejects.toBeInstanceOf(RefusedError);
  });
});

describe('StateStore watch windows', () => {
  it('finds only the windows that ended before now', async () => {
    const other = 'arn:aws:iam::123456789012:role/other';
    await watches.open({
      roleArn: ROLE_ARN,
      openedAt: '2026-03-01T10:00:00Z',
      until: '2026-03-01T10:30:00Z',
      stateId: 's',
      planHash: 'p',
      afterHash: 'a',
    });
    await watches.open({
      roleArn: other,
      openedAt: '2026-03-01T10:00:00Z',
      until: '2026-03-01T12:00:00Z',
      stateId: 's',
      planHash: 'p',
      afterHash: 'a',
    });
    expect(await watches.expired('2026-03-01T10:29:59Z')).toEqual([]);
    expect(await watches.expired('2026-03-01T11:00:00Z')).toEqual([ROLE_ARN]);
    expect((await watches.get(other))?.until).toBe('2026-03-01T12:00:00.000Z');
    await watches.close(ROLE_ARN);
    expect(await watches.get(ROLE_ARN)).toBeUndefined();
    expect(await watches.expired('2026-03-01T11:00:00Z')).toEqual([]);
  });
});

describe('AuditLog', () => {
  it('keeps every entry, including several in the same instant, newest first', async () => {
    const base = { roleArn: ROLE_ARN, actor: 'alice', why: 'w' };
    await audit.record({ ...base, at: '2026-03-01T10:00:00Z', action: 'plan', planHash: 'p' });
    await audit.record({ ...base, at: '2026-03-01T10:00:00Z', action: 'approve', planHash: 'p' });
    await audit.record({
      ...base,
      at: '2026-03-01T10:01:00Z',
      action: 'apply',
      planHash: 'p',
      before: 'b',
      after: 'a',
      detail: { steps: ['put x'] },
    });
    const history = await audit.history(ROLE_ARN);
    expect(history.map((h) => h.action)).toEqual(['apply', 'approve', 'plan']);
    expect(history[0]).toEqual({
      ...base,
      at: '2026-03-01T10:01:00.000Z',
      action: 'apply',
      planHash: 'p',
      before: 'b',
      after: 'a',
      detail: { steps: ['put x'] },
    });
    expect(await audit.history(ROLE_ARN, 2)).toHaveLength(2);
    expect(await audit.history('arn:aws:iam::123456789012:role/other')).toEqual([]);
  });
});

describe('change intents (one open change per role)', () => {
  const intent = (id: string, at: string) => ({
    id,
    roleArn: ROLE_ARN,
    kind: 'apply' as const,
    actor: 'alice',
    at,
    beforeHash: 'h0',
    snapshotId: `${at}#h0`,
    steps: [{ op: 'delete-inline' as const, name: 'old' }],
    expected: { roleArn: ROLE_ARN, inline: [], attached: [] },
    expectedHash: 'h1',
  });

  it('records the intent, refuses a second open one, and lets the next change in once it ended', async () => {
    await intents.begin(intent('p1', '2026-03-01T10:00:00Z'));
    expect(await intents.last(ROLE_ARN)).toMatchObject({ id: 'p1', steps: [{ op: 'delete-inline', name: 'old' }], expectedHash: 'h1' });
    await expect(intents.begin(intent('p2', '2026-03-01T10:01:00Z'))).rejects.toBeInstanceOf(ConflictError);
    await intents.end(ROLE_ARN, 'p1', 'applied', '2026-03-01T10:02:00Z');
    expect(await intents.last(ROLE_ARN)).toMatchObject({ id: 'p1', outcome: 'applied', endedAt: '2026-03-01T10:02:00.000Z' });
    await intents.begin(intent('p2', '2026-03-01T10:03:00Z'));
    expect((await intents.last(ROLE_ARN))?.id).toBe('p2');
  });

  it('an intent left open by a writer that died stops blocking after 15 minutes', async () => {
    await intents.begin(intent('p1', '2026-03-01T10:00:00Z'));
    await expect(intents.begin(intent('p2', '2026-03-01T10:14:59Z'))).rejects.toBeInstanceOf(ConflictError);
    await intents.begin(intent('p2', '2026-03-01T10:15:01Z'));
    // The dead writer's late end does not close the new change.
    await intents.end(ROLE_ARN, 'p1', 'failed', '2026-03-01T10:16:00Z');
    expect(await intents.last(ROLE_ARN)).not.toHaveProperty('outcome');
  });
});
