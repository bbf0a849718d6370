// The denial side of the post-apply watch window. The denial and task-stopped functions only read: when a denial
// lands inside a role's window they ask the remediation function (the one allowed to write IAM) to roll back, and
// that function re-checks the window itself (Applier.onDenial). The rule itself is engine/role/watch.ts.
import { inWatchWindow } from '../../engine/role/watch.js';
import type { RemediationQueue, Watches } from '../ports.js';

export const ROLLBACK_REASON = 'rollback';

export interface WatchNotice {
  rolledBack: boolean;
  notice?: string;
}

/** The queue message that asks for a rollback because of a denial at `denialAt`. */
export const rollbackReason = (denialAt: string): string => `${ROLLBACK_REASON} ${denialAt}`;

/** The denial time a rollback message carries, or undefined when the message is not a rollback request. */
export function rollbackRequestAt(reason: string): string | undefined {
  return reason.startsWith(ROLLBACK_REASON) ? reason.slice(ROLLBACK_REASON.length).trim() : undefined;
}

export async function requestRollbackOnDenial(
  roleArn: string,
  denialAt: string,
  deps: { watches: Pick<Watches, 'get'>; queue?: RemediationQueue },
): Promise<WatchNotice | undefined> {
  const watch = await deps.watches.get(roleArn);
  if (!inWatchWindow(watch, denialAt)) return undefined;
  if (!deps.queue) return { rolledBack: false, notice: 'denial inside a watch window, but no remediation queue is configured' };
  await deps.queue.enqueue(roleArn, rollbackReason(denialAt));
  return { rolledBack: false, notice: `denial inside the watch window of plan ${watch.planHash}: rollback requested` };
}
