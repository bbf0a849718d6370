// The events in events/ and the demo account's ARNs: loading an event, re-aiming it, making in moto the change an IAM
// event records, and the findings the demo account starts with.
import { CreateServiceCommand, RegisterTaskDefinitionCommand, type RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import {
  AttachRolePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  PutRolePolicyCommand,
  SetDefaultPolicyVersionCommand,
  TagRoleCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import type { AwsClients } from '../../../lib/adapters/aws/clients.js';
import { DEMO_ACCOUNT as ACCOUNT, DEMO_REGION as REGION, demoTaskDefinitions } from '../../../lib/dev/demo/seed.js';
import type { Finding } from '../../../lib/engine/types.js';
import { loadEventJson } from '../corpus.js';

export { REGION };
/** After every event in events/ (the last denial is 2026-11-22T08:02:43Z), inside every evidence window. */
export const NOW = '2026-11-22T10:00:00.000Z';

type Ev = Record<string, unknown>;

export const tdArn = (familyRevision: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${familyRevision}`;
export const ecrRepo = (name: string, account = ACCOUNT) => `arn:aws:ecr:${REGION}:${account}:repository/${name}`;
export const logGroup = (name: string) => `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${name}`;
export const parameter = (path: string) => `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/${path.replace(/^\//, '')}`;
export const secret = (nameWithSuffix: string) => `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${nameWithSuffix}`;

/**
 * web-exec's findings against the seeded ecs-exec-shared policy (spec §2.3 rows 1, 1b, 7, 7b, 8, 9): CreateLogGroup
 * is not granted (both ARN forms needed), and every wildcard grant that an exact ARN would serve is too broad.
 */
export const WEB_SEEDED_FINDINGS = [
  `missing logs:CreateLogGroup ${logGroup('/ecs/web')}`,
  `missing logs:CreateLogGroup ${logGroup('/ecs/web')}:*`,
  `too-broad ecr:BatchCheckLayerAvailability ${ecrRepo('web/*')}`,
  `too-broad ecr:BatchGetImage ${ecrRepo('web/*')}`,
  `too-broad ecr:GetDownloadUrlForLayer ${ecrRepo('web/*')}`,
  `too-broad secretsmanager:GetSecretValue ${secret('web/stripe-*')}`,
  `too-broad ssm:GetParameters ${parameter('/web/prod/*')}`,
].sort();

/** A fresh copy of an event in events/. */
export const event = (name: string): Ev => loadEventJson<Ev>(name);

const detail = (e: Ev) => e.detail as { requestParameters: Record<string, unknown>; responseElements: Record<string, unknown> | null };

/** register-task-definition.json, re-aimed at another revision (as CloudTrail would record its registration). */
export function registerEvent(familyRevision: string, id = `register-${familyRevision}`): Ev {
  const e = event('register-task-definition.json');
  const [family, revision] = familyRevision.split(':') as [string, string];
  e.id = id;
  detail(e).requestParameters.family = family;
  // Only the identifiers: the handler takes a whole registered revision from responseElements as it is, and this
  // event is reused for revisions registered in moto with other contents, so the handler must describe them.
  detail(e).responseElements!.taskDefinition = { taskDefinitionArn: tdArn(familyRevision), family, revision: Number(revision) };
  return e;
}

/** deregister-task-definition.json for another revision. */
export function deregisterEvent(familyRevision: string, id = `deregister-${familyRevision}`): Ev {
  const e = event('deregister-task-definition.json');
  e.id = id;
  detail(e).requestParameters.taskDefinition = familyRevision;
  return e;
}

/** A web-exec revision whose secret is needed by no other revision, so whether it counts is visible in findings. */
export function soloRevision(family: string, secretWithSuffix: string): RegisterTaskDefinitionCommandInput {
  const base = demoTaskDefinitions[0]!;
  const [container] = base.containerDefinitions!;
  return {
    ...base,
    family,
    containerDefinitions: [{ ...container!, name: family, secrets: [{ name: 'SOLO', valueFrom: secret(secretWithSuffix) }] }],
  };
}

export async function registerInMoto(clients: AwsClients, td: RegisterTaskDefinitionCommandInput, service?: string): Promise<string> {
  const arn = (await clients.ecs.send(new RegisterTaskDefinitionCommand(td))).taskDefinition!.taskDefinitionArn!;
  if (service)
    await clients.ecs.send(new CreateServiceCommand({ cluster: 'prod', serviceName: service, taskDefinition: arn, desiredCount: 1 }));
  return arn;
}

/** Makes in moto the change an IAM event in events/ records, from its requestParameters (as the demo does). */
export async function enact(clients: AwsClients, e: Ev): Promise<void> {
  const d = e.detail as { eventName: string; requestParameters: Record<string, never> };
  const p = d.requestParameters;
  const tags = (list: { key: string; value: string }[] = []) => list.map((t) => ({ Key: t.key, Value: t.value }));
  const iam = clients.iam;
  switch (d.eventName) {
    case 'PutRolePolicy':
      return void (await iam.send(
        new PutRolePolicyCommand({ RoleName: p.roleName, PolicyName: p.policyName, PolicyDocument: p.policyDocument }),
      ));
    case 'DeleteRolePolicy':
      return void (await iam.send(new DeleteRolePolicyCommand({ RoleName: p.roleName, PolicyName: p.policyName })));
    case 'AttachRolePolicy':
      return void (await iam.send(new AttachRolePolicyCommand({ RoleName: p.roleName, PolicyArn: p.policyArn })));
    case 'DetachRolePolicy':
      return void (await iam.send(new DetachRolePolicyCommand({ RoleName: p.roleName, PolicyArn: p.policyArn })));
    case 'CreatePolicyVersion':
      return void (await iam.send(
        new CreatePolicyVersionCommand({ PolicyArn: p.policyArn, PolicyDocument: p.policyDocument, SetAsDefault: p.setAsDefault }),
      ));
    case 'SetDefaultPolicyVersion':
      return void (await iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: p.policyArn, VersionId: p.versionId })));
    case 'UpdateAssumeRolePolicy':
      return void (await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: p.roleName, PolicyDocument: p.policyDocument })));
    case 'CreateRole':
      return void (await iam.send(
        new CreateRoleCommand({
          RoleName: p.roleName,
          AssumeRolePolicyDocument: p.assumeRolePolicyDocument,
          Description: p.description,
          Tags: tags(p.tags),
        }),
      ));
    case 'TagRole':
      return void (await iam.send(new TagRoleCommand({ RoleName: p.roleName, Tags: tags(p.tags) })));
    case 'DeleteRole': {
      // IAM refuses to delete a role that still has policies: the operator removed them first.
      const inline = (await iam.send(new ListRolePoliciesCommand({ RoleName: p.roleName }))).PolicyNames ?? [];
      for (const name of inline) await iam.send(new DeleteRolePolicyCommand({ RoleName: p.roleName, PolicyName: name }));
      const attached = (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: p.roleName }))).AttachedPolicies ?? [];
      for (const a of attached) await iam.send(new DetachRolePolicyCommand({ RoleName: p.roleName, PolicyArn: a.PolicyArn }));
      return void (await iam.send(new DeleteRoleCommand({ RoleName: p.roleName })));
    }
    default:
      throw new Error(`enact: no IAM change for ${d.eventName}`);
  }
}

