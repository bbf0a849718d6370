// Shared set-up for the end-to-end remediation and approval tests: a small account on moto (billing-exec and
// reports-exec as in the demo, their task definitions, the table, the remediation queue, the findings topic with
// an SQS inbox), a Slack fake, an injected clock, and the real remediation runtime (buildRemediation) over it.
import type { AccessAnalyzerClient } from '@aws-sdk/client-accessanalyzer';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { RegisterTaskDefinitionCommand, type RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import {
  CreateRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  PutRolePolicyCommand,
  TagRoleCommand,
} from '@aws-sdk/client-iam';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import type { APIGatewayProxyEventV2, SQSEvent } from 'aws-lambda';
import type { AuditEntry } from '../../lib/app/ports.js';
import { makeClients, type AwsClients, type AwsConfig } from '../../lib/adapters/aws/clients.js';
import { hashState } from '../../lib/engine/role/state.js';
import { tableDefinition } from '../../lib/adapters/aws/table-schema.js';
import { SlackClient } from '../../lib/adapters/slack/slack-client.js';
import { FixedSecrets } from '../../lib/adapters/aws/secrets.js';
import type { Tracker } from '../../lib/app/ports.js';
import { buildRemediation, type Remediation } from '../../lib/composition-remediation.js';
import { loadConfig, type LeashConfig } from '../../lib/config.js';
import { demoTaskDefinitions, DEMO_REGION, roleArn } from '../../lib/dev/demo/seed.js';
import { signedClick } from '../../lib/dev/demo/slack-click.js';
import type { Mode, Plan } from '../../lib/engine/types.js';
import { run as runReconcile } from '../../functions/reconcile.js';
import { run as runRemediate } from '../../functions/remediate.js';
import type { MessageOutcome } from '../../lib/app/on-remediation-message.js';
import { startSlackFake, type SlackFake, type SlackMessage } from '../fakes/slack-fake.js';
import type { AwsTestConfig } from './moto.js';

export { roleArn };
/** Where the events in events/ happen (the billing task stops at 07:30:12Z): the clock starts just before. */
export const START = '2026-11-22T07:20:00.000Z';
export const APPROVER = 'U0APPROVER';
export const LINK_APPROVER = 'alice@example.com';
export const SIGNING_SECRET = 'test-slack-signing-secret';
export const LINK_SECRET = 'test-link-secret-0123456789abcdef0123';
export const PUBLIC_BASE_URL = 'https://leash.example';
const SLACK_TOKEN = 'xoxb-test';
const CHANNEL = 'C0LEASH';

const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});
const doc = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const arn = (svc: string, rest: string) => `arn:aws:${svc}:${DEMO_REGION}:123456789012:${rest}`;

export interface Clock {
  now: () => string;
  advanceMinutes(minutes: number): string;
  epochSeconds(): number;
}

export function testClock(start = START): Clock {
  let t = Date.parse(start);
  return {
    now: () => new Date(t).toISOString(),
    advanceMinutes: (minutes) => new Date((t += minutes * 60_000)).toISOString(),
    epochSeconds: () => Math.floor(t / 1000),
  };
}

export interface WorldOptions {
  /** Off unless asked: most tests apply. 'config-default' leaves LEASH_DRY_RUN unset, as a fresh deployment does. */
  dryRun?: boolean | 'config-default';
  defaultMode?: Mode;
  watchMinutes?: number;
  /** `null` (the default): no Access Analyzer, as on moto; or an aws-sdk-client-mock'ed client. */
  analyzer?: AccessAnalyzerClient | null;
  tracker?: Tracker;
}

/** A role's identity policies read back with the plain IAM SDK: inline documents by name, attached ARNs sorted. */
export interface RoleView {
  inline: Record<string, unknown>;
  attached: string[];
}

