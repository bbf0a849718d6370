// The post-apply watch window: opening it (by the applier, or by recovery for a change whose writer died), and its
// denial side. The denial and task-stopped functions only read: when a denial lands inside a role's window and the
// applied plan explains it, they ask the remediation function (the one allowed to write IAM) to roll back; that
// function re-reads the stored denial and re-checks everything itself (Applier.onDenial). A denial the plan does not
// explain is reported, never rolled back. The rule itself is engine/role/watch.ts.
import type { Denial } from '../../engine/evidence/types.js';
import { rollbackVerdict, watchUntil, type Watch } from '../../engine/role/watch.js';
import type { ChangeIntent, RemediationQueue, Watches } from '../ports.js';

export const ROLLBACK_REASON = 'rollback';
/** The watch's request to finish a rollback that has not reached its stored state yet. */
export const RESUME_REASON = 'resume-rollback';

export interface WatchNotice {
  rolledBack: boolean;
  /** A rollback was asked of the remediation function. */
  requested?: boolean;
  notice?: string;
}

/** The queue message that asks for a rollback because of the (stored) denial at `denialAt`. */
export const rollbackReason = (denialAt: string): string => `${ROLLBACK_REASON} ${denialAt}`;

/** The denial time a rollback message carries, or undefined when the message is not a rollback request. */
export function rollbackRequestAt(reason: string): string | undefined {
  return reason.startsWith(ROLLBACK_REASON) ? reason.slice(ROLLBACK_REASON.length).trim() : undefined;
}

export async function requestRollbackOnDenial(
  denial: Denial,
  deps: { watches: Pick<Watches, 'get'>; queue?: RemediationQueue },
): Promise<WatchNotice | undefined> {
  const watch = await deps.watches.get(denial.roleArn);
  // The role's state is the remediation function's to check (it reads it right before rolling back): here only
  // whether the plan explains the denial, so an unexplained one never reaches the queue.
  const verdict = rollbackVerdict(watch, denial, watch?.afterHash ?? '');
  if (verdict.act === 'none') return undefined;
  if (verdict.act === 'keep') return { rolledBack: false, notice: verdict.notice };
  if (!deps.queue) return { rolledBack: false, notice: 'denial explained by the plan, but no remediation queue is configured' };
  await deps.queue.enqueue(denial.roleArn, rollbackReason(denial.at));
  return {
    rolledBack: false,
    requested: true,
    notice: `denial explained by plan ${watch!.planHash} (${verdict.why}): rollback requested`,
  };
}

/** Opens an applied change's watch window as its intent describes it (none when the window is 0 minutes); its end. */
export async function openWatch(
  watches: Pick<Watches, 'open'>,
  applied: Pick<Watch, 'roleArn' | 'planHash' | 'stateId' | 'afterHash'>,
  spec: ChangeIntent['watch'],
  now: string,
): Promise<string | undefined> {
  const until = spec && watchUntil(now, spec.minutes);
  if (!until) return undefined;
  await watches.open({ ...applied, openedAt: now, until, ...(spec.change ? { change: spec.change } : {}) });
  return until;
}
