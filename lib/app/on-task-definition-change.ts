// RegisterTaskDefinition / DeregisterTaskDefinition / DeleteTaskDefinitions → re-read each revision named,
// update its index entry, and recompute every role it used before or uses now.
import { regionalArn } from '../engine/arn.js';
import type { ApiCallEvent } from '../engine/events/cloudtrail-event.js';
import { isSkip, taskDefinitionChange } from '../engine/events/change-events.js';
import { sameRole } from '../engine/plan/shared-role.js';
import { indexEntryFor } from './index-entry.js';
import type { RoleIndex, TaskDefinitions } from './ports.js';
import { recomputeRole, type RecomputeDeps, type RoleSummary } from './recompute-role.js';

export interface TaskDefinitionDeps extends RecomputeDeps {
  ecs: Pick<TaskDefinitions, 'describe' | 'inUseTaskDefinitionArns'>;
  index: RoleIndex;
  pullThroughPrefixes: string[];
  selfRoleArns: string[];
}

export interface ChangeSummary {
  event: string;
  skipped?: string;
  taskDefinitions: string[];
  roles: RoleSummary[];
}

export async function onTaskDefinitionChange(call: ApiCallEvent, deps: TaskDefinitionDeps): Promise<ChangeSummary> {
  const change = taskDefinitionChange(call, deps.selfRoleArns);
  if (isSkip(change)) return { event: call.id, skipped: change.skip, taskDefinitions: [], roles: [] };
  const roles = new Set<string>();
  const seen: string[] = [];
  let inUse: Set<string> | undefined;
  for (const id of change.taskDefinitions) {
    const td = await deps.ecs.describe(id);
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
    const prev = await deps.index.roleOfTaskDefinition(arn);
    await deps.index.putTaskDefinition(entry);
    if (prev) roles.add(prev);
    if (entry.executionRoleArn) roles.add(entry.executionRoleArn);
    // An execution role that this revision also uses as its task role is now shared: its findings change too.
    if (entry.taskRoleArn) for (const r of await deps.index.allRoles()) if (sameRole(r, entry.taskRoleArn)) roles.add(r);
  }
  const summaries: RoleSummary[] = [];
  for (const role of [...roles].sort()) summaries.push(await recomputeRole(role, deps));
  return { event: call.id, taskDefinitions: seen, roles: summaries };
}
