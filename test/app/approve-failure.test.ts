// An approval consumes the plan before anything changes (single use). If the apply then fails for a reason the
// patcher did not record itself (IAM throttled while reading the role, say), the audit trail must still say that the
// approved plan was not applied: otherwise it ends at "approve" and reads as if the change went through.
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../lib/app/ports.js';
import { actOnApproval, type ApprovalDeps } from '../../lib/app/approve.js';
import { planHash } from '../../lib/engine/plan/canonical.js';
import type { Plan, RoleState } from '../../lib/engine/types.js';
import { AdapterError, ConflictError } from '../../lib/errors.js';
import { ECS_TASKS_TRUST, MemoryKmsKeys, MemoryRoleIndex } from '../support/memory/ports.js';

const ROLE = 'arn:aws:iam::123456789012:role/app-exec';
const NOW = '2026-03-01T10:00:00.000Z';
const state: RoleState = { roleArn: ROLE, inline: [], attached: [] };

function makePlan(): Plan {
  const draft = {
    roleArn: ROLE,
    baseStateHash: 'h0',
    policyName: 'leash-execution-role',
    document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow' as const, Action: 'ecr:GetAuthorizationToken', Resource: '*' }] },
    deleteInline: [],
    detach: [],
    additions: [],
    removals: [],
    compaction: [],
    findings: [],
    needsApproval: [],
    kept: [],
  };
  return { ...draft, planHash: planHash(draft) };
}

function deps(applyError: Error, entries: AuditEntry[]): ApprovalDeps {
  const plan = makePlan();
  const used = new Set<string>();
  return {
    plans: {
      getPlan: async (hash) => (hash === plan.planHash ? plan : undefined),
      markUsed: async (kind, id) => (used.has(`${kind}#${id}`) ? false : (used.add(`${kind}#${id}`), true)),
      isUsed: async (kind, id) => used.has(`${kind}#${id}`),
    },
    applier: {
      stateHash: async () => 'h0',
      apply: async () => {
        throw applyError;
      },
    },
    // The role's intent: no indexed task definitions, so the requirements are empty.
    index: new MemoryRoleIndex(),
    roles: {
      readGrant: async () => ({ roleArn: state.roleArn, roleName: 'app-exec', policies: [], tags: {}, trustPolicy: ECS_TASKS_TRUST }),
      inInstanceProfile: async () => false,
    },
    kms: new MemoryKmsKeys(),
    recentUseDays: 90,
    audit: { record: async (e) => void entries.push(e) },
    settings: { approvers: ['U0APPROVER'], dryRun: false, watchMinutes: 30, defaultMode: 'approve' },
    now: () => NOW,
  };
}

const request = () => ({
  planHash: makePlan().planHash,
  roleArn: ROLE,
  approver: 'U0APPROVER',
  action: 'approve' as const,
  via: 'slack' as const,
});

describe('actOnApproval when the apply fails', () => {
  it('records an unrecorded failure after the approval', async () => {
    const entries: AuditEntry[] = [];
    const out = await actOnApproval(request(), deps(new AdapterError('Rate exceeded', 'iam', 'GetRole'), entries));
    expect(out).toMatchObject({ status: 'refused', reason: 'apply-failed' });
    expect(entries.map((e) => e.action)).toEqual(['approve', 'refuse']);
    expect(entries[1]?.why).toContain('Rate exceeded');
    expect(entries[1]).toMatchObject({ actor: 'U0APPROVER', planHash: makePlan().planHash });
  });

  it('does not duplicate what the patcher already recorded (its own refusals)', async () => {
    const entries: AuditEntry[] = [];
    const out = await actOnApproval(request(), deps(new ConflictError('role changed since the plan was made'), entries));
    expect(out).toMatchObject({ status: 'refused', reason: 'apply-failed' });
    expect(entries.map((e) => e.action)).toEqual(['approve']);
  });

  it('lets an unexpected (non-Leash) error surface instead of turning it into a refusal', async () => {
    const entries: AuditEntry[] = [];
    await expect(actOnApproval(request(), deps(new TypeError('x is undefined'), entries))).rejects.toBeInstanceOf(TypeError);
    expect(entries.map((e) => e.action)).toEqual(['approve', 'refuse']);
  });
});
