// After a successful apply whose read-back fails, the apply use case records the expected state's hash instead of failing:
// that hash must be exactly the one IAM's real state gives.
import { describe, expect, it } from 'vitest';
import { assessRole } from '../../../lib/app/recompute-role.js';
import { expectedAfter, hashState } from '../../../lib/engine/role/state.js';
import { createWorld, remediationAccount } from '../../support/world/index.js';
import { useMoto } from '../../support/moto.js';

const moto = useMoto();

describe('expectedAfter', () => {
  it('hashes like the role IAM holds after the plan is applied', async () => {
    const w = await createWorld(moto.config(), remediationAccount({ dryRun: false }));
    try {
      const before = (await w.deps.roles.readState('billing-exec'))!;
      const { plan } = await w.requestApproval('billing-exec');
      expect(plan.detach.length + plan.deleteInline.length).toBeGreaterThan(0);
      const predicted = hashState(expectedAfter(before, plan));
      expect(predicted).not.toBe(hashState(before));
      const result = await w.deps.applier.apply(plan, {
        dryRun: false,
        actor: 'test',
        reason: 'expected-after check',
        now: w.clock.now(),
        watchMinutes: 0,
        requirements: (await assessRole(plan.roleArn, w.deps))?.requirements ?? [],
      });
      expect(result.applied).toBe(true);
      expect(hashState((await w.deps.roles.readState('billing-exec'))!)).toBe(predicted);
    } finally {
      await w.close();
    }
  });
});