export interface World {
  aws: AwsConfig;
  clients: AwsClients;
  config: LeashConfig;
  clock: Clock;
  rt: Remediation;
  slack: SlackFake;
  remediationQueueUrl: string;
  inboxUrl: string;
  stateHash(role: string): Promise<string>;
  readRole(role: string): Promise<RoleView>;
  remediate(role: string): Promise<MessageOutcome>;
  /** Remediates a role in approve mode: the stored plan and the Slack message carrying its buttons. */
  requestApproval(role: string): Promise<{ plan: Plan; message: SlackMessage }>;
  /** The approver's link token for `plan`, from the approval message Leash published to SNS (read from the inbox). */
  linkToken(plan: Plan, approver?: string): Promise<string>;
  click(
    plan: Plan,
    opts?: { userId?: string; action?: 'approve' | 'reject'; secret?: string; epochSeconds?: number },
  ): APIGatewayProxyEventV2;
  /** Oldest first. */
  audit(role: string): Promise<AuditEntry[]>;
  /** Runs the remediation function (functions/remediate.ts `run`) on what waits on the remediation queue: the queued
   *  approvals the approvals function handed on. Its outcomes, in order. */
  applyQueued(): Promise<MessageOutcome[]>;
  /** Message bodies waiting on a queue (received, so each is seen once). */
  drain(queueUrl: string): Promise<string[]>;
  close(): Promise<void>;
}

/** The policy set a role must have after `plan` is applied to `before`: the Leash policy in, deletes and detaches out. */
export function expectedAfter(before: RoleView, plan: Plan): RoleView {
  const inline = Object.fromEntries(Object.entries(before.inline).filter(([name]) => !plan.deleteInline.includes(name)));
  inline[plan.policyName] = plan.document;
  return { inline, attached: before.attached.filter((a) => !plan.detach.includes(a)) };
}

export function sqsEvent(bodies: string[]): SQSEvent {
  return {
    Records: bodies.map((body, i) => ({
      messageId: `m-${i}`,
      receiptHandle: `m-${i}`,
      body,
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'test', ApproximateFirstReceiveTimestamp: '0' },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: arn('sqs', 'leash-remediation'),
      awsRegion: DEMO_REGION,
    })),
  };
}

async function seed(c: AwsClients): Promise<{ table: string; topicArn: string; inboxUrl: string; remediationQueueUrl: string }> {
  const table = 'leash-e2e';
  await c.ddb.send(new CreateTableCommand(tableDefinition(table)));
  const topicArn = (await c.sns.send(new CreateTopicCommand({ Name: 'leash-findings' }))).TopicArn!;
  const inboxUrl = (await c.sqs.send(new CreateQueueCommand({ QueueName: 'leash-inbox' }))).QueueUrl!;
  const inboxArn = (await c.sqs.send(new GetQueueAttributesCommand({ QueueUrl: inboxUrl, AttributeNames: ['QueueArn'] }))).Attributes!
    .QueueArn!;
  await c.sns.send(
    new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: inboxArn, Attributes: { RawMessageDelivery: 'true' } }),
  );
  const remediationQueueUrl = (await c.sqs.send(new CreateQueueCommand({ QueueName: 'leash-remediation' }))).QueueUrl!;
  await c.secrets.send(new CreateSecretCommand({ Name: 'billing/db', SecretString: 'test' }));
  await c.secrets.send(new CreateSecretCommand({ Name: 'reports/smtp', SecretString: 'test' }));
  await c.ssm.send(new PutParameterCommand({ Name: '/reports/api-token', Type: 'SecureString', Value: 'test' }));
  for (const name of ['billing-exec', 'reports-exec'])
    await c.iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: TRUST }));
  // billing-exec, as in the demo: over-privileged (secrets and S3 on *), mode approve.
  await c.iam.send(
    new PutRolePolicyCommand({
      RoleName: 'billing-exec',
      PolicyName: 'billing-extra',
      PolicyDocument: doc(
        { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*' },
        { Effect: 'Allow', Action: 's3:*', Resource: '*' },
      ),
    }),
  );
  await c.iam.send(new TagRoleCommand({ RoleName: 'billing-exec', Tags: [{ Key: 'leash:mode', Value: 'approve' }] }));
  // reports-exec: under-privileged, pulls its image from another account (210987654321); no mode tag.
  await c.iam.send(
    new PutRolePolicyCommand({
      RoleName: 'reports-exec',
      PolicyName: 'reports-base',
      PolicyDocument: doc({
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: arn('logs', 'log-group:/ecs/reports:*'),
      }),
    }),
  );
  for (const td of demoTaskDefinitions.filter((t) => t.family === 'billing' || t.family === 'reports'))
    await c.ecs.send(new RegisterTaskDefinitionCommand(td));
  return { table, topicArn, inboxUrl, remediationQueueUrl };
}

