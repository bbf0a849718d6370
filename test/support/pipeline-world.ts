// The demo account (lib/dev/demo/seed.ts) on moto, driven through the real handlers in functions/ with a fixed clock:
// what the pipeline integration tests share. Adds an SQS queue subscribed to the findings topic WITHOUT raw
// delivery, so the SNS envelope (Subject included) can be read back.
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
import { SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { makeClients, type AwsClients } from '../../lib/adapters/aws/clients.js';
import type { IndexEntry as RoleIndexEntry } from '../../lib/engine/types.js';
import type { SweepDeps } from '../../lib/app/sweep.js';
import { buildPipeline, type Pipeline } from '../../lib/composition.js';
import { loadConfig } from '../../lib/config.js';
import { DEMO_ACCOUNT, DEMO_REGION, demoTaskDefinitions, roleArn, seedDemo, type DemoResources } from '../../lib/dev/demo/seed.js';
import type { Finding } from '../../lib/engine/types.js';
import { run as runDenial } from '../../functions/denial.js';
import { run as runIamChange } from '../../functions/iam-change.js';
import { run as runReconcile } from '../../functions/reconcile.js';
import { run as runTaskDefinitionChange } from '../../functions/task-definition-change.js';
import { run as runTaskStopped } from '../../functions/task-stopped.js';
import { loadEventJson } from './corpus.js';

export { roleArn };
export const ACCOUNT = DEMO_ACCOUNT;
export const REGION = DEMO_REGION;
/** After every event in events/ (the last denial is 2026-11-22T08:02:43Z), inside every evidence window. */
export const NOW = '2026-11-22T10:00:00.000Z';
export const SELF_ROLE = `arn:aws:iam::${ACCOUNT}:role/leash-prod-remediate`;

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

export interface Endpoint {
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/** One SNS notification as a subscriber sees it. */
export interface Notice {
  subject: string;
  role: string;
  /** The readable finding lines (`[severity] kind: action on resource (reason)`). */
  lines: string[];
}

export interface Snapshot {
  index: Record<string, RoleIndexEntry[]>;
  findings: Record<string, Finding[] | null>;
}

type Ev = Record<string, unknown>;
type Run = (event: unknown) => Promise<unknown>;

export interface World {
  deps: Pipeline;
  clients: AwsClients;
  demo: DemoResources;
  run: {
    taskDefinitionChange: (e: unknown) => ReturnType<typeof runTaskDefinitionChange>;
    iamChange: (e: unknown) => ReturnType<typeof runIamChange>;
    denial: (e: unknown) => ReturnType<typeof runDenial>;
    taskStopped: (e: unknown) => ReturnType<typeof runTaskStopped>;
    reconcile: (e: unknown, opts?: Partial<Pick<SweepDeps, 'timeLeft' | 'sweep'>>) => ReturnType<typeof runReconcile>;
  };
  /** Which handler receives an event file, by the file's shape. */
  handlerFor(e: Ev): Run;
  /** Reads (and keeps invisible for 10 minutes) every notification waiting in the envelope inbox. */
  notices(): Promise<Notice[]>;
  entries(role: string): Promise<RoleIndexEntry[]>;
  findings(role: string): Promise<Finding[] | undefined>;
  snapshot(roles: string[]): Promise<Snapshot>;
}

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

function parseNotice(body: string): Notice {
  const env = JSON.parse(body) as { Subject?: string; Message?: string };
  const message = env.Message ?? '';
  const head = message.split('\n\n{')[0]!;
  return {
    subject: env.Subject ?? '',
    role: /^Role: (.+)$/m.exec(head)?.[1] ?? '',
    lines: head.split('\n').filter((l) => l.startsWith('[')),
  };
}

export async function createWorld(e: Endpoint, opts: { now?: () => string } = {}): Promise<World> {
  const aws = { region: REGION, endpoint: e.endpoint, credentials: e.credentials };
  const clients = makeClients(aws);
  const demo = await seedDemo(clients);
  const inboxUrl = (await clients.sqs.send(new CreateQueueCommand({ QueueName: 'test-envelope-inbox' }))).QueueUrl!;
  const inboxArn = (await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: inboxUrl, AttributeNames: ['QueueArn'] }))).Attributes!
    .QueueArn!;
  await clients.sns.send(new SubscribeCommand({ TopicArn: demo.topicArn, Protocol: 'sqs', Endpoint: inboxArn }));
  const config = {
    ...loadConfig({ LEASH_DRY_RUN: 'true' }),
    table: demo.table,
    topicArn: demo.topicArn,
    remediationQueueUrl: demo.remediationQueueUrl,
    selfRoleArns: [SELF_ROLE],
  };
  const deps = buildPipeline(config, aws, { now: opts.now ?? (() => NOW) });
  const { cloudTrail: _cloudTrail, ...sweepOnly } = deps;
  const run: World['run'] = {
    taskDefinitionChange: (ev) => runTaskDefinitionChange(ev, deps),
    iamChange: (ev) => runIamChange(ev, deps),
    denial: (ev) => runDenial(ev, deps),
    taskStopped: (ev) => runTaskStopped(ev, deps),
    // The sweep only: moto has no CloudTrail LookupEvents for the evidence backfill (tested in test/app/backfill.test.ts).
    reconcile: (ev, o = {}) => runReconcile(ev, { ...sweepOnly, concurrency: 4, timeLeft: () => 600_000, ...o }),
  };
  const world: World = {
    deps,
    clients,
    demo,
    run,
    handlerFor(ev) {
      if (ev['detail-type'] === 'ECS Task State Change') return run.taskStopped;
      if (ev['detail-type'] === 'Scheduled Event') return run.reconcile;
      const d = ev.detail as { errorCode?: string } | undefined;
      if (ev.source === 'aws.ecs') return run.taskDefinitionChange;
      if (ev.source === 'aws.iam') return run.iamChange;
      if (d?.errorCode) return run.denial;
      throw new Error(`no handler for event ${String(ev.id)}`);
    },
    async notices() {
      const out: Notice[] = [];
      for (;;) {
        const res = await clients.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: inboxUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 600 }),
        );
        if (!res.Messages?.length) return out;
        out.push(...res.Messages.map((m) => parseNotice(m.Body ?? '{}')));
      }
    },
    async entries(role) {
      return (await deps.index.entriesForRole(role)).sort((a, b) => a.taskDefinitionArn.localeCompare(b.taskDefinitionArn));
    },
    async findings(role) {
      return (await deps.findings.current(role))?.findings;
    },
    async snapshot(roles) {
      const snap: Snapshot = { index: {}, findings: {} };
      for (const r of [...roles].sort()) {
        snap.index[r] = await world.entries(r);
        snap.findings[r] = (await world.findings(r)) ?? null;
      }
      return snap;
    },
  };
  return world;
}

/** (kind, action, resource) of each finding, sorted: what the assertions compare. */
export function keysOf(findings: Finding[] | undefined, kind?: Finding['kind']): string[] {
  return (findings ?? [])
    .filter((f) => !kind || f.kind === kind)
    .map((f) => `${f.kind} ${f.action} ${f.resource}`)
    .sort();
}
