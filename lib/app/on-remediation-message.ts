// The remediation queue's messages: `{roleArn, reason}` (parsed at the edge). A rollback request names the time of a
// stored denial: the denial is read back from the evidence store (never from the message) and the applier re-checks the
// window, the plan's explanation of it and the role's state before rolling back. Anything else (re)plans the role per
// its mode. Each message stands alone: it re-reads state.
import type { Applier } from './apply/applier.js';
import { RESUME_REASON, rollbackRequestAt } from './apply/watch-window.js';
import { applyApproved, type ApprovedOutcome } from './apply-approved.js';
import { approvedPlanOf } from './approve.js';
import type { EvidenceStore, Plans } from './ports.js';
import { remediateRole, type RemediationDeps, type RemediationSummary } from './remediate.js';
import { RefusedError } from '../errors.js';

export interface RemediationMessageDeps extends RemediationDeps {
  applier: Pick<Applier, 'apply' | 'onDenial' | 'resume'>;
  plans: RemediationDeps['plans'] & Pick<Plans, 'status' | 'transition' | 'currentPlan'>;
  evidence?: Pick<EvidenceStore, 'forRole'>;
}

export type MessageOutcome =
  RemediationSummary | ApprovedOutcome | { roleArn: string; outcome: 'rolled-back' | 'not-rolled-back' | 'tampered'; why: string };

export async function onRemediationMessage(
  msg: { roleArn: string; reason: string },
  deps: RemediationMessageDeps,
): Promise<MessageOutcome> {
  const approved = approvedPlanOf(msg.reason);
  if (approved) return applyApproved(msg.roleArn, approved, deps);
  if (msg.reason === RESUME_REASON) return resume(msg.roleArn, deps);
  const denialAt = rollbackRequestAt(msg.reason);
  return denialAt !== undefined ? rollback(msg.roleArn, denialAt || deps.now(), deps) : remediateRole(msg.roleArn, deps);
}

/** A rollback the watch found unfinished: finished now (the message is retried while it still fails). */
async function resume(roleArn: string, deps: RemediationMessageDeps): Promise<MessageOutcome> {
  const r = await deps.applier.resume(roleArn, deps.now());
  return { roleArn, outcome: r?.outcome === 'rolled-back' ? 'rolled-back' : 'not-rolled-back', why: r?.why ?? 'nothing left open' };
}

async function rollback(roleArn: string, at: string, deps: RemediationMessageDeps): Promise<MessageOutcome> {
  const when = Date.parse(at);
  if (Number.isNaN(when)) return { roleArn, outcome: 'not-rolled-back', why: `not a denial time: ${JSON.stringify(at.slice(0, 40))}` };
  const stored = deps.evidence ? (await deps.evidence.forRole(roleArn, new Date(when).toISOString())).denials : [];
  const denials = stored.filter((d) => Date.parse(d.at) === when);
  if (denials.length === 0) return { roleArn, outcome: 'not-rolled-back', why: `no stored denial of ${roleArn} at ${at}` };
  const notices: string[] = [];
  for (const denial of denials) {
    let notice;
    try {
      notice = await deps.applier.onDenial(roleArn, denial);
    } catch (err) {
      // An edited snapshot is never written, and retrying cannot help: reported (and alarmed), not retried.
      if (err instanceof RefusedError && err.rule === 'snapshot-integrity') return { roleArn, outcome: 'tampered', why: err.message };
      throw err;
    }
    if (notice?.rolledBack) return { roleArn, outcome: 'rolled-back', why: notice.notice };
    notices.push(notice?.notice ?? 'no open watch window for this role');
  }
  return { roleArn, outcome: 'not-rolled-back', why: [...new Set(notices)].join('; ') };
}
