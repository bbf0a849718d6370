// The cost of one RegisterTaskDefinition event through the real handler (functions/task-definition-change.ts) on
// moto: every AWS call counted by operation with an SDK middleware on every client. The role `shared-exec` is shared
// by 10 task definitions that together name `secrets` distinct secrets and parameters (half SSM SecureStrings,
// half Secrets Manager secrets, all under one customer KMS key); the event registers a new revision of one of them
// (a new image, the same secrets), after a sweep has indexed the account and stored the role's facts.
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { ECSClient, RegisterTaskDefinitionCommand, type RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { run } from '../../functions/task-definition-change.js';
import { startMotoServer } from '../../lib/dev/moto-server.js';
import { loadEventJson } from '../support/corpus.js';
import { ACCOUNT, createWorld, eventsAccount, REGION, roleArn } from '../support/world/index.js';
import { CallCounter } from './moto.js';

export const EVENT_CALLS_GOAL = 7;
/** When the sweep that indexes the account runs (the world's clock). */
export const SWEEP_AT = '2026-11-20T10:00:00.000Z';
const FAMILIES = 10;

export interface EventCost {
  secrets: number;
  taskDefinitions: number;
  calls: number;
  byOperation: Record<string, number>;
  /** Whether the role's stored facts served (no live IAM/KMS fact reads). */
  summary: unknown;
}

const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

async function seedSecrets(cfg: object, n: number): Promise<string[]> {
  const key = (await new KMSClient(cfg).send(new CreateKeyCommand({ Description: 'app secrets' }))).KeyMetadata!.Arn!;
  const ssm = new SSMClient(cfg);
  const sm = new SecretsManagerClient(cfg);
  const refs: string[] = [];
  for (let i = 0; i < n; i++) {
    if (i % 2 === 0) {
      const name = `/shared/app/param-${i}`;
      await ssm.send(new PutParameterCommand({ Name: name, Type: 'SecureString', Value: 'x', KeyId: key }));
      refs.push(name);
    } else {
      const res = await sm.send(new CreateSecretCommand({ Name: `shared/app/secret-${i}`, SecretString: 'x', KmsKeyId: key }));
      refs.push(res.ARN!);
    }
  }
  return refs;
}

function taskDefinition(family: number, image: string, secrets: string[]): RegisterTaskDefinitionCommandInput {
  return {
    family: `shared-app-${family}`,
    executionRoleArn: roleArn('shared-exec'),
    taskRoleArn: roleArn(`shared-app-${family}-task`),
    requiresCompatibilities: ['FARGATE'],
    networkMode: 'awsvpc',
    cpu: '256',
    memory: '512',
    containerDefinitions: [
      {
        name: 'app',
        image: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/shared/app:${image}`,
        essential: true,
        secrets: secrets.map((valueFrom, i) => ({ name: `S${i}`, valueFrom })),
        logConfiguration: {
          logDriver: 'awslogs',
          options: { 'awslogs-group': '/ecs/shared-app', 'awslogs-region': REGION, 'awslogs-stream-prefix': 'app' },
        },
      },
    ],
  };
}

/** The RegisterTaskDefinition event CloudTrail would send for `td` (the shape of events/register-task-definition.json). */
function registerEvent(input: RegisterTaskDefinitionCommandInput, registered: unknown): unknown {
  const base = loadEventJson<{ id: string; detail: Record<string, unknown> }>('register-task-definition.json');
  return {
    ...base,
    id: `${base.id}-cost`,
    detail: {
      ...base.detail,
      eventID: `${String(base.detail.eventID)}-cost`,
      requestParameters: input,
      responseElements: { taskDefinition: registered },
    },
  };
}

export interface RegistrationOptions {
  /** When the event is handled (default: the sweep's time); 27 h later the stored facts are past their bound. */
  eventAt?: string;
  /** Runs after the sweep, before the event (e.g. put the role in an instance profile). */
  between?: (cfg: { region: string; endpoint: string; credentials: { accessKeyId: string; secretAccessKey: string } }) => Promise<void>;
}

export async function measureRegistration(secrets: number, opts: RegistrationOptions = {}): Promise<EventCost> {
  const server = await startMotoServer();
  try {
    const cfg = { region: REGION, endpoint: server.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
    const w = await createWorld(cfg, eventsAccount({ taskDefinitions: [], start: SWEEP_AT }));
    const iam = new IAMClient(cfg);
    await iam.send(new CreateRoleCommand({ RoleName: 'shared-exec', AssumeRolePolicyDocument: TRUST }));
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'shared-exec',
        PolicyName: 'exec',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' }],
        }),
      }),
    );
    const refs = await seedSecrets(cfg, secrets);
    // Each family names its own share of the secrets: together the 10 name all of them.
    const share = (f: number) => refs.filter((_, i) => i % FAMILIES === f);
    const ecs = new ECSClient(cfg);
    for (let f = 0; f < FAMILIES; f++) await ecs.send(new RegisterTaskDefinitionCommand(taskDefinition(f, '1.0.0', share(f))));
    await w.reindex();
    const deps = w.deps;
    // A new image for family 0: same secrets, registered in ECS (not counted), then the event goes to the handler.
    const input = taskDefinition(0, '1.0.1', share(0));
    const registered = (await ecs.send(new RegisterTaskDefinitionCommand(input))).taskDefinition;
    await opts.between?.(cfg);
    const eventDeps = opts.eventAt ? w.compose({ now: () => opts.eventAt! }) : deps;
    const counter = new CallCounter();
    counter.attach(eventDeps);
    const summary = await run(registerEvent(input, registered), eventDeps);
    const calls = counter.total();
    const byOperation = counter.byOperation();
    counter.reset();
    return { secrets, taskDefinitions: (await deps.index.entriesForRole(roleArn('shared-exec'))).length, calls, byOperation, summary };
  } finally {
    await server.stop();
  }
}

/** The bench's `event` section: the registration with 10 and with 30 distinct secrets and parameters. */
export async function benchEvent() {
  const ten = await measureRegistration(10);
  const thirty = await measureRegistration(30);
  const failures: string[] = [];
  if (ten.calls > EVENT_CALLS_GOAL) failures.push(`event.calls ${ten.calls} > ${EVENT_CALLS_GOAL}`);
  if (thirty.calls > EVENT_CALLS_GOAL) failures.push(`event.callsWith30Secrets ${thirty.calls} > ${EVENT_CALLS_GOAL}`);
  if (thirty.calls !== ten.calls) failures.push(`the count depends on the secrets: ${ten.calls} with 10, ${thirty.calls} with 30`);
  return {
    calls: ten.calls,
    callsWith30Secrets: thirty.calls,
    goal: EVENT_CALLS_GOAL,
    taskDefinitions: ten.taskDefinitions,
    byOperation: ten.byOperation,
    byOperationWith30Secrets: thirty.byOperation,
    failures,
  };
}
