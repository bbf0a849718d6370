// The compare-and-swap must hold up to the first write, not just up to the first read: verification (Access
// Analyzer round trips) takes seconds, and a change made meanwhile must stop the apply — otherwise Leash deletes
// a policy someone just edited, and its snapshot (taken from the stale read) would roll that edit away too.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { Applier } from '../../../lib/app/apply/applier.js';
import type { Verification, VerifyInput } from '../../../lib/app/apply/plan-verifier.js';
import { ConflictError } from '../../../lib/errors.js';
import { useMoto } from '../../support/moto.js';
import { requirements, ROLE_ARN, ROLE_NAME } from '../../engine/plan/fixtures.js';
import { applierDeps, createWorld, makePlan, singleRoleApply, type SingleRoleWorld } from '../../support/world/index.js';

const moto = useMoto();
const T0 = '2026-03-01T10:00:00.000Z';

let w: SingleRoleWorld;
beforeEach(async () => {
  w = await createWorld(moto.config(), singleRoleApply());
});
afterEach(() => w.account.analyzer.restore());

// Someone widens the inline policy the plan is about to delete, while Leash is verifying.
const edited = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'ssm:GetParameters', 'kms:Decrypt'], Resource: '*' }],
};

function patcherEditingDuringVerify(): Applier {
  const verifier = {
    async verify(_input: VerifyInput): Promise<Verification> {
      await w.clients.iam.send(
        new PutRolePolicyCommand({ RoleName: ROLE_NAME, PolicyName: 'secrets-everywhere', PolicyDocument: JSON.stringify(edited) }),
      );
      return { ok: true, problems: [] };
    },
  };
  return new Applier({ ...applierDeps(w.deps), verifier, now: () => T0 });
}

describe('Applier.apply: a change during verification', () => {
  it('refuses with ConflictError and leaves the edited role untouched', async () => {
    const plan = await makePlan(w);
    expect(plan.deleteInline).toEqual(['secrets-everywhere']);
    const err = await patcherEditingDuringVerify()
      .apply(plan, { dryRun: false, actor: 'alice@example.com', reason: 'approved', now: T0, watchMinutes: 30, requirements })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    const state = await w.deps.roles.readState(ROLE_NAME);
    expect(state?.inline).toEqual([{ name: 'secrets-everywhere', document: edited }]);
    expect(state?.attached).toEqual([w.account.managedArn]);
    // Nothing was applied, so there is no snapshot to roll back to and no watch.
    expect(await w.deps.snapshots.list(ROLE_ARN)).toEqual([]);
    expect(await w.deps.watches.get(ROLE_ARN)).toBeUndefined();
    const [last] = await w.deps.audit.history(ROLE_ARN);
    expect(last).toMatchObject({ action: 'refuse', planHash: plan.planHash, before: await w.stateHash(ROLE_NAME) });
  });
});