export async function makeWorld(moto: AwsTestConfig, opts: WorldOptions = {}): Promise<World> {
  const aws: AwsConfig = { ...moto, region: DEMO_REGION };
  const clients = makeClients(aws);
  const res = await seed(clients);
  const clock = testClock();
  const config: LeashConfig = {
    ...loadConfig({
      ...(opts.dryRun === 'config-default' ? {} : { LEASH_DRY_RUN: String(opts.dryRun ?? false) }),
      LEASH_DEFAULT_MODE: opts.defaultMode ?? 'observe',
    }),
    table: res.table,
    topicArn: res.topicArn,
    remediationQueueUrl: res.remediationQueueUrl,
    approvers: [APPROVER, LINK_APPROVER],
    slackChannel: 'leash-approvals',
    publicBaseUrl: PUBLIC_BASE_URL,
    watchMinutes: opts.watchMinutes ?? 60,
  };
  const slack = await startSlackFake({ token: SLACK_TOKEN, channels: { 'leash-approvals': CHANNEL } });
  const rt = await buildRemediation(
    config,
    aws,
    {
      analyzer: opts.analyzer ?? null,
      slack: new SlackClient(SLACK_TOKEN, { slackApiUrl: slack.apiUrl, retries: 0 }),
      secrets: new FixedSecrets({ slackSigning: SIGNING_SECRET, linkSigning: LINK_SECRET }),
      ...(opts.tracker ? { tracker: opts.tracker } : {}),
    },
    clock.now,
  );
  // Index the task definitions (intent) the way production does: the scheduled reconcile sweep.
  await runReconcile({ 'detail-type': 'Scheduled Event', detail: {} }, { ...rt, concurrency: 2, timeLeft: () => 600_000 });
  await drain(clients, res.remediationQueueUrl);

  const readRole = async (role: string): Promise<RoleView> => {
    const names = (await clients.iam.send(new ListRolePoliciesCommand({ RoleName: role }))).PolicyNames ?? [];
    const inline: Record<string, unknown> = {};
    for (const name of names) {
      const raw = (await clients.iam.send(new GetRolePolicyCommand({ RoleName: role, PolicyName: name }))).PolicyDocument ?? '';
      inline[name] = JSON.parse(decodeURIComponent(raw)); // IAM returns the document URL-encoded
    }
    const attached = (await clients.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: role }))).AttachedPolicies ?? [];
    return { inline, attached: attached.map((p) => p.PolicyArn!).sort() };
  };
  const remediate = async (role: string) => {
    const out = await runRemediate(sqsEvent([JSON.stringify({ roleArn: roleArn(role), reason: 'findings changed' })]), rt);
    if (out.batchItemFailures.length || out.outcomes.length !== 1) throw new Error(`remediation of ${role} failed: ${JSON.stringify(out)}`);
    return out.outcomes[0]!;
  };
  return {
    aws,
    clients,
    config,
    clock,
    rt,
    slack,
    remediationQueueUrl: res.remediationQueueUrl,
    inboxUrl: res.inboxUrl,
    stateHash: async (role) => hashState((await rt.roles.readState(role))!),
    readRole,
    remediate,
    async requestApproval(role) {
      const out = await remediate(role);
      if (out.outcome !== 'approval-requested' || !('plan' in out) || !out.plan)
        throw new Error(`expected an approval request for ${role}, got ${JSON.stringify(out)}`);
      const message = [...slack.messages.values()].at(-1);
      if (!message) throw new Error('no Slack message was posted');
      return { plan: out.plan, message };
    },
    async linkToken(plan, approver = LINK_APPROVER) {
      // One SNS message per approver: take the one addressed to `approver`.
      const messages = (await drain(clients, res.inboxUrl)).filter((m) => m.includes(plan.planHash));
      const published = messages.find((m) => m.includes(`as ${approver} `)) ?? '';
      const url = published.split('\n').find((l) => l.startsWith(`${PUBLIC_BASE_URL}/approve/`));
      if (!url) throw new Error(`no approval link for ${approver} in the SNS messages: ${messages.join(' | ')}`);
      // Nobody else's message may carry this approver's link.
      if (messages.filter((m) => m.includes(url)).length !== 1)
        throw new Error(`the link for ${approver} went out in more than one message`);
      return decodeURIComponent(url.slice(`${PUBLIC_BASE_URL}/approve/`.length));
    },
    click: (plan, o = {}) =>
      signedClick(
        {
          userId: o.userId ?? APPROVER,
          action: o.action ?? 'approve',
          planHash: plan.planHash,
          roleArn: plan.roleArn,
          channel: CHANNEL,
          ts: [...slack.messages.values()].at(-1)?.ts ?? '',
        },
        o.secret ?? SIGNING_SECRET,
        o.epochSeconds ?? clock.epochSeconds(),
      ),
    audit: async (role) => (await rt.audit.history(roleArn(role))).reverse(),
    drain: (url) => drain(clients, url),
    applyQueued: async () => {
      const bodies = await drain(clients, res.remediationQueueUrl);
      if (!bodies.length) return [];
      const out = await runRemediate(sqsEvent(bodies), rt);
      if (out.batchItemFailures.length) throw new Error(`queued messages failed: ${JSON.stringify(out.batchItemFailures)}`);
      return out.outcomes;
    },
    close: () => slack.close(),
  };
}

