import { afterEach, describe, expect, it } from 'vitest';
import { RolePatcher } from '../../../lib/adapters/aws/role-patcher.js';
import type { Verification } from '../../../lib/adapters/aws/plan-verifier.js';
import { buildPlan } from '../../../lib/engine/plan/build-plan.js';
import type { Plan, RoleState } from '../../../lib/engine/types.js';
import { AdapterError, RefusedError } from '../../../lib/errors.js';
import { fakeCovers } from '../../engine/plan/fake-covers.js';
import {
  ACCOUNT,
  broadInline,
  findings,
  MANAGED_ARN,
  managedPolicy,
  requirements,
  ROLE_ARN,
  synthesized,
} from '../../engine/plan/fixtures.js';
import { fakeRole, memoryStores } from './fake-role.js';

const initial: RoleState = {
  roleArn: ROLE_ARN,
  inline: [{ name: broadInline.name, document: broadInline.document }],
  attached: [MANAGED_ARN],
};
const NOW = '2026-03-01T10:00:00.000Z';
const opts = { dryRun: false, actor: 'alice', reason: 'approved', now: NOW, watchMinutes: 30, requirements };

function setup(verification: Verification = { ok: true, problems: [] }) {
  const role = fakeRole(initial);
  const mem = memoryStores();
  const verifyCalls: unknown[] = [];
  const patcher = new RolePatcher({
    iam: role.iam,
    store: mem.store,
    audit: mem.audit,
    readState: role.readState,
    hashState: role.hashState,
    verifier: { verify: async (input) => (verifyCalls.push(input), verification) },
  });
  const plan: Plan = buildPlan({
    roleArn: ROLE_ARN,
    state: initial,
    baseStateHash: role.hashState(initial),
    grant: [managedPolicy(), broadInline],
    requirements,
    synthesized,
    findings: findings(),
    accountId: ACCOUNT,
    covers: fakeCovers,
  });
  return { role, mem, patcher, plan, verifyCalls };
}

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

describe('RolePatcher mutation order and fault handling', () => {
  it('puts the Leash policy before deleting or detaching anything', async () => {
    const { role, patcher, plan } = setup();
    cleanup = () => role.iamMock.restore();
    await patcher.apply(plan, opts);
    expect(role.log).toEqual(['put leash-execution-role', 'delete secrets-everywhere', `detach ${MANAGED_ARN}`]);
  });

  it('a failure on the first step leaves the role untouched and rethrows', async () => {
    const { role, mem, patcher, plan } = setup();
    cleanup = () => role.iamMock.restore();
    role.failOn('PutRolePolicy');
    await expect(patcher.apply(plan, opts)).rejects.toThrow(/injected PutRolePolicy failure/);
    expect(role.current()).toEqual(initial);
    expect(role.log).toEqual([]);
    expect(mem.entries.at(-1)).toMatchObject({ action: 'rollback', detail: { restoredExactly: true } });
  });

  it('a failure after the delete re-puts the deleted policy and removes the new one', async () => {
    const { role, patcher, plan } = setup();
    cleanup = () => role.iamMock.restore();
    role.failOn('DetachRolePolicy');
    await expect(patcher.apply(plan, opts)).rejects.toThrow(/injected DetachRolePolicy failure/);
    expect(role.current()).toEqual(initial);
    expect(role.log).toEqual([
      'put leash-execution-role',
      'delete secrets-everywhere',
      'put secrets-everywhere',
      'delete leash-execution-role',
    ]);
  });

  it('says so when the restore fails too, keeping the original error as cause', async () => {
    const { role, mem, patcher, plan } = setup();
    cleanup = () => role.iamMock.restore();
    role.failOn('DetachRolePolicy');
    role.failOn('PutRolePolicy', 2); // the 1st put is the plan's, the 2nd the restore's re-put
    const err = await patcher.apply(plan, opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AdapterError);
    expect((err as Error).message).toContain('could not be restored exactly');
    expect(((err as Error).cause as Error).message).toContain('injected DetachRolePolicy failure');
    expect(mem.entries.at(-1)?.action).toBe('rollback');
  });

  it('never touches IAM when verification fails', async () => {
    const { role, mem, patcher, plan } = setup({ ok: false, problems: ['ValidatePolicy ERROR X'] });
    cleanup = () => role.iamMock.restore();
    const err = await patcher.apply(plan, opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RefusedError);
    expect((err as RefusedError).rule).toBe('verification');
    expect(role.iamMock.calls()).toHaveLength(0);
    expect(mem.snapshots).toHaveLength(0);
    expect(mem.entries).toEqual([expect.objectContaining({ action: 'refuse', detail: { problems: ['ValidatePolicy ERROR X'] } })]);
  });

  it('refuses a plan whose content no longer matches its hash', async () => {
    const { role, patcher, plan, verifyCalls } = setup();
    cleanup = () => role.iamMock.restore();
    const tampered = { ...plan, detach: [] };
    const err = await patcher.apply(tampered, opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RefusedError);
    expect((err as RefusedError).rule).toBe('plan-integrity');
    expect(verifyCalls).toHaveLength(0);
    expect(role.iamMock.calls()).toHaveLength(0);
  });

  it('passes the current state and the requirements to the verifier', async () => {
    const { role, patcher, plan, verifyCalls } = setup();
    cleanup = () => role.iamMock.restore();
    await patcher.apply(plan, { ...opts, dryRun: true });
    expect(verifyCalls).toEqual([{ plan, state: initial, requirements }]);
    expect(role.iamMock.calls()).toHaveLength(0);
  });
});

describe('RolePatcher.rollback', () => {
  it('refuses when there is no stored state', async () => {
    const { role, patcher } = setup();
    cleanup = () => role.iamMock.restore();
    await expect(patcher.rollback(ROLE_ARN, { actor: 'bob', reason: 'r', now: NOW })).rejects.toBeInstanceOf(RefusedError);
  });

  it('grants back before it removes, and re-puts an inline policy whose document changed', async () => {
    const { role, patcher, plan } = setup();
    cleanup = () => role.iamMock.restore();
    await patcher.apply(plan, opts);
    role.log.length = 0;
    await patcher.rollback(ROLE_ARN, { actor: 'bob', reason: 'r', now: '2026-03-01T10:05:00.000Z' });
    expect(role.log).toEqual(['put secrets-everywhere', `attach ${MANAGED_ARN}`, 'delete leash-execution-role']);
    expect(role.current()).toEqual(initial);
  });
});
