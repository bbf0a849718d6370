// The account the events in events/ describe, with more revisions than the demo: execution roles web-exec,
// reports-exec and billing-exec shared by several task-definition revisions (web-api:2 deregistered), and
// payments-exec with none. What the resilience tests and the benchmarks run against.
import {
  DeregisterTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import { CreatePolicyCommand, CreatePolicyVersionCommand } from '@aws-sdk/client-iam';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import type { AwsClients } from '../../../lib/adapters/aws/clients.js';
import { awslogs, createRole, fargate } from '../../../lib/dev/account-seed.js';
import { DEMO_ACCOUNT as ACCOUNT, DEMO_REGION as REGION, roleArn } from '../../../lib/dev/demo/seed.js';
import { loadEventJson } from '../corpus.js';

const EXEC_BASICS = [
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
];

type Container = NonNullable<RegisterTaskDefinitionCommandInput['containerDefinitions']>[number];

function container(name: string, image: string, logGroup: string, secrets: [string, string][], createGroup = false): Container {
  return {
    name,
    image,
    essential: true,
    secrets: secrets.map(([n, valueFrom]) => ({ name: n, valueFrom })),
    logConfiguration: awslogs(logGroup, REGION, name, createGroup),
  };
}

/** The revisions the events name, oldest first (ECS numbers them in registration order). */
export function eventsTaskDefinitions(): RegisterTaskDefinitionCommandInput[] {
  const register = loadEventJson<{ detail: { requestParameters: RegisterTaskDefinitionCommandInput } }>('register-task-definition.json');
  const web = register.detail.requestParameters;
  const ecr = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`;
  const stripe = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:web/stripe-AbCdEf`;
  const tds: RegisterTaskDefinitionCommandInput[] = [];
  for (const tag of ['1.4.0', '1.4.1']) {
    tds.push({ ...web, containerDefinitions: web.containerDefinitions!.map((c) => ({ ...c, image: `${ecr}/web/api:${tag}` })) });
  }
  tds.push(web); // web-api:3, exactly as registered in the event
  for (let i = 1; i <= 4; i++) {
    tds.push(fargate('web-worker', roleArn('web-exec'), [container('worker', `${ecr}/web/worker:${i}`, '/ecs/web', [['STRIPE', stripe]])]));
  }
  for (let i = 1; i <= 2; i++) {
    const image = `210987654321.dkr.ecr.${REGION}.amazonaws.com/shared/reports:${6 + i}`;
    const secrets: [string, string][] = [
      ['SMTP', `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:reports/smtp-QwErTy`],
      ['API_TOKEN', '/reports/api-token'],
    ];
    tds.push(fargate('reports', roleArn('reports-exec'), [container('reports', image, '/ecs/reports', secrets, true)]));
  }
  for (let i = 1; i <= 5; i++) {
    const db: [string, string] = ['DB', `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:billing/db-XyZ123`];
    tds.push(fargate('billing', roleArn('billing-exec'), [container('billing', `${ecr}/billing:${i}`, '/ecs/billing', [db])]));
  }
  return tds;
}

/** Seeds the account (no faults): IAM, SSM and ECS. */
export async function seedEventsAccount(c: AwsClients, tds: RegisterTaskDefinitionCommandInput[]): Promise<void> {
  const doc = (file: string) =>
    loadEventJson<{ detail: { requestParameters: { policyDocument: string } } }>(file).detail.requestParameters.policyDocument;
  const shared = await c.iam.send(
    new CreatePolicyCommand({
      PolicyName: 'ecs-exec-shared',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: EXEC_BASICS }),
    }),
  );
  const sharedArn = shared.Policy!.Arn!;
  await c.iam.send(
    new CreatePolicyVersionCommand({ PolicyArn: sharedArn, PolicyDocument: doc('create-policy-version.json'), SetAsDefault: true }),
  );
  await createRole(c, { name: 'web-exec', inline: { 'exec-basics': EXEC_BASICS } });
  await createRole(c, { name: 'reports-exec', inline: { 'exec-basics': EXEC_BASICS } });
  await createRole(c, {
    name: 'billing-exec',
    inline: { 'billing-exports': doc('put-role-policy.json') },
    attach: [sharedArn],
    tags: { 'leash:mode': 'approve' },
  });
  await createRole(c, { name: 'payments-exec' });

  // SecureStrings under the default key resolve to "AWS managed": deterministic across moto resets.
  for (const name of ['/web/prod/db-password', '/reports/api-token']) {
    await c.ssm.send(new PutParameterCommand({ Name: name, Type: 'SecureString', Value: 'x' }));
  }
  for (const td of tds) await c.ecs.send(new RegisterTaskDefinitionCommand(td));
  if (tds.some((t) => t.family === 'web-api')) await c.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'web-api:2' }));
}
