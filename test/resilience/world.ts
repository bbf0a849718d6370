// A small account on moto shaped after the events in events/: execution roles web-exec, reports-exec and
// billing-exec shared by several task-definition revisions in eu-west-1, the table, the findings topic with an SQS
// subscription, and a failure queue. Used by the resilience tests and the benchmarks.
import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import {
  DeregisterTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  IAMClient,
  PutRolePolicyCommand,
  TagRoleCommand,
} from '@aws-sdk/client-iam';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { tableDefinition, ttlSpecification } from '../../lib/adapters/aws/table-schema.js';
import { runSweep, type SweepDeps } from '../../lib/app/sweep.js';
import { buildPipeline, type Pipeline as PipelineDeps } from '../../lib/composition.js';
import { loadConfig } from '../../lib/config.js';
import { run as runDenial } from '../../functions/denial.js';
import { run as runIamChange } from '../../functions/iam-change.js';
import { run as runTaskDefinitionChange } from '../../functions/task-definition-change.js';
import { run as runTaskStopped } from '../../functions/task-stopped.js';
import type { Finding } from '../../lib/engine/types.js';
import type { IndexEntry as RoleIndexEntry } from '../../lib/engine/types.js';
import { loadEventJson } from '../support/corpus.js';

export const REGION = 'eu-west-1';
export const ACCOUNT = '123456789012';
export const TABLE = 'leash';
export const NOW = '2026-11-20T10:00:00.000Z';
export const SELF_ROLE = `arn:aws:iam::${ACCOUNT}:role/leash-prod-remediate`;
export const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

export interface Endpoint {
  endpoint: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export interface Seeded {
  topicArn: string;
  inboxUrl: string;
  dlqUrl: string;
}

const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

const EXEC_BASICS = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: [
        'ecr:GetAuthorizationToken',
        'ecr:BatchCheckLayerAvailability',
        'ecr:GetDownloadUrlForLayer',
        'ecr:BatchGetImage',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
      ],
      Resource: '*',
    },
  ],
});

const clientConfig = (e: Endpoint) => ({
  region: REGION,
  endpoint: e.endpoint,
  credentials: e.credentials ?? { accessKeyId: 'testing', secretAccessKey: 'testing' },
});

type Container = NonNullable<RegisterTaskDefinitionCommandInput['containerDefinitions']>[number];

function container(name: string, image: string, logGroup: string, secrets: [string, string][], createGroup = false): Container {
  return {
    name,
    image,
    essential: true,
    secrets: secrets.map(([n, valueFrom]) => ({ name: n, valueFrom })),
    logConfiguration: {
      logDriver: 'awslogs',
      options: {
        'awslogs-group': logGroup,
        'awslogs-region': REGION,
        'awslogs-stream-prefix': name,
        ...(createGroup ? { 'awslogs-create-group': 'true' } : {}),
      },
    },
  };
}

/** The revisions the events name, oldest first (ECS numbers them in registration order). */
export function seedTaskDefinitions(): RegisterTaskDefinitionCommandInput[] {
  const register = loadEventJson<{ detail: { requestParameters: RegisterTaskDefinitionCommandInput } }>('register-task-definition.json');
  const web = register.detail.requestParameters;
  const ecr = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`;
  const stripe = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:web/stripe-AbCdEf`;
  const tds: RegisterTaskDefinitionCommandInput[] = [];
  const exec = (name: string) => ({
    executionRoleArn: roleArn(name),
    requiresCompatibilities: ['FARGATE' as const],
    networkMode: 'awsvpc' as const,
    cpu: '256',
    memory: '512',
  });
  for (const tag of ['1.4.0', '1.4.1']) {
    tds.push({ ...web, containerDefinitions: web.containerDefinitions!.map((c) => ({ ...c, image: `${ecr}/web/api:${tag}` })) });
  }
  tds.push(web); // web-api:3, exactly as registered in the event
  for (let i = 1; i <= 4; i++) {
    tds.push({
      family: 'web-worker',
      ...exec('web-exec'),
      containerDefinitions: [container('worker', `${ecr}/web/worker:${i}`, '/ecs/web', [['STRIPE', stripe]])],
    });
  }
  for (let i = 1; i <= 2; i++) {
    tds.push({
      family: 'reports',
      ...exec('reports-exec'),
      containerDefinitions: [
        container(
          'reports',
          `210987654321.dkr.ecr.${REGION}.amazonaws.com/shared/reports:${6 + i}`,
          '/ecs/reports',
          [
            ['SMTP', `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:reports/smtp-QwErTy`],
            ['API_TOKEN', '/reports/api-token'],
          ],
          true,
        ),
      ],
    });
  }
  for (let i = 1; i <= 5; i++) {
    tds.push({
      family: 'billing',
      ...exec('billing-exec'),
      containerDefinitions: [
        container('billing', `${ecr}/billing:${i}`, '/ecs/billing', [
          ['DB', `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:billing/db-XyZ123`],
        ]),
      ],
    });
  }
  return tds;
}

