// Building blocks for seeding an account on moto, shared by the demo (lib/dev/demo/seed.ts) and every test world
// (test/support/world): one way to create the table, an execution role, a Fargate task definition, a queue on a topic.
import { CreateTableCommand, UpdateTimeToLiveCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { AttachRolePolicyCommand, CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { AwsClients } from '../adapters/aws/clients.js';
import { tableDefinition, ttlSpecification } from '../adapters/aws/table-schema.js';
import type { PolicyDocument } from '../engine/types.js';

export const ECS_TASKS_TRUST: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};

/** A policy document from its statements, as IAM takes it (a JSON string). */
export const policyDocument = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });

/** The Leash table as infra declares it (infra/fragments/table.yml): schema from tableDefinition(), TTL on. */
export async function createTables(ddb: DynamoDBClient | DynamoDBDocumentClient, table: string): Promise<void> {
  const client = ddb as DynamoDBClient; // the document client sends the plain commands unchanged
  await client.send(new CreateTableCommand(tableDefinition(table)));
  await client.send(new UpdateTimeToLiveCommand(ttlSpecification(table)));
}

export interface RoleSpec {
  name: string;
  /** The trust policy; ECS tasks only by default. */
  trust?: object;
  tags?: Record<string, string>;
  /** Inline policies by name: their statements, or a whole document as IAM stores it. */
  inline?: Record<string, object[] | string>;
  /** Managed policy ARNs to attach. */
  attach?: string[];
}

export async function createRole(c: Pick<AwsClients, 'iam'>, r: RoleSpec): Promise<void> {
  await c.iam.send(
    new CreateRoleCommand({
      RoleName: r.name,
      AssumeRolePolicyDocument: JSON.stringify(r.trust ?? ECS_TASKS_TRUST),
      ...(r.tags ? { Tags: Object.entries(r.tags).map(([Key, Value]) => ({ Key, Value })) } : {}),
    }),
  );
  for (const [name, body] of Object.entries(r.inline ?? {})) {
    const PolicyDocument = typeof body === 'string' ? body : policyDocument(...body);
    await c.iam.send(new PutRolePolicyCommand({ RoleName: r.name, PolicyName: name, PolicyDocument }));
  }
  for (const arn of r.attach ?? []) await c.iam.send(new AttachRolePolicyCommand({ RoleName: r.name, PolicyArn: arn }));
}

/** An awslogs log configuration; `create` sets awslogs-create-group (which needs logs:CreateLogGroup). */
export function awslogs(group: string, region: string, prefix: string, create = false) {
  return {
    logDriver: 'awslogs' as const,
    options: {
      'awslogs-group': group,
      'awslogs-region': region,
      'awslogs-stream-prefix': prefix,
      ...(create ? { 'awslogs-create-group': 'true' } : {}),
    },
  };
}

/** A Fargate task definition naming `executionRoleArn` (and optionally a task role). */
export function fargate(
  family: string,
  executionRoleArn: string,
  containers: RegisterTaskDefinitionCommandInput['containerDefinitions'],
  taskRoleArn?: string,
): RegisterTaskDefinitionCommandInput {
  return {
    family,
    executionRoleArn,
    ...(taskRoleArn ? { taskRoleArn } : {}),
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    containerDefinitions: containers,
  };
}

/** A queue subscribed to `topicArn`; `raw` drops the SNS envelope (and with it the Subject). */
export async function queueOnTopic(c: Pick<AwsClients, 'sns' | 'sqs'>, topicArn: string, queue: string, raw: boolean): Promise<string> {
  const url = (await c.sqs.send(new CreateQueueCommand({ QueueName: queue }))).QueueUrl!;
  const arn = (await c.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  await c.sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: arn,
      ...(raw ? { Attributes: { RawMessageDelivery: 'true' } } : {}),
    }),
  );
  return url;
}
