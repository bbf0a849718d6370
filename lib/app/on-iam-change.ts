// IAM role and managed-policy changes → recompute the execution roles they touch. Roles that no indexed
// task definition uses as its execution role are not Leash's business and are skipped.
import { roleNameOf } from '../engine/arn.js';
import type { ApiCallEvent } from '../engine/events/cloudtrail-event.js';
import { iamChange, isSkip } from '../engine/events/change-events.js';
import type { RoleIndex, Roles } from './ports.js';
import { recomputeRole, type RecomputeDeps, type RoleSummary } from './recompute-role.js';

export interface IamChangeDeps extends RecomputeDeps {
  roles: Pick<Roles, 'readGrant' | 'rolesUsingPolicy' | 'inInstanceProfile'>;
  index: Pick<RoleIndex, 'allRoles' | 'entriesForRole' | 'taskRoleUses'>;
  selfRoleArns: string[];
}

export interface IamChangeSummary {
  event: string;
  eventName?: string;
  skipped?: string;
  roles: RoleSummary[];
}

export async function onIamChange(call: ApiCallEvent, deps: IamChangeDeps): Promise<IamChangeSummary> {
  const change = iamChange(call, deps.selfRoleArns);
  if (isSkip(change)) return { event: call.id, skipped: change.skip, roles: [] };
  const indexed = await deps.index.allRoles();
  const byName = new Map(indexed.map((arn) => [roleNameOf(arn), arn]));
  const names = change.roleName ? [change.roleName] : (await deps.roles.rolesUsingPolicy(change.policyArn!)).map(roleNameOf);
  const targets = [...new Set(names.map((n) => byName.get(n)).filter((a): a is string => a !== undefined))].sort();
  if (!targets.length) {
    return {
      event: call.id,
      eventName: change.eventName,
      skipped: 'no execution role of an indexed task definition is affected',
      roles: [],
    };
  }
  const roles: RoleSummary[] = [];
  for (const arn of targets) roles.push(await recomputeRole(arn, deps));
  return { event: call.id, eventName: change.eventName, roles };
}
