// The scheduled watch tick: closes post-apply watch windows whose time is up (the rollback itself runs in remediate),
// hands unfinished rollbacks back to remediate, and re-queues the roles the change budget deferred once their window
// has reset.
import type { Applier } from './apply/applier.js';
import { RESUME_REASON } from './apply/watch-window.js';
import type { ChangeBudget, RemediationQueue } from './ports.js';
import { retryDeferred } from './retry-deferred.js';

export interface WatchTickDeps {
  applier: Pick<Applier, 'closeExpiredWatches' | 'unfinishedRollbacks'>;
  budget: Pick<ChangeBudget, 'due' | 'undefer'>;
  queue?: RemediationQueue;
  now: () => string;
}

export async function closeWatches(deps: WatchTickDeps): Promise<{ closed: string[]; retried: string[] }> {
  // A window whose rollback has not reached the stored state stays open; the rollback is handed back to remediate.
  const unfinished = await deps.applier.unfinishedRollbacks(deps.now());
  for (const roleArn of unfinished) await deps.queue?.enqueue(roleArn, RESUME_REASON);
  return { closed: await deps.applier.closeExpiredWatches(deps.now()), retried: [...(await retryDeferred(deps)), ...unfinished] };
}
