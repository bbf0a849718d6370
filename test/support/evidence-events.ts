// Evidence events built from the real-shaped ones in events/: an ECS task that stopped (with its reason as ECS writes
// it, or as a person forging it writes it) and a CloudTrail denial, re-aimed at another role, secret, revision or time.
import { RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import type { AwsClients } from '../../lib/adapters/aws/clients.js';
import { DEMO_ACCOUNT, DEMO_REGION, demoTaskDefinitions } from '../../lib/dev/demo/seed.js';
import { loadEventJson } from './corpus.js';

type Json = Record<string, unknown> & { detail: Record<string, unknown> };

export const secretArn = (nameWithSuffix: string, account = DEMO_ACCOUNT) =>
  `arn:aws:secretsmanager:${DEMO_REGION}:${account}:secret:${nameWithSuffix}`;
export const tdArnOf = (familyRevision: string, account = DEMO_ACCOUNT) =>
  `arn:aws:ecs:${DEMO_REGION}:${account}:task-definition/${familyRevision}`;

/** The reason ECS writes when the execution role `role` (of `account`) was denied `secret` while the task started. */
export function deniedSecretReason(role: string, secret: string, account = DEMO_ACCOUNT): string {
  return (
    `ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve ` +
    `secret from asm: service call has been retried 1 time(s): failed to fetch secret ${secret} from secrets manager: operation ` +
    `error Secrets Manager: GetSecretValue, https response error StatusCode: 400, RequestID: 9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d, ` +
    `api error AccessDeniedException: User: arn:aws:sts::${account}:assumed-role/${role}/2c4e6a8b0d1f43e5a7c9e1b3d5f7a9c1 is not ` +
    `authorized to perform: secretsmanager:GetSecretValue on resource: ${secret} because no identity-based policy allows the ` +
    `secretsmanager:GetSecretValue action. Please check your task network configuration.`
  );
}

export interface StoppedTaskOptions {
  /** `family:revision` of the task definition (in `tdAccount`); default billing:1. */
  taskDefinition?: string;
  /** The EventBridge envelope's account (where ECS emitted the event). */
  account?: string;
  /** The account of the task and task definition ARNs; default the envelope's. */
  tdAccount?: string;
  stopCode?: string;
  reason?: string;
  at?: string;
  id?: string;
}

/** events/task-stopped-access-denied.json re-aimed: same shape, another task definition, account, stop code or reason. */
export function stoppedTask(o: StoppedTaskOptions = {}): Json {
  const e = loadEventJson<Json>('task-stopped-access-denied.json');
  const account = o.account ?? DEMO_ACCOUNT;
  const tdAccount = o.tdAccount ?? account;
  const text = JSON.stringify(e)
    .replaceAll(`:${DEMO_ACCOUNT}:`, `:${tdAccount}:`)
    .replaceAll('task-definition/billing:1', `task-definition/${o.taskDefinition ?? 'billing:1'}`);
  const out = JSON.parse(text) as Json;
  out.account = account;
  if (o.id) out.id = o.id;
  if (o.stopCode !== undefined) out.detail.stopCode = o.stopCode;
  if (o.reason !== undefined) out.detail.stoppedReason = o.reason;
  if (o.at) Object.assign(out, { time: o.at, detail: { ...out.detail, stoppedAt: o.at, updatedAt: o.at } });
  return out;
}

/** events/denial-secretsmanager.json made by `role` for `secret` at `at` (a fresh event id per call). */
export function cloudTrailDenial(role: string, secret: string, at: string, id = `denial-${role}-${at}`): Json {
  const text = JSON.stringify(loadEventJson('denial-secretsmanager.json'))
    .replaceAll('reports-exec', role)
    .replaceAll(secretArn('reports/smtp-QwErTy'), secret);
  const e = JSON.parse(text) as Json;
  return { ...e, id, time: at, detail: { ...e.detail, eventTime: at, eventID: id } };
}

/** Registers billing's next revision in moto, which also reads `secret`: a deployment made after a plan was applied. */
export async function registerBillingReading(clients: AwsClients, secret: string): Promise<string> {
  const billing = demoTaskDefinitions.find((t) => t.family === 'billing')!;
  const [container] = billing.containerDefinitions!;
  const td = await clients.ecs.send(
    new RegisterTaskDefinitionCommand({
      ...billing,
      containerDefinitions: [{ ...container!, secrets: [...(container!.secrets ?? []), { name: 'API_KEY', valueFrom: secret }] }],
    }),
  );
  return td.taskDefinition!.taskDefinitionArn!;
}
