// The real handlers (functions/*.ts `run`, what `handler` calls after the middleware) bound to a world's deps.
import type { SweepDeps } from '../../../lib/app/sweep.js';
import type { Remediation } from '../../../lib/composition-remediation.js';
import { run as runApprovals } from '../../../functions/approvals.js';
import { run as runDenial } from '../../../functions/denial.js';
import { run as runIamChange } from '../../../functions/iam-change.js';
import { run as runReconcile } from '../../../functions/reconcile.js';
import { run as runRemediate } from '../../../functions/remediate.js';
import { run as runTaskDefinitionChange } from '../../../functions/task-definition-change.js';
import { run as runTaskStopped } from '../../../functions/task-stopped.js';
import { run as runWatch } from '../../../functions/watch.js';

type Ev = Record<string, unknown>;

export interface Handlers {
  taskDefinitionChange: (e: unknown) => ReturnType<typeof runTaskDefinitionChange>;
  iamChange: (e: unknown) => ReturnType<typeof runIamChange>;
  denial: (e: unknown) => ReturnType<typeof runDenial>;
  taskStopped: (e: unknown) => ReturnType<typeof runTaskStopped>;
  /** The sweep only: moto has no CloudTrail LookupEvents for the evidence backfill (tested in test/app/backfill.test.ts). */
  reconcile: (e: unknown, opts?: Partial<Pick<SweepDeps, 'timeLeft' | 'sweep'>>) => ReturnType<typeof runReconcile>;
  remediate: (e: unknown) => ReturnType<typeof runRemediate>;
  watch: (e: unknown) => ReturnType<typeof runWatch>;
  approvals: (e: unknown) => ReturnType<typeof runApprovals>;
  /** Which handler receives an event file, by the file's shape. */
  for(e: Ev): (e: unknown) => Promise<unknown>;
  /** The EventBridge handlers by Lambda short name (what `serverless` names `leash-<stage>-<name>`). */
  byName: Record<string, (e: unknown) => Promise<unknown>>;
}

export function handlers(deps: Remediation): Handlers {
  const { cloudTrail: _cloudTrail, ...sweepOnly } = deps;
  const h = {
    taskDefinitionChange: (ev: unknown) => runTaskDefinitionChange(ev, deps),
    iamChange: (ev: unknown) => runIamChange(ev, deps),
    denial: (ev: unknown) => runDenial(ev, deps),
    taskStopped: (ev: unknown) => runTaskStopped(ev, deps),
    reconcile: (ev: unknown, o: Partial<Pick<SweepDeps, 'timeLeft' | 'sweep'>> = {}) =>
      runReconcile(ev, { ...sweepOnly, concurrency: 4, timeLeft: () => 600_000, ...o }),
    remediate: (ev: unknown) => runRemediate(ev, deps),
    watch: (ev: unknown) => runWatch(ev, deps),
    approvals: (ev: unknown) => runApprovals(ev, deps),
  };
  return {
    ...h,
    for(ev) {
      if (ev['detail-type'] === 'ECS Task State Change') return h.taskStopped;
      if (ev['detail-type'] === 'Scheduled Event') return h.reconcile;
      const d = ev.detail as { errorCode?: string } | undefined;
      if (ev.source === 'aws.ecs') return h.taskDefinitionChange;
      if (ev.source === 'aws.iam') return h.iamChange;
      if (d?.errorCode) return h.denial;
      throw new Error(`no handler for event ${String(ev.id)}`);
    },
    byName: {
      'task-definition-change': h.taskDefinitionChange,
      'iam-change': h.iamChange,
      denial: h.denial,
      'task-stopped': h.taskStopped,
    },
  };
}
