// A notice is never lost: when publishing fails after the findings were stored, the next delivery of the same
// event publishes them (the store remembers the set was not announced yet).
import { describe, expect, it } from 'vitest';
import { makeClients } from '../../../lib/adapters/aws/clients.js';
import { DynamoFindingsStore as FindingsStore } from '../../../lib/adapters/aws/findings-store.js';
import { createTables } from '../../../lib/dev/account-seed.js';
import { recomputeRole, type RecomputeDeps } from '../../../lib/app/recompute-role.js';
import type { Finding, RoleGrant } from '../../../lib/engine/types.js';
import { useMoto } from '../../support/moto.js';
import { ECS_TASKS_TRUST } from '../../support/memory/ports.js';

const moto = useMoto();
const ROLE = 'arn:aws:iam::123456789012:role/web-exec';
const grant: RoleGrant = { roleArn: ROLE, roleName: 'web-exec', tags: {}, policies: [], trustPolicy: ECS_TASKS_TRUST };
const requirement = {
  action: 'ecr:BatchGetImage',
  resource: 'arn:aws:ecr:eu-west-1:123456789012:repository/web',
  reasons: [{ taskDefinition: 'web:1', field: 'containerDefinitions[0].image' }],
};

describe('announcing findings', () => {
  it('publishes on the next delivery when the first publish failed after storing', async () => {
    const c = makeClients({ ...moto.config(), region: 'eu-west-1' });
    await createTables(c.ddb, 'leash');
    const store = new FindingsStore(c.ddb, 'leash');
    const published: Finding[][] = [];
    let failNext = true;
    const deps: RecomputeDeps = {
      index: {
        entriesForRole: async () => [
          {
            taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:1',
            family: 'web',
            revision: 1,
            status: 'ACTIVE',
            requirements: [requirement],
          },
        ],
        taskRoleUses: async () => [],
      },
      roles: { readGrant: async () => grant, inInstanceProfile: async () => false },
      findings: store,
      kms: { resolve: async () => [] },
      notifier: {
        publishFindings: async (_role, findings) => {
          if (failNext) {
            failNext = false;
            throw new Error('SNS unavailable');
          }
          published.push(findings);
        },
      },
      recentUseDays: 90,
      now: () => '2026-11-22T07:00:00.000Z',
    };

    await expect(recomputeRole(ROLE, deps)).rejects.toThrow('SNS unavailable');
    expect(published).toHaveLength(0);
    // The retry sees the same findings (unchanged) but knows they were never announced.
    const retry = await recomputeRole(ROLE, deps);
    expect(retry.changed).toBe(false);
    expect(published).toHaveLength(1);
    expect(published[0]!.map((f) => `${f.kind} ${f.action}`)).toEqual(['missing ecr:BatchGetImage']);
    // Once announced, a further duplicate stays silent.
    await recomputeRole(ROLE, deps);
    expect(published).toHaveLength(1);
  });
});