export interface ExtraRole {
  name: string;
  tags?: Record<string, string>;
  /** The trust policy; ECS tasks only by default. */
  trust?: object;
  /** Inline policies by name. */
  inline?: Record<string, object[]>;
  /** Task definitions that name it as their execution role (family and containers; `taskRole` sets taskRoleArn). */
  taskDefinitions?: {
    family: string;
    containers: NonNullable<RegisterTaskDefinitionCommandInput['containerDefinitions']>;
    taskRole?: string;
  }[];
}

/** Adds execution roles and their task definitions to the world's account in moto (index them with `reindex`). */
export async function addRoles(world: Pick<World, 'clients'>, roles: ExtraRole[]): Promise<void> {
  const { iam, ecs } = world.clients;
  for (const r of roles) {
    await iam.send(
      new CreateRoleCommand({
        RoleName: r.name,
        AssumeRolePolicyDocument: r.trust ? JSON.stringify(r.trust) : TRUST,
        ...(r.tags ? { Tags: Object.entries(r.tags).map(([Key, Value]) => ({ Key, Value })) } : {}),
      }),
    );
    for (const [name, statements] of Object.entries(r.inline ?? {}))
      await iam.send(new PutRolePolicyCommand({ RoleName: r.name, PolicyName: name, PolicyDocument: doc(...statements) }));
    for (const td of r.taskDefinitions ?? []) {
      await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: td.family,
          executionRoleArn: roleArn(r.name),
          ...(td.taskRole ? { taskRoleArn: td.taskRole } : {}),
          networkMode: 'awsvpc',
          requiresCompatibilities: ['FARGATE'],
          cpu: '256',
          memory: '512',
          containerDefinitions: td.containers,
        }),
      );
    }
  }
}

/** The scheduled reconcile (index every revision, recompute every role), through functions/reconcile; drains the queue. */
export async function reindex(world: Pick<World, 'rt' | 'drain' | 'remediationQueueUrl'>): Promise<void> {
  await runReconcile({ 'detail-type': 'Scheduled Event', detail: {} }, { ...world.rt, concurrency: 2, timeLeft: () => 600_000 });
  await world.drain(world.remediationQueueUrl);
}

/** An awslogs configuration for `group` in the demo Region. */
export const awslogs = (group: string) => ({
  logDriver: 'awslogs' as const,
  options: { 'awslogs-group': group, 'awslogs-region': DEMO_REGION, 'awslogs-stream-prefix': 'app' },
});
export const ecrImage = (repo: string) => `123456789012.dkr.ecr.${DEMO_REGION}.amazonaws.com/${repo}:1`;

async function drain(clients: AwsClients, queueUrl: string): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const res = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if (!res.Messages?.length) return bodies;
    bodies.push(...res.Messages.map((m) => m.Body ?? ''));
  }
}
