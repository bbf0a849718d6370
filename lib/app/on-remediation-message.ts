// The remediation queue's messages: `{roleArn, reason}`. A rollback request re-checks the watch window and rolls
// back; anything else (re)plans the role per its mode. Each message stands alone: it re-reads current state.
import { EventError } from '../errors.js';
import { remediateRole, type RemediationDeps, type RemediationSummary } from './remediate.js';
import { ROLLBACK_REASON } from './watch.js';

export interface RemediationMessageDeps extends RemediationDeps {
  rolePatcher: { onDenial(roleArn: string, denialAt: string): Promise<{ rolledBack: boolean; notice: string } | undefined> };
}

export type MessageOutcome = RemediationSummary | { roleArn: string; outcome: 'rolled-back' | 'not-rolled-back'; why: string };

export function parseRemediationMessage(body: string, source: string): { roleArn: string; reason: string } {
  let msg: unknown;
  try {
    msg = JSON.parse(body);
  } catch (cause) {
    throw new EventError('message body is not JSON', source, '$', { cause });
  }
  const m = msg as { roleArn?: unknown; reason?: unknown };
  if (typeof m?.roleArn !== 'string' || !/^arn:aws[a-z-]*:iam::\d{12}:role\//.test(m.roleArn)) {
    throw new EventError('expected roleArn, an IAM role ARN', source, '$.roleArn');
  }
  return { roleArn: m.roleArn, reason: typeof m.reason === 'string' ? m.reason : '' };
}

export async function onRemediationMessage(
  msg: { roleArn: string; reason: string },
  deps: RemediationMessageDeps,
  run: { changedThisRun: number },
): Promise<MessageOutcome> {
  if (msg.reason.startsWith(ROLLBACK_REASON)) {
    const at = msg.reason.slice(ROLLBACK_REASON.length).trim() || deps.now();
    const notice = await deps.rolePatcher.onDenial(msg.roleArn, at);
    return {
      roleArn: msg.roleArn,
      outcome: notice?.rolledBack ? 'rolled-back' : 'not-rolled-back',
      why: notice?.notice ?? 'no open watch window for this role',
    };
  }
  return remediateRole(msg.roleArn, deps, run);
}
