// Real-time evidence: a CloudTrail denial or an ECS task that stopped. Evidence is authenticated before anything acts
// on it: a CloudTrail record only about a role of its own account, from an account Leash serves; a stopped task only
// about its own task definition's execution role (from the index, or ECS itself), never a role its free text names.
// Authenticated denials are stored (with a TTL) and the role is recomputed; a denial inside a post-apply watch window
// that the applied plan explains asks for a rollback. Text that names another principal is recorded as untrusted.
import { parseArn } from '../engine/arn.js';
import {
  authenticateStoppedTask,
  denialFromCloudTrail,
  isIgnored,
  parseStoppedTask,
  type Denial,
  type StoppedTask,
  type UntrustedEvidence,
} from '../engine/evidence/index.js';
import { requestRollbackOnDenial, type WatchNotice } from './apply/watch-window.js';
import { executionRoleArnOf } from './index-entry.js';
import type { EvidenceStore, RemediationQueue, RoleIndex, TaskDefinitions, Watches } from './ports.js';
import { recomputeRole, type RecomputeDeps, type RoleSummary } from './recompute-role.js';

export interface EvidenceDeps extends RecomputeDeps {
  index: Pick<RoleIndex, 'allRoles' | 'entriesForRole' | 'executionRoleOf' | 'taskRoleUses'>;
  /** DescribeTaskDefinition in the event's account, for a revision the index does not hold yet. */
  ecs: Pick<TaskDefinitions, 'describe'>;
  evidence: Pick<EvidenceStore, 'putDenial' | 'forRole' | 'putUntrusted'>;
  /** The accounts Leash is configured to serve (home and the organization's members): evidence from any other is ignored. */
  servedAccounts: () => Promise<ReadonlySet<string>>;
  /** Post-apply watch windows (read only): an explained denial inside one asks the remediation function to roll back. */
  watches?: Pick<Watches, 'get'>;
  queue?: RemediationQueue;
}

export interface EvidenceSummary {
  event: string;
  skipped?: string;
  denial?: Denial;
  /** Text Leash refused to believe (recorded for people, never a denial). */
  untrusted?: UntrustedEvidence;
  network?: { service?: string; detail: string };
  rolledBack?: boolean;
  /** What the watch made of the denial (rollback requested, or why not), when the role is watched. */
  watch?: WatchNotice;
  role?: RoleSummary;
}

/** An EventBridge event as the edge parsed it: the evidence engine reads the record inside. */
export interface EvidenceEvent {
  id?: string;
  'detail-type': string;
  detail: Record<string, unknown>;
}

async function record(id: string, denial: Denial, deps: EvidenceDeps): Promise<EvidenceSummary> {
  await deps.evidence.putDenial(denial);
  const watched = deps.watches ? await requestRollbackOnDenial(denial, { watches: deps.watches, queue: deps.queue }) : undefined;
  const role = await recomputeRole(denial.roleArn, deps);
  return { event: id, denial, ...(watched ? { watch: watched } : {}), ...(watched?.rolledBack ? { rolledBack: true } : {}), role };
}

export async function onDenialEvent(event: EvidenceEvent, deps: EvidenceDeps): Promise<EvidenceSummary> {
  const id = event.id ?? 'event';
  const roles = new Set(await deps.index.allRoles());
  const result = denialFromCloudTrail(event, { roles, servedAccounts: await deps.servedAccounts() });
  if (isIgnored(result)) return { event: id, skipped: result.ignored };
  return record(id, result, deps);
}

export async function onTaskStopped(event: EvidenceEvent, deps: EvidenceDeps): Promise<EvidenceSummary> {
  const id = event.id ?? 'event';
  const task = parseStoppedTask(event);
  if (isIgnored(task)) return { event: id, skipped: task.ignored };
  const servedAccounts = await deps.servedAccounts();
  const executionRoleArn = await executionRoleFor(task, servedAccounts, deps);
  const result = authenticateStoppedTask(task, { servedAccounts, executionRoleArn });
  switch (result.kind) {
    case 'ignored':
      return { event: id, skipped: result.why };
    case 'network':
      // A network failure (no route to ECR / Secrets Manager / SSM) is not a missing permission: report it as is.
      return { event: id, network: { ...(result.service ? { service: result.service } : {}), detail: result.detail } };
    case 'untrusted':
      await deps.evidence.putUntrusted(result.untrusted);
      return { event: id, skipped: `untrusted: ${result.untrusted.why}`, untrusted: result.untrusted };
    case 'denial': {
      // Only an execution role Leash indexes has an intent to hold the denial against.
      if (!(await deps.index.allRoles()).includes(result.denial.roleArn)) {
        return { event: id, skipped: `role ${result.denial.roleArn} is not an indexed execution role`, denial: result.denial };
      }
      return record(id, result.denial, deps);
    }
  }
}

/**
 * The execution role of the stopped task's own task definition: from the index, else from ECS (DescribeTaskDefinition
 * in the event's account). Only for a served account and a task definition of the event's account: nothing is read
 * on behalf of an event that cannot be evidence anyway.
 */
async function executionRoleFor(task: StoppedTask, served: ReadonlySet<string>, deps: EvidenceDeps): Promise<string | null | undefined> {
  const td = parseArn(task.taskDefinitionArn);
  if (!served.has(task.account) || td?.service !== 'ecs' || td.account !== task.account) return undefined;
  const indexed = await deps.index.executionRoleOf(task.taskDefinitionArn);
  if (indexed !== undefined) return indexed;
  const described = await deps.ecs.describe(task.taskDefinitionArn);
  if (!described?.taskDefinitionArn || described.taskDefinitionArn !== task.taskDefinitionArn) return undefined;
  return executionRoleArnOf(described) ?? null;
}