/** Creates the account's state (no faults): IAM, SSM, ECS, the table, the topic, the inbox and the failure queue. */
export async function seedAccount(e: Endpoint, tds: RegisterTaskDefinitionCommandInput[] = seedTaskDefinitions()): Promise<Seeded> {
  const cfg = clientConfig(e);
  const iam = new IAMClient(cfg);
  for (const name of ['web-exec', 'reports-exec', 'billing-exec', 'payments-exec']) {
    await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: TRUST }));
  }
  await iam.send(new PutRolePolicyCommand({ RoleName: 'web-exec', PolicyName: 'exec-basics', PolicyDocument: EXEC_BASICS }));
  await iam.send(new PutRolePolicyCommand({ RoleName: 'reports-exec', PolicyName: 'exec-basics', PolicyDocument: EXEC_BASICS }));
  const put = loadEventJson<{ detail: { requestParameters: { policyDocument: string } } }>('put-role-policy.json');
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: 'billing-exec',
      PolicyName: 'billing-exports',
      PolicyDocument: put.detail.requestParameters.policyDocument,
    }),
  );
  const shared = await iam.send(new CreatePolicyCommand({ PolicyName: 'ecs-exec-shared', PolicyDocument: EXEC_BASICS }));
  const version = loadEventJson<{ detail: { requestParameters: { policyDocument: string } } }>('create-policy-version.json');
  await iam.send(
    new CreatePolicyVersionCommand({
      PolicyArn: shared.Policy!.Arn!,
      PolicyDocument: version.detail.requestParameters.policyDocument,
      SetAsDefault: true,
    }),
  );
  await iam.send(new AttachRolePolicyCommand({ RoleName: 'billing-exec', PolicyArn: shared.Policy!.Arn! }));
  await iam.send(new TagRoleCommand({ RoleName: 'billing-exec', Tags: [{ Key: 'leash:mode', Value: 'approve' }] }));

  // SecureStrings under the default key resolve to "AWS managed": deterministic across moto resets.
  const ssm = new SSMClient(cfg);
  for (const name of ['/web/prod/db-password', '/reports/api-token']) {
    await ssm.send(new PutParameterCommand({ Name: name, Type: 'SecureString', Value: 'x' }));
  }

  const ecs = new ECSClient(cfg);
  for (const td of tds) await ecs.send(new RegisterTaskDefinitionCommand(td));
  if (tds.some((t) => t.family === 'web-api')) await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'web-api:2' }));

  const ddb = new DynamoDBClient(cfg);
  await ddb.send(new CreateTableCommand(tableDefinition(TABLE)));
  await ddb.send(new UpdateTimeToLiveCommand(ttlSpecification(TABLE)));

  const sns = new SNSClient(cfg);
  const sqs = new SQSClient(cfg);
  const topicArn = (await sns.send(new CreateTopicCommand({ Name: 'leash-findings' }))).TopicArn!;
  const inboxUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'leash-inbox' }))).QueueUrl!;
  const inboxArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: inboxUrl, AttributeNames: ['QueueArn'] }))).Attributes!
    .QueueArn!;
  await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: inboxArn }));
  const dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'leash-failures' }))).QueueUrl!;
  return { topicArn, inboxUrl, dlqUrl };
}

