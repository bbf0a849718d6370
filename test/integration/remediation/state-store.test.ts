import { beforeEach, describe, expect, it } from 'vitest';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { AuditLog } from '../../../lib/adapters/aws/audit-log.js';
import { epochSeconds, StateStore } from '../../../lib/adapters/aws/state-store.js';
import { tableDefinition } from '../../../lib/adapters/aws/table-schema.js';
import { planHash } from '../../../lib/engine/plan/canonical.js';
import type { Plan, RoleState } from '../../../lib/engine/types.js';
import { RefusedError } from '../../../lib/errors.js';
import { useMoto } from '../../support/moto.js';
import { broadInline, ROLE_ARN, synthesized } from '../../engine/plan/fixtures.js';

const moto = useMoto();
const TABLE = 'leash-store-test';
let ddb: DynamoDBDocumentClient;
let store: StateStore;
let audit: AuditLog;

beforeEach(async () => {
  const raw = new DynamoDBClient(moto.config());
  await raw.send(new CreateTableCommand(tableDefinition(TABLE)));
  ddb = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  store = new StateStore(ddb, TABLE);
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
    await store.putSnapshot(s1, 'h1', '2026-03-01T10:00:00Z');
    await store.putSnapshot(s2, 'h2', '2026-03-01T11:00:00.000Z');
    const list = await store.list(ROLE_ARN);
    expect(list.map((s) => s.id)).toEqual(['2026-03-01T11:00:00.000Z#h2', '2026-03-01T10:00:00.000Z#h1']);
    expect(list[1]?.state).toEqual(s1);
    expect((await store.latest(ROLE_ARN))?.hash).toBe('h2');
    expect(await store.get(ROLE_ARN, '2026-03-01T10:00:00.000Z#h1')).toEqual({
      id: '2026-03-01T10:00:00.000Z#h1',
      roleArn: ROLE_ARN,
      at: '2026-03-01T10:00:00.000Z',
      hash: 'h1',
      state: s1,
    });
    expect(await store.get(ROLE_ARN, 'nope')).toBeUndefined();
    expect(await store.latest('arn:aws:iam::123456789012:role/other')).toBeUndefined();
  });
});

describe('StateStore single-use markers', () => {
  it('accepts the first use and refuses every replay', async () => {
    const exp = epochSeconds('2026-03-01T11:00:00Z');
    expect(await store.markUsed('approval', 'abc', exp)).toBe(true);
    expect(await store.markUsed('approval', 'abc', exp)).toBe(false);
    expect(await store.markUsed('token', 'abc', exp)).toBe(true); // kinds are separate
    const results = await Promise.all([1, 2, 3, 4].map(() => store.markUsed('approval', 'race', exp)));
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
    await store.putPlan(plan, '2026-03-01T11:00:00Z');
    expect(await store.getPlan(plan.planHash, '2026-03-01T10:59:59Z')).toEqual(plan);
    expect(await store.getPlan(plan.planHash, '2026-03-01T11:00:00Z')).toBeUndefined();
    expect(await store.getPlan('0'.repeat(64))).toBeUndefined();
  });

  it('refuses a stored plan whose content was altered', async () => {
    await store.putPlan(plan, '2026-03-01T11:00:00Z');
    await ddb.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: { pk: `PLAN#${plan.planHash}`, sk: 'PLAN' },
        UpdateExpression: 'SET #p = :p',
        ExpressionAttributeNames: { '#p': 'plan' },
        ExpressionAttributeValues: { ':p': JSON.stringify({ ...plan, detach: ['arn:aws:iam::aws:policy/AdministratorAccess'] }) },
      }),
    );
    await expect(store.getPlan(plan.planHash)).rejects.toBeInstanceOf(RefusedError);
  });
});

describe('StateStore watch windows', () => {
  it('finds only the windows that ended before now', async () => {
    const other = 'arn:aws:iam::123456789012:role/other';
    await store.openWatch({
      roleArn: ROLE_ARN,
      openedAt: '2026-03-01T10:00:00Z',
      until: '2026-03-01T10:30:00Z',
      stateId: 's',
      planHash: 'p',
      afterHash: 'a',
    });
    await store.openWatch({
      roleArn: other,
      openedAt: '2026-03-01T10:00:00Z',
      until: '2026-03-01T12:00:00Z',
      stateId: 's',
      planHash: 'p',
      afterHash: 'a',
    });
    expect(await store.expiredWatches('2026-03-01T10:29:59Z')).toEqual([]);
    expect(await store.expiredWatches('2026-03-01T11:00:00Z')).toEqual([ROLE_ARN]);
    expect((await store.getWatch(other))?.until).toBe('2026-03-01T12:00:00.000Z');
    await store.closeWatch(ROLE_ARN);
    expect(await store.getWatch(ROLE_ARN)).toBeUndefined();
    expect(await store.expiredWatches('2026-03-01T11:00:00Z')).toEqual([]);
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
