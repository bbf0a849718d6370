// Roles in the world's account: reading one back with the plain IAM SDK, adding more (with task definitions).
import { GetRolePolicyCommand, ListAttachedRolePoliciesCommand, ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import { RegisterTaskDefinitionCommand, type RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import type { AwsClients } from '../../../lib/adapters/aws/clients.js';
import { createRole, fargate, type RoleSpec } from '../../../lib/dev/account-seed.js';
import { DEMO_REGION, roleArn } from '../../../lib/dev/demo/seed.js';
import type { Plan } from '../../../lib/engine/types.js';

/** A role's identity policies read back with the plain IAM SDK: inline documents by name, attached ARNs sorted. */
export interface RoleView {
  inline: Record<string, unknown>;
  attached: string[];
}

export async function readRole(c: Pick<AwsClients, 'iam'>, role: string): Promise<RoleView> {
  const names = (await c.iam.send(new ListRolePoliciesCommand({ RoleName: role }))).PolicyNames ?? [];
  const inline: Record<string, unknown> = {};
  for (const name of names) {
    const raw = (await c.iam.send(new GetRolePolicyCommand({ RoleName: role, PolicyName: name }))).PolicyDocument ?? '';
    inline[name] = JSON.parse(decodeURIComponent(raw)); // IAM returns the document URL-encoded
  }
  const attached = (await c.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: role }))).AttachedPolicies ?? [];
  return { inline, attached: attached.map((p) => p.PolicyArn!).sort() };
}

/** The policy set a role must have after `plan` is applied to `before`: the Leash policy in, deletes and detaches out. */
export function expectedAfter(before: RoleView, plan: Plan): RoleView {
  const inline = Object.fromEntries(Object.entries(before.inline).filter(([name]) => !plan.deleteInline.includes(name)));
  inline[plan.policyName] = plan.document;
  return { inline, attached: before.attached.filter((a) => !plan.detach.includes(a)) };
}

export interface ExtraRole extends Omit<RoleSpec, 'inline'> {
  /** Inline policies by name: their statements. */
  inline?: Record<string, object[]>;
  /** Task definitions that name it as their execution role (family and containers; `taskRole` sets taskRoleArn). */
  taskDefinitions?: {
    family: string;
    containers: NonNullable<RegisterTaskDefinitionCommandInput['containerDefinitions']>;
    taskRole?: string;
  }[];
}

export async function addRoles(c: Pick<AwsClients, 'iam' | 'ecs'>, roles: ExtraRole[]): Promise<void> {
  for (const r of roles) {
    await createRole(c, r);
    for (const td of r.taskDefinitions ?? [])
      await c.ecs.send(new RegisterTaskDefinitionCommand(fargate(td.family, roleArn(r.name), td.containers, td.taskRole)));
  }
}

/** An awslogs configuration for `group` in the demo Region. */
export const awslogs = (group: string) => ({
  logDriver: 'awslogs' as const,
  options: { 'awslogs-group': group, 'awslogs-region': DEMO_REGION, 'awslogs-stream-prefix': 'app' },
});
export const ecrImage = (repo: string) => `123456789012.dkr.ecr.${DEMO_REGION}.amazonaws.com/${repo}:1`;