/** The real composition root pointed at moto, with a fixed clock so two runs can be compared. */
export function pipeline(e: Endpoint, seeded: Seeded, opts: { maxAttempts?: number; now?: () => string } = {}): PipelineDeps {
  const config = loadConfig({ LEASH_TABLE: TABLE, LEASH_TOPIC_ARN: seeded.topicArn, LEASH_SELF_ROLE_ARNS: SELF_ROLE });
  return buildPipeline(
    config,
    { ...clientConfig(e), ...(opts.maxAttempts ? { maxAttempts: opts.maxAttempts } : {}) },
    { now: opts.now ?? (() => NOW) },
  );
}

export function sweepDeps(deps: PipelineDeps, opts: Partial<Pick<SweepDeps, 'concurrency' | 'timeLeft'>> = {}): SweepDeps {
  return {
    ...deps,
    concurrency: opts.concurrency ?? 4,
    timeLeft: opts.timeLeft ?? (() => Number.POSITIVE_INFINITY),
  };
}

/** Indexes every revision and computes every role once, as the first scheduled sweep would. */
export async function indexAccount(deps: PipelineDeps): Promise<void> {
  const res = await runSweep(sweepDeps(deps), { restart: true });
  if (!res.complete || res.cursor.failed.length) throw new Error(`seeding sweep failed: ${res.cursor.failed.join('; ')}`);
}

/** Handlers by Lambda short name, bound to `deps` (what `serverless` names `leash-<stage>-<name>`). */
export function handlers(deps: PipelineDeps): Record<string, (event: unknown) => Promise<unknown>> {
  return {
    'task-definition-change': (ev) => runTaskDefinitionChange(ev, deps),
    'iam-change': (ev) => runIamChange(ev, deps),
    denial: (ev) => runDenial(ev, deps),
    'task-stopped': (ev) => runTaskStopped(ev, deps),
  };
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

export interface Snapshot {
  index: Record<string, RoleIndexEntry[]>;
  findings: Record<string, { setHash: string; findings: Finding[] } | null>;
  /** Subject and message of every notice in the SNS subscription's queue, sorted. */
  notices: string[];
}

/** Reads the end state with fault-free clients. Drains the inbox. */
export async function snapshot(e: Endpoint, seeded: Seeded): Promise<Snapshot> {
  const deps = pipeline(e, seeded);
  const roles = await deps.index.allRoles();
  const index: Snapshot['index'] = {};
  const findings: Snapshot['findings'] = {};
  for (const r of [...roles, roleArn('payments-exec')].sort()) {
    const entries = await deps.index.entriesForRole(r);
    if (entries.length) index[r] = entries.sort((a, b) => a.taskDefinitionArn.localeCompare(b.taskDefinitionArn));
    const cur = await deps.findings.current(r);
    findings[r] = cur ? { setHash: cur.setHash, findings: cur.findings } : null;
  }
  return { index, findings, notices: await drain(e, seeded.inboxUrl) };
}

export async function drain(e: Endpoint, queueUrl: string): Promise<string[]> {
  const sqs = new SQSClient(clientConfig(e));
  const out: string[] = [];
  for (;;) {
    const res = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 600 }),
    );
    if (!res.Messages?.length) break;
    for (const m of res.Messages) {
      const body = JSON.parse(m.Body ?? '{}') as { Subject?: string; Message?: string };
      out.push(`${body.Subject ?? ''}\n${body.Message ?? m.Body ?? ''}`);
    }
  }
  return out.sort();
}

export function sqsFor(e: Endpoint): SQSClient {
  return new SQSClient(clientConfig(e));
}
