import { describe, expect, it } from 'vitest';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeregisterTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
} from '@aws-sdk/client-ecs';
import { EcsTaskDefinitions as EcsReader } from '../../../lib/adapters/aws/ecs-task-definitions.js';
import { TEST_ACCOUNT, useMoto } from '../../support/moto.js';

const moto = useMoto();

const WEB_EXEC = `arn:aws:iam::${TEST_ACCOUNT}:role/web-exec`;
const OTHER_EXEC = `arn:aws:iam::${TEST_ACCOUNT}:role/other-exec`;
const tdArn = (familyRevision: string) => `arn:aws:ecs:us-east-1:${TEST_ACCOUNT}:task-definition/${familyRevision}`;

async function register(ecs: ECSClient, family: string, executionRoleArn?: string) {
  const res = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family,
      ...(executionRoleArn ? { executionRoleArn } : {}),
      containerDefinitions: [
        {
          name: 'app',
          image: `${TEST_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/${family}:1`,
          memory: 128,
          secrets: [{ name: 'DB', valueFrom: `arn:aws:secretsmanager:us-east-1:${TEST_ACCOUNT}:secret:db-AbCdEf` }],
        },
      ],
      tags: [{ key: 'team', value: 'web' }],
    }),
  );
  return res.taskDefinition!.taskDefinitionArn!;
}

describe('EcsReader against moto', () => {
  it('describes a revision with its tags, and answers undefined for one that does not exist', async () => {
    const ecs = new ECSClient(moto.config());
    await register(ecs, 'web', WEB_EXEC);
    const reader = new EcsReader(ecs);
    const td = await reader.describe('web:1');
    expect(td?.taskDefinitionArn).toBe(tdArn('web:1'));
    expect(td?.executionRoleArn).toBe(WEB_EXEC);
    expect(td?.containerDefinitions[0]?.secrets).toEqual([
      { name: 'DB', valueFrom: `arn:aws:secretsmanager:us-east-1:${TEST_ACCOUNT}:secret:db-AbCdEf` },
    ]);
    expect(td?.tags).toEqual([{ key: 'team', value: 'web' }]);
    expect(await reader.describe('web:9')).toBeUndefined();
    expect(await reader.describe('absent:1')).toBeUndefined();
  });

  it('a deregistered revision stays describable as INACTIVE', async () => {
    const ecs = new ECSClient(moto.config());
    await register(ecs, 'web', WEB_EXEC);
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'web:1' }));
    expect((await new EcsReader(ecs).describe(tdArn('web:1')))?.status).toBe('INACTIVE');
  });

  it('lists revisions by status', async () => {
    const ecs = new ECSClient(moto.config());
    for (let i = 0; i < 3; i++) await register(ecs, 'web', WEB_EXEC);
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'web:2' }));
    const reader = new EcsReader(ecs);
    const active: string[] = [];
    for await (const arn of reader.listAllRevisions({ status: 'ACTIVE' })) active.push(arn);
    const inactive: string[] = [];
    for await (const arn of reader.listAllRevisions({ status: 'INACTIVE' })) inactive.push(arn);
    expect(active.sort()).toEqual([tdArn('web:1'), tdArn('web:3')]);
    expect(inactive).toEqual([tdArn('web:2')]);
  });

  it('counts revisions used by services and running tasks, including deregistered ones', async () => {
    const ecs = new ECSClient(moto.config());
    for (let i = 0; i < 4; i++) await register(ecs, 'web', WEB_EXEC);
    await ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
    await ecs.send(new CreateClusterCommand({ clusterName: 'batch' }));
    await ecs.send(new CreateServiceCommand({ cluster: 'prod', serviceName: 'web', taskDefinition: 'web:1', desiredCount: 1 }));
    await ecs.send(new RunTaskCommand({ cluster: 'batch', taskDefinition: 'web:2', launchType: 'FARGATE' }));
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'web:1' }));
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'web:2' }));
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'web:3' }));

    const inUse = await new EcsReader(ecs).inUseTaskDefinitionArns();
    expect([...inUse].sort()).toEqual([tdArn('web:1'), tdArn('web:2')]);
  });

  it('finds the revisions behind a role: ACTIVE ones plus INACTIVE ones still in use', async () => {
    const ecs = new ECSClient(moto.config());
    await register(ecs, 'web', WEB_EXEC); // web:1, will be deregistered but kept by a service
    await register(ecs, 'web', WEB_EXEC); // web:2, deregistered and unused
    await register(ecs, 'web', WEB_EXEC); // web:3, active
    await register(ecs, 'api', OTHER_EXEC); // another role
    await register(ecs, 'cron'); // no execution role at all
    await ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
    await ecs.send(new CreateServiceCommand({ cluster: 'prod', serviceName: 'web', taskDefinition: 'web:1', desiredCount: 1 }));
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'web:1' }));
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'web:2' }));

    const tds = await new EcsReader(ecs).taskDefinitionsForRole(WEB_EXEC);
    expect(tds.map((t) => [t.taskDefinitionArn, t.status]).sort()).toEqual([
      [tdArn('web:1'), 'INACTIVE'],
      [tdArn('web:3'), 'ACTIVE'],
    ]);
  });
});
