import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CheckNoNewAccessCommand } from '@aws-sdk/client-accessanalyzer';
import { PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { ConflictError, RefusedError } from '../../../lib/errors.js';
import { DEFAULT_POLICY_NAME } from '../../../lib/engine/plan/build-plan.js';
import { useMoto } from '../../support/moto.js';
import { requirements, ROLE_ARN, ROLE_NAME } from '../../engine/plan/fixtures.js';
import { createWorld, makePlan, singleRoleApply, type SingleRoleWorld } from '../../support/world/index.js';

const moto = useMoto();

const T0 = '2026-03-01T10:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();
const applyOpts = (over: Partial<{ dryRun: boolean; now: string; watchMinutes: number }> = {}) => ({
  dryRun: false,
  actor: 'alice@example.com',
  reason: 'approved in #sec',
  now: T0,
  watchMinutes: 30,
  requirements,
  ...over,
});

/** A denial of a secret the plan took away (`secrets-everywhere` allowed every secret; the plan names only its own). */
const OTHER_SECRET = `arn:aws:secretsmanager:us-east-1:123456789012:secret:other-team/db-AbCdEf`;
const denial = (at: string, resource = OTHER_SECRET) => ({
  roleArn: ROLE_ARN,
  action: 'secretsmanager:GetSecretValue',
  resource,
  kind: 'no-identity-policy' as const,
  at,
});

let w: SingleRoleWorld;
let clockNow = T0;
beforeEach(async () => {
  w = await createWorld(moto.config(), singleRoleApply({ now: () => clockNow }));
});
afterEach(() => w.account.analyzer.restore());

describe('Applier.apply on moto', () => {
  it('leaves the role with exactly the planned policies', async () => {
    const plan = await makePlan(w);
    expect(plan.detach).toEqual([w.account.managedArn]);
    expect(plan.deleteInline).toEqual(['secrets-everywhere']);
    const res = await w.deps.applier.apply(plan, applyOpts());
    expect(res.applied).toBe(true);
    const state = await w.deps.roles.readState(ROLE_NAME);
    expect(state?.inline).toEqual([{ name: DEFAULT_POLICY_NAME, document: plan.document }]);
    expect(state?.attached).toEqual([]);
    expect(res.after).toBe(await w.stateHash(ROLE_NAME));
    expect(res.before).toBe(plan.baseStateHash);
    expect(w.account.analyzer.commandCalls(CheckNoNewAccessCommand)).toHaveLength(1); // a pure reduction
  });

  it('dry run changes nothing and says what it would do', async () => {
    const plan = await makePlan(w);
    const res = await w.deps.applier.apply(plan, applyOpts({ dryRun: true }));
    expect(res).toMatchObject({ applied: false, dryRun: true });
    expect(res.steps).toEqual([`put-inline ${DEFAULT_POLICY_NAME}`, 'delete-inline secrets-everywhere', `detach ${w.account.managedArn}`]);
    expect(await w.stateHash(ROLE_NAME)).toBe(plan.baseStateHash);
    expect(await w.deps.snapshots.list(ROLE_ARN)).toEqual([]);
  });

  it('refuses a stale plan with ConflictError and changes nothing', async () => {
    const plan = await makePlan(w);
    await w.deps.applier.apply(plan, applyOpts());
    const afterFirst = await w.stateHash(ROLE_NAME);
    await expect(w.deps.applier.apply(plan, applyOpts({ now: at(1) }))).rejects.toBeInstanceOf(ConflictError);
    expect(await w.stateHash(ROLE_NAME)).toBe(afterFirst);
  });

  it('refuses with ConflictError when the role changed between plan and apply', async () => {
    const plan = await makePlan(w);
    await w.clients.iam.send(
      new PutRolePolicyCommand({
        RoleName: ROLE_NAME,
        PolicyName: 'hotfix',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' }] }),
      }),
    );
    const changed = await w.stateHash(ROLE_NAME);
    await expect(w.deps.applier.apply(plan, applyOpts())).rejects.toBeInstanceOf(ConflictError);
    expect(await w.stateHash(ROLE_NAME)).toBe(changed);
    const [last] = await w.deps.audit.history(ROLE_ARN);
    expect(last).toMatchObject({ action: 'refuse', actor: 'alice@example.com', before: changed, planHash: plan.planHash });
  });

  it('refuses when verification fails and changes nothing', async () => {
    w.account.analyzer
      .on(CheckNoNewAccessCommand)
      .resolves({ result: 'FAIL', message: 'new access', reasons: [{ description: 'grants s3:*', statementIndex: 0 }] });
    const plan = await makePlan(w);
    const err = await w.deps.applier.apply(plan, applyOpts()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RefusedError);
    expect((err as RefusedError).rule).toBe('verification');
    expect((err as Error).message).toContain('grants s3:*');
    expect(await w.stateHash(ROLE_NAME)).toBe(plan.baseStateHash);
  });

  it('restores the previous state exactly when a step fails midway', async () => {
    let armed = true;
    w.clients.iam.middlewareStack.add(
      (next, context) => async (args) => {
        if (armed && context.commandName === 'DetachRolePolicyCommand') {
          armed = false;
          throw Object.assign(new Error('injected failure'), { name: 'ServiceFailure' });
        }
        return next(args);
      },
      { step: 'initialize', name: 'injectDetachFailure' },
    );
    const plan = await makePlan(w);
    await expect(w.deps.applier.apply(plan, applyOpts())).rejects.toThrow(/injected failure/);
    expect(armed).toBe(false);
    expect(await w.stateHash(ROLE_NAME)).toBe(plan.baseStateHash);
    const state = await w.deps.roles.readState(ROLE_NAME);
    expect(state?.inline.map((p) => p.name)).toEqual(['secrets-everywhere']);
    expect(state?.attached).toEqual([w.account.managedArn]);
    const [last] = await w.deps.audit.history(ROLE_ARN);
    expect(last).toMatchObject({ action: 'rollback', before: plan.baseStateHash, after: plan.baseStateHash });
    expect(last?.why).toContain('injected failure');
  });
});

describe('rollback and the watch window on moto', () => {
  it('rollback after apply restores the stored state', async () => {
    const plan = await makePlan(w);
    const applied = await w.deps.applier.apply(plan, applyOpts());
    const res = await w.deps.applier.rollback(ROLE_ARN, { actor: 'bob@example.com', reason: 'tasks failing', now: at(5) });
    expect(res).toMatchObject({ changed: true, to: applied.snapshotId, before: applied.after, after: plan.baseStateHash });
    expect(await w.stateHash(ROLE_NAME)).toBe(plan.baseStateHash);
    expect(await w.deps.watches.get(ROLE_ARN)).toBeUndefined();
  });

  it('a denial inside the watch window that the plan explains rolls back automatically', async () => {
    const plan = await makePlan(w);
    await w.deps.applier.apply(plan, applyOpts({ watchMinutes: 30 }));
    clockNow = at(11);
    const notice = await w.deps.applier.onDenial(ROLE_ARN, denial('2026-03-01T10:10:00Z'));
    expect(notice?.rolledBack).toBe(true);
    expect(notice?.notice).toContain(plan.planHash);
    expect(notice?.notice).toMatch(/explained by the plan .*allowed before the apply and is implicit-deny after it/);
    expect(await w.stateHash(ROLE_NAME)).toBe(plan.baseStateHash);
    const [last] = await w.deps.audit.history(ROLE_ARN);
    expect(last).toMatchObject({ action: 'rollback', actor: 'leash-watch', after: plan.baseStateHash });
  });

  it('a denial after the window does nothing', async () => {
    const plan = await makePlan(w);
    const applied = await w.deps.applier.apply(plan, applyOpts({ watchMinutes: 30 }));
    clockNow = at(45);
    expect(await w.deps.applier.onDenial(ROLE_ARN, denial(at(40)))).toBeUndefined();
    expect(await w.stateHash(ROLE_NAME)).toBe(applied.after);
  });

  it('does not roll back automatically when someone changed the role after the apply', async () => {
    const plan = await makePlan(w);
    await w.deps.applier.apply(plan, applyOpts());
    await w.clients.iam.send(
      new PutRolePolicyCommand({
        RoleName: ROLE_NAME,
        PolicyName: 'hotfix',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' }] }),
      }),
    );
    const changed = await w.stateHash(ROLE_NAME);
    clockNow = at(3);
    const notice = await w.deps.applier.onDenial(ROLE_ARN, denial(at(2)));
    expect(notice?.rolledBack).toBe(false);
    expect(await w.stateHash(ROLE_NAME)).toBe(changed);
  });

  it('a denial inside the window that the plan does not explain is recorded and kept: no rollback', async () => {
    const plan = await makePlan(w);
    const applied = await w.deps.applier.apply(plan, applyOpts({ watchMinutes: 30 }));
    clockNow = at(6);
    // Never granted by the role before the apply either (an S3 call): the plan did not take it away.
    const s3 = { ...denial(at(5)), action: 's3:GetObject', resource: 'arn:aws:s3:::someone-elses-bucket/x' };
    // Allowed before and still allowed after (the plan keeps what the task definition needs).
    const kept = denial(at(5), requirements.find((r) => r.action === 'ecr:BatchGetImage')!.resource);
    for (const d of [s3, { ...kept, action: 'ecr:BatchGetImage' }, { ...denial(at(5)), kind: 'resource-policy' as const }]) {
      const notice = await w.deps.applier.onDenial(ROLE_ARN, d);
      expect(notice).toMatchObject({ rolledBack: false });
      expect(notice?.notice).toMatch(/not explained by the plan/);
    }
    expect(await w.stateHash(ROLE_NAME)).toBe(applied.after);
    const [last] = await w.deps.audit.history(ROLE_ARN);
    expect(last).toMatchObject({ action: 'skip', actor: 'leash-watch' });
    expect(last?.why).toMatch(/not explained by the plan/);
  });

  it('closes expired watch windows only', async () => {
    const plan = await makePlan(w);
    await w.deps.applier.apply(plan, applyOpts({ watchMinutes: 30 }));
    expect(await w.deps.applier.closeExpiredWatches(at(29))).toEqual([]);
    expect(await w.deps.watches.get(ROLE_ARN)).toBeDefined();
    expect(await w.deps.applier.closeExpiredWatches(at(31))).toEqual([ROLE_ARN]);
    expect(await w.deps.watches.get(ROLE_ARN)).toBeUndefined();
    expect(await w.deps.applier.onDenial(ROLE_ARN, denial(at(10)))).toBeUndefined();
  });

  it('audit history lists every step, newest first, with who, why, before and after', async () => {
    const plan = await makePlan(w);
    await w.deps.applier.apply(plan, applyOpts({ dryRun: true }));
    const applied = await w.deps.applier.apply(plan, applyOpts({ now: at(1) }));
    await expect(w.deps.applier.apply(plan, applyOpts({ now: at(2) }))).rejects.toBeInstanceOf(ConflictError);
    await w.deps.applier.rollback(ROLE_ARN, { actor: 'bob@example.com', reason: 'tasks failing', now: at(3) });
    const history = await w.deps.audit.history(ROLE_ARN);
    expect(history.map((h) => [h.action, h.actor, h.why])).toEqual([
      ['rollback', 'bob@example.com', 'tasks failing'],
      ['refuse', 'alice@example.com', expect.stringContaining('changed since the plan was made')],
      ['apply', 'alice@example.com', 'approved in #sec'],
      ['skip', 'alice@example.com', 'dry run: approved in #sec'],
    ]);
    expect(history[0]).toMatchObject({ before: applied.after, after: plan.baseStateHash });
    expect(history[1]).toMatchObject({ before: applied.after, planHash: plan.planHash });
    expect(history[2]).toMatchObject({ before: plan.baseStateHash, after: applied.after, planHash: plan.planHash });
    expect(history.map((h) => h.at)).toEqual([at(3), at(2), at(1), T0]);
  });
});
