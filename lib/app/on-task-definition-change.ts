// RegisterTaskDefinition / DeregisterTaskDefinition / DeleteTaskDefinitions → re-read each revision named,
// update its index entry, and recompute every role it used before or uses now.
import { parseArn, regionalArn } from '../engine/arn.js';
import type { ApiCallEvent } from '../engine/events/cloudtrail-event.js';
import { isSkip, taskDefinitionChange, type TaskDefinitionChange } from '../engine/events/change-events.js';
import type { TaskDefinition } from '../engine/types.js';
import { indexEntryFor } from './index-entry.js';
import type { RoleIndex, TaskDefinitions } from './ports.js';
import { recomputeRole, type RecomputeDeps, type RoleSummary } from './recompute-role.js';

export interface TaskDefinitionDeps extends RecomputeDeps {
  ecs: Pick<TaskDefinitions, 'describe' | 'inUseTaskDefinitionArns'>;
  index: RoleIndex;
  pullThroughPrefixes: string[];
  selfRoleArns: string[];
  /** The bound on stored role facts this handler may use (StoredRoleFacts); absent: it reads them live. */
  eventFactsMaxAgeMs?: number;
}

export interface ChangeSummary {
  event: string;
  skipped?: string;
  taskDefinitions: string[];
  roles: RoleSummary[];
}

/**
 * The revision as registered: AWS itself puts it in the event's responseElements (immutable, so it is used as it is),
 * when it is whole and belongs to the event's own account and Region; otherwise it is described.
 */
function registered(change: TaskDefinitionChange, id: string): TaskDefinition | undefined {
  if (change.kind !== 'register') return undefined;
  const td = change.call.responseElements.taskDefinition as TaskDefinition | undefined;
  const arn = td && typeof td === 'object' ? parseArn(String(td.taskDefinitionArn)) : undefined;
  if (!arn || td!.taskDefinitionArn !== id || arn.account !== change.call.account || arn.region !== change.call.region) return undefined;
  return Array.isArray(td!.containerDefinitions) ? td : undefined;
}

export async function onTaskDefinitionChange(call: ApiCallEvent, deps: TaskDefinitionDeps): Promise<ChangeSummary> {
  const change = taskDefinitionChange(call, deps.selfRoleArns);
  if (isSkip(change)) return { event: call.id, skipped: change.skip, taskDefinitions: [], roles: [] };
  const roles = new Set<string>();
  const seen: string[] = [];
  let inUse: Set<string> | undefined;
  for (const id of change.taskDefinitions) {
    const td = registered(change, id) ?? (await deps.ecs.describe(id));
    const observedAt = deps.now();
    if (!td?.taskDefinitionArn) {
      // Gone entirely (deleted): nothing can run it any more, so its share of the intent goes.
      const arn = id.startsWith('arn:') ? id : regionalArn('ecs', call.region, call.account, `task-definition/${id}`);
      const prev = arn && (await deps.index.roleOfTaskDefinition(arn));
      if (arn && prev) {
        roles.add(prev);
        await deps.index.remove(arn, observedAt);
      }
      continue;
    }
    const arn = td.taskDefinitionArn;
    seen.push(arn);
    const active = td.status === undefined || td.status === 'ACTIVE';
    // A deregistered revision may still run under a service or as a task: it keeps its intent while it does.
    if (!active) inUse ??= await deps.ecs.inUseTaskDefinitionArns();
    const entry = indexEntryFor(td, { pullThroughPrefixes: deps.pullThroughPrefixes, inUse: active || inUse!.has(arn), observedAt });
    const { previous } = await deps.index.putTaskDefinition(entry, { expectNew: change.kind === 'register' });
    if (previous?.roleArn) roles.add(previous.roleArn);
    if (entry.executionRoleArn) roles.add(entry.executionRoleArn);
    // A role this revision names as its task role learns it from the TASKUSE item in its own partition at its next
    // assessment (the sweep reads every use live); decisions about it always read its uses live.
  }
  const recompute = { ...deps, ...(deps.eventFactsMaxAgeMs ? { factsMaxAgeMs: deps.eventFactsMaxAgeMs } : {}) };
  const summaries: RoleSummary[] = [];
  for (const role of [...roles].sort()) summaries.push(await recomputeRole(role, recompute));
  return { event: call.id, taskDefinitions: seen, roles: summaries };
}
