// What is true of a role now, read at the moment of a decision (planning, approval, apply): its tags (mode, scope,
// CloudFormation/Terraform ownership), trust policy, use as a task role and instance-profile membership. Never taken
// from a stored plan or an event: the guardrails (engine/plan/recheck.ts) are held against these.
import type { CurrentFacts } from '../engine/plan/recheck.js';
import type { Mode, RoleGrant } from '../engine/types.js';
import type { RoleIndex, Roles } from './ports.js';

export interface RoleFactsDeps {
  roles: Pick<Roles, 'readGrant' | 'inInstanceProfile'>;
  index: Pick<RoleIndex, 'taskRoleUses'>;
}

/** The role's facts (undefined when it is gone). `grant`, when the caller just read it, saves reading it again. */
export async function readRoleFacts(
  roleArn: string,
  deps: RoleFactsDeps,
  accountDefaultMode: Mode,
  grant?: RoleGrant,
): Promise<CurrentFacts | undefined> {
  const g = grant ?? (await deps.roles.readGrant(roleArn));
  if (!g) return undefined;
  const [uses, inInstanceProfile] = await Promise.all([
    deps.index.taskRoleUses(g.roleArn),
    // Unreadable (throttled, or a deployment without iam:ListInstanceProfilesForRole) counts as "may be in one": the
    // role is then treated as shared, which only ever makes Leash more careful.
    deps.roles.inInstanceProfile(g.roleArn).catch((): undefined => undefined),
  ]);
  return {
    roleArn: g.roleArn,
    tags: g.tags,
    trustPolicy: g.trustPolicy,
    taskRoleArns: uses.map((u) => u.taskRoleArn),
    inInstanceProfile,
    accountDefaultMode,
  };
}
