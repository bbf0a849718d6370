// The remediation queue's messages: `{roleArn, reason}` (parsed at the edge). A rollback request re-checks the watch
// window and rolls back; anything else (re)plans the role per its mode. Each message stands alone: it re-reads state.
import type { Applier } from './apply/applier.js';
import { rollbackRequestAt } from './apply/watch-window.js';
import { remediateRole, type RemediationDeps, type RemediationSummary } from './remediate.js';

export interface RemediationMessageDeps extends RemediationDeps {
  applier: Pick<Applier, 'apply' | 'onDenial'>;
}

export type MessageOutcome = RemediationSummary | { roleArn: string; outcome: 'rolled-back' | 'not-rolled-back'; why: string };

/** Roles changed so far in this invocation: the cap on changes per run counts across its messages. */
export interface RunCounter {
  changedThisRun: number;
}

export async function onRemediationMessage(
  msg: { roleArn: string; reason: string },
  deps: RemediationMessageDeps,
  run: RunCounter,
): Promise<MessageOutcome> {
  const denialAt = rollbackRequestAt(msg.reason);
  const outcome: MessageOutcome =
    denialAt !== undefined ? await rollback(msg.roleArn, denialAt || deps.now(), deps) : await remediateRole(msg.roleArn, deps, run);
  if (outcome.outcome === 'applied' || outcome.outcome === 'rolled-back') run.changedThisRun++;
  return outcome;
}

async function rollback(roleArn: string, at: string, deps: RemediationMessageDeps): Promise<MessageOutcome> {
  const notice = await deps.applier.onDenial(roleArn, at);
  return {
    roleArn,
    outcome: notice?.rolledBack ? 'rolled-back' : 'not-rolled-back',
    why: notice?.notice ?? 'no open watch window for this role',
  };
}
