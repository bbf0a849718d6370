// Seeds moto with the demo account the events in events/ describe: three execution roles (one shared by three
// families, one over-privileged, one under-privileged), their task definitions, secrets, parameters and keys.
import {
  CreateClusterCommand,
  CreateServiceCommand,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import { CreatePolicyCommand, TagRoleCommand } from '@aws-sdk/client-iam';
import { CreateAliasCommand, CreateKeyCommand } from '@aws-sdk/client-kms';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import type { AwsClients } from '../../adapters/aws/clients.js';
import {
  awslogs as logsIn,
  createRole,
  createTables,
  fargate as fargateWith,
  policyDocument as doc,
  queueOnTopic,
} from '../account-seed.js';

export const DEMO_ACCOUNT = '123456789012';
export const DEMO_REGION = 'eu-west-1';
const ECR = `${DEMO_ACCOUNT}.dkr.ecr.${DEMO_REGION}.amazonaws.com`;
const arn = (svc: string, rest: string) => `arn:aws:${svc}:${DEMO_REGION}:${DEMO_ACCOUNT}:${rest}`;
export const roleArn = (name: string) => `arn:aws:iam::${DEMO_ACCOUNT}:role/${name}`;

const awslogs = (group: string, prefix: string, create = false) => logsIn(group, DEMO_REGION, prefix, create);
const fargate = (family: string, role: string, containers: Parameters<typeof fargateWith>[2]) =>
  fargateWith(family, roleArn(role), containers);

const webSecrets = [
  { name: 'DB_PASSWORD', valueFrom: '/web/prod/db-password' },
  { name: 'STRIPE_API_KEY', valueFrom: arn('secretsmanager', 'secret:web/stripe-AbCdEf:apiKey::') },
];

export const demoTaskDefinitions: RegisterTaskDefinitionCommandInput[] = [
  fargate('web-api', 'web-exec', [
    {
      name: 'api',
      image: `${ECR}/web/api:1.4.2`,
      essential: true,
      secrets: webSecrets,
      logConfiguration: awslogs('/ecs/web', 'api', true),
    },
  ]),
  fargate('web-worker', 'web-exec', [
    {
      name: 'worker',
      image: `${ECR}/web/worker@sha256:${'9f'.repeat(32)}`,
      essential: true,
      secrets: webSecrets,
      logConfiguration: awslogs('/ecs/web', 'worker', true),
    },
  ]),
  fargate('web-cron', 'web-exec', [
    { name: 'cron', image: `${ECR}/web/api:1.4.2`, essential: true, logConfiguration: awslogs('/ecs/web', 'cron', true) },
  ]),
  fargate('billing', 'billing-exec', [
    {
      name: 'billing',
      image: `${ECR}/billing:2026.11`,
      essential: true,
      secrets: [{ name: 'DB', valueFrom: arn('secretsmanager', 'secret:billing/db-XyZ123') }],
      logConfiguration: awslogs('/ecs/billing', 'billing'),
    },
  ]),
  fargate('reports', 'reports-exec', [
    {
      name: 'reports',
      image: `210987654321.dkr.ecr.${DEMO_REGION}.amazonaws.com/shared/reports:7`,
      essential: true,
      secrets: [
        { name: 'API_TOKEN', valueFrom: '/reports/api-token' },
        { name: 'SMTP', valueFrom: arn('secretsmanager', 'secret:reports/smtp-QwErTy') },
      ],
      logConfiguration: awslogs('/ecs/reports', 'reports', true),
    },
  ]),
];

/** Leash's own resources: the table, the findings topic with an inbox (raw delivery), the remediation queue. */
export interface LeashResources {
  table: string;
  topicArn: string;
  /** The SQS queue subscribed to the findings topic, raw delivery (what a reader of the notices sees). */
  inboxUrl: string;
  remediationQueueUrl: string;
}

export interface DemoResources extends LeashResources {
  /** The customer-managed key behind the web secrets. */
  keyArn: string;
}

export async function createLeashResources(c: AwsClients, table = 'leash-demo'): Promise<LeashResources> {
  await createTables(c.ddb, table);
  const topicArn = (await c.sns.send(new CreateTopicCommand({ Name: 'leash-findings' }))).TopicArn!;
  const inboxUrl = await queueOnTopic(c, topicArn, 'leash-findings-inbox', true);
  const remediationQueueUrl = (await c.sqs.send(new CreateQueueCommand({ QueueName: 'leash-remediation' }))).QueueUrl!;
  return { table, topicArn, inboxUrl, remediationQueueUrl };
}

/** The demo account itself: keys, secrets, parameters, execution roles, task definitions and a service. */
export async function seedDemoAccount(c: AwsClients): Promise<{ keyArn: string }> {
  // A customer-managed key behind the web secrets: kms:Decrypt on it is part of web-exec's intent.
  const key = (await c.kms.send(new CreateKeyCommand({ Description: 'web secrets' }))).KeyMetadata!;
  await c.kms.send(new CreateAliasCommand({ AliasName: 'alias/web-secrets', TargetKeyId: key.KeyId! }));
  await c.secrets.send(
    new CreateSecretCommand({ Name: 'web/stripe', SecretString: '{"apiKey":"sk_demo"}', KmsKeyId: 'alias/web-secrets' }),
  );
  await c.secrets.send(new CreateSecretCommand({ Name: 'billing/db', SecretString: 'demo' }));
  await c.secrets.send(new CreateSecretCommand({ Name: 'reports/smtp', SecretString: 'demo' }));
  await c.ssm.send(new PutParameterCommand({ Name: '/web/prod/db-password', Type: 'SecureString', Value: 'demo', KeyId: key.KeyId! }));
  await c.ssm.send(new PutParameterCommand({ Name: '/reports/api-token', Type: 'SecureString', Value: 'demo' }));

  // web-exec: a shared customer-managed policy, close to right but wildcarded, and without CreateLogGroup.
  const shared = await c.iam.send(
    new CreatePolicyCommand({
      PolicyName: 'ecs-exec-shared',
      PolicyDocument: doc(
        { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
        {
          Effect: 'Allow',
          Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
          Resource: arn('ecr', 'repository/web/*'),
        },
        { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: arn('logs', 'log-group:/ecs/web:*') },
        { Effect: 'Allow', Action: 'ssm:GetParameters', Resource: arn('ssm', 'parameter/web/prod/*') },
        { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: arn('secretsmanager', 'secret:web/stripe-*') },
        { Effect: 'Allow', Action: 'kms:Decrypt', Resource: key.Arn! },
      ),
    }),
  );
  await createRole(c, { name: 'web-exec', attach: [shared.Policy!.Arn!] });
  // billing-exec: over-privileged (secrets and S3 on *), approval mode.
  await createRole(c, {
    name: 'billing-exec',
    inline: {
      'billing-extra': [
        { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*' },
        { Effect: 'Allow', Action: 's3:*', Resource: '*' },
        { Effect: 'Allow', Action: 'ssm:GetParameters', Resource: arn('ssm', 'parameter/*') },
      ],
    },
  });
  await c.iam.send(new TagRoleCommand({ RoleName: 'billing-exec', Tags: [{ Key: 'leash:mode', Value: 'approve' }] }));
  // reports-exec: under-privileged (no parameters, secrets or CreateLogGroup).
  await createRole(c, {
    name: 'reports-exec',
    inline: {
      'reports-base': [
        { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
        {
          Effect: 'Allow',
          Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
          Resource: `arn:aws:ecr:${DEMO_REGION}:210987654321:repository/shared/reports`,
        },
        { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: arn('logs', 'log-group:/ecs/reports:*') },
      ],
    },
  });
  await createRole(c, { name: 'web-task' });

  // web-api has three revisions, so the register event's web-api:3 and the deregister event's web-api:2 exist.
  for (const td of [demoTaskDefinitions[0]!, demoTaskDefinitions[0]!, ...demoTaskDefinitions])
    await c.ecs.send(new RegisterTaskDefinitionCommand(td));
  // A service still runs web-api:2, so deregistering it must not shrink web-exec.
  await c.ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
  await c.ecs.send(
    new CreateServiceCommand({ cluster: 'prod', serviceName: 'web-api-canary', taskDefinition: 'web-api:2', desiredCount: 1 }),
  );
  return { keyArn: key.Arn! };
}

export async function seedDemo(c: AwsClients): Promise<DemoResources> {
  return { ...(await createLeashResources(c)), ...(await seedDemoAccount(c)) };
}
