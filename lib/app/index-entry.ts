// Turns one task definition, as ECS describes it now, into its role-index entry (its own share of the intent).
import { parseArn } from '../engine/arn.js';
import { deriveIntent } from '../engine/intent/index.js';
import type { TaskDefinition } from '../engine/types.js';
import type { IndexEntry } from './ports.js';

/** ECS accepts a bare role name for executionRoleArn and taskRoleArn; the index always keys by the full role ARN. */
function roleArnOf(td: TaskDefinition, role: string | null | undefined): string | undefined {
  if (!role) return undefined;
  if (role.startsWith('arn:')) return role;
  const tdArn = td.taskDefinitionArn ? parseArn(td.taskDefinitionArn) : undefined;
  return tdArn ? `arn:${tdArn.partition}:iam::${tdArn.account}:role/${role}` : undefined;
}

export const executionRoleArnOf = (td: TaskDefinition): string | undefined => roleArnOf(td, td.executionRoleArn);
export const taskRoleArnOf = (td: TaskDefinition): string | undefined => roleArnOf(td, td.taskRoleArn);

export function indexEntryFor(td: TaskDefinition, opts: { pullThroughPrefixes: string[]; inUse: boolean; observedAt: string }): IndexEntry {
  const arn = td.taskDefinitionArn;
  if (!arn) throw new Error('a described task definition always has an ARN');
  const intent = deriveIntent([{ source: arn, taskDefinition: td }], { pullThroughPrefixes: opts.pullThroughPrefixes });
  const executionRoleArn = executionRoleArnOf(td);
  const taskRoleArn = taskRoleArnOf(td);
  return {
    taskDefinitionArn: arn,
    family: td.family ?? arn.split('/').pop()!.split(':')[0]!,
    revision: td.revision ?? Number(arn.split(':').pop()),
    status: td.status ?? 'ACTIVE',
    ...(executionRoleArn ? { executionRoleArn } : {}),
    ...(taskRoleArn ? { taskRoleArn } : {}),
    requirements: intent.requirements,
    unresolved: intent.unresolved,
    inUse: opts.inUse,
    observedAt: opts.observedAt,
  };
}