/** Every event in events/ that a deployed Leash function receives, with that function. */
export const SCENARIO: [fn: string, event: string][] = [
  ['task-definition-change', 'register-task-definition.json'],
  ['task-definition-change', 'register-task-definition-failed.json'],
  ['task-definition-change', 'deregister-task-definition.json'],
  ['iam-change', 'attach-role-policy.json'],
  ['iam-change', 'create-policy-version.json'],
  ['iam-change', 'create-role.json'],
  ['iam-change', 'delete-role-policy.json'],
  ['iam-change', 'delete-role.json'],
  ['iam-change', 'detach-role-policy.json'],
  ['iam-change', 'put-role-policy.json'],
  ['iam-change', 'put-role-policy-by-leash.json'],
  ['iam-change', 'set-default-policy-version.json'],
  ['iam-change', 'tag-role.json'],
  ['iam-change', 'update-assume-role-policy.json'],
  ['denial', 'denial-ecr.json'],
  ['denial', 'denial-kms.json'],
  ['denial', 'denial-logs.json'],
  ['denial', 'denial-secretsmanager.json'],
  ['denial', 'denial-ssm.json'],
  ['task-stopped', 'task-stopped-access-denied.json'],
  ['task-stopped', 'task-stopped-cannot-pull.json'],
  ['task-stopped', 'task-stopped-essential-exit.json'],
  ['task-stopped', 'task-stopped-network.json'],
];

/** (kind, action, resource) of each finding, sorted: what the assertions compare. */
export function keysOf(findings: Finding[] | undefined, kind?: Finding['kind']): string[] {
  return (findings ?? [])
    .filter((f) => !kind || f.kind === kind)
    .map((f) => `${f.kind} ${f.action} ${f.resource}`)
    .sort();
}
