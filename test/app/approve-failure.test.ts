// The approvals function's half of an approval: a decision is one conditional write, and an approval that cannot be
// queued is given back (the plan pending again) instead of being stranded as "approved" with nothing to apply it.
import { describe, expect, it } from 'vitest';
import { recordDecision, type ApprovalDeps } from '../../lib/app/approve.js';
import type { AuditEntry, RemediationQueue } from '../../lib/app/ports.js';
import { planHash } from '../../lib/engine/plan/canonical.js';
import type { Plan } from '../../lib/engine/types.js';
import { MemoryPlans } from '../support/memory/ports.js';

const ROLE = 'arn:aws:iam::123456789012:role/app-exec';
const NOW = '2026-03-01T10:00:00.000Z';

function makePlan(doc = 'ecr:GetAuthorizationToken'): Plan {
  const draft = {
    roleArn: ROLE,
    baseStateHash: 'h0',
    policyName: 'leash-execution-role',
    document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow' as const, Action: doc, Resource: '*' }] },
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

async function deps(queue: RemediationQueue, entries: AuditEntry[]): Promise<ApprovalDeps & { plans: MemoryPlans }> {
  const plans = new MemoryPlans();
  await plans.putPlan(makePlan(), '2026-03-02T10:00:00.000Z');
  return {
    plans,
    queue,
    audit: { record: async (e) => void entries.push(e) },
    settings: { approvers: ['U0APPROVER', 'U0OTHER'] },
    now: () => NOW,
  };
}

const request = (approver = 'U0APPROVER', action: 'approve' | 'reject' = 'approve') => ({
  planHash: makePlan().planHash,
  roleArn: ROLE,
  approver,
  action,
  via: 'slack' as const,
});

describe('recordDecision', () => {
  it('gives the approval back when it cannot be queued: pending again, audited, approvable', async () => {
    const entries: AuditEntry[] = [];
    let fail = true;
    const sent: string[] = [];
    const d = await deps(
      { enqueue: async (_r, reason) => (fail ? Promise.reject(new Error('Throttling')) : void sent.push(reason)) },
      entries,
    );
    expect(await recordDecision(request(), d)).toMatchObject({ status: 'refused', reason: 'not-queued' });
    expect((await d.plans.status(makePlan().planHash))?.status).toBe('pending');
    expect(entries.map((e) => e.action)).toEqual(['approve', 'refuse']);
    fail = false;
    expect(await recordDecision(request(), d)).toMatchObject({ status: 'approved' });
    expect(sent).toEqual([`approved ${makePlan().planHash}`]);
  });

  it('decides once: of two concurrent decisions one wins, the other is told who decided, and the record stays', async () => {
    const entries: AuditEntry[] = [];
    const d = await deps({ enqueue: async () => undefined }, entries);
    const [a, b] = await Promise.all([recordDecision(request('U0APPROVER'), d), recordDecision(request('U0OTHER', 'reject'), d)]);
    const won = [a, b].filter((o) => o.status !== 'refused');
    expect(won).toHaveLength(1);
    const status = await d.plans.status(makePlan().planHash);
    const lost = [a, b].find((o) => o.status === 'refused')!;
    expect(lost).toMatchObject({ reason: 'already-used' });
    expect(lost.status === 'refused' && lost.message).toContain(`already decided: ${status!.status} by ${status!.by}`);
  });

  it('refuses a plan that is no longer the role\u2019s current plan (superseded)', async () => {
    const d = await deps({ enqueue: async () => undefined }, []);
    await d.plans.putPlan(makePlan('ecr:BatchGetImage'), '2026-03-02T10:00:00.000Z');
    expect(await recordDecision(request(), d)).toMatchObject({ status: 'refused', reason: 'superseded' });
    // A rejection of the old plan is still fine: refusing a change is always safe.
    expect(await recordDecision(request('U0APPROVER', 'reject'), d)).toMatchObject({ status: 'rejected' });
  });
});
