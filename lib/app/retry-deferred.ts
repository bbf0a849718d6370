// Changes the change budget deferred are not dropped: once their window has reset, the scheduled watch function hands
// each deferred role back to the remediation function, which plans it afresh (and spends from the new window).
import type { ChangeBudget, RemediationQueue } from './ports.js';

export const RETRY_REASON = 'retry: deferred by the change budget';

export async function retryDeferred(deps: {
  budget: Pick<ChangeBudget, 'due' | 'undefer'>;
  queue?: RemediationQueue;
  now: () => string;
}): Promise<string[]> {
  if (!deps.queue) return [];
  const due = await deps.budget.due(deps.now());
  // Enqueued before it is forgotten: a failure in between sends it twice (harmless), never loses it.
  for (const roleArn of due) {
    await deps.queue.enqueue(roleArn, RETRY_REASON);
    await deps.budget.undefer(roleArn);
  }
  return due;
}
