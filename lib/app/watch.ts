// Post-apply watch. The denial function only reads: when a denial lands inside a role's watch window it asks the
// remediation function (the one allowed to write IAM) to roll back; that function re-checks the window itself.
import type { Watch } from '../adapters/aws/state-store.js';
import type { RemediationQueuePort } from './ports.js';

export const ROLLBACK_REASON = 'rollback';

export function watchForDenials(store: { getWatch(roleArn: string): Promise<Watch | undefined> }, queue: RemediationQueuePort | undefined) {
  return {
    async onDenial(roleArn: string, denialAt: string): Promise<{ rolledBack: boolean; notice?: string } | undefined> {
      const w = await store.getWatch(roleArn);
      const t = Date.parse(denialAt);
      if (!w || !(t >= Date.parse(w.openedAt) && t <= Date.parse(w.until))) return undefined;
      if (!queue) return { rolledBack: false, notice: 'denial inside a watch window, but no remediation queue is configured' };
      await queue.enqueue(roleArn, `${ROLLBACK_REASON} ${denialAt}`);
      return { rolledBack: false, notice: `denial inside the watch window of plan ${w.planHash}: rollback requested` };
    },
  };
}
