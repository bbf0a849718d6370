// Fault and scale cases moto cannot produce: multi-page listings, batch sizes, rolling deployments, throttling.
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListClustersCommand,
  ListServicesCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
} from '@aws-sdk/client-ecs';
import { EcsTaskDefinitions as EcsReader } from '../../../lib/adapters/aws/ecs-task-definitions.js';
import { sameRole } from '../../../lib/engine/arn.js';
import { AdapterError } from '../../../lib/errors.js';

const ecsMock = mockClient(ECSClient);
const CLUSTER = 'arn:aws:ecs:us-east-1:123456789012:cluster/prod';
const td = (fr: string) => `arn:aws:ecs:us-east-1:123456789012:task-definition/${fr}`;
const svc = (i: number) => `arn:aws:ecs:us-east-1:123456789012:service/prod/s${i}`;
const task = (i: number) => `arn:aws:ecs:us-east-1:123456789012:task/prod/t${i}`;

beforeEach(() => ecsMock.reset());

describe('EcsReader (mocked ECS)', () => {
  it('follows every page and batches DescribeServices by 10 and DescribeTasks by 100', async () => {
    ecsMock.on(ListClustersCommand).resolves({ clusterArns: [CLUSTER] });
    const services = Array.from({ length: 23 }, (_, i) => svc(i));
    ecsMock
      .on(ListServicesCommand, { nextToken: undefined })
      .resolves({ serviceArns: services.slice(0, 20), nextToken: 'p2' })
      .on(ListServicesCommand, { nextToken: 'p2' })
      .resolves({ serviceArns: services.slice(20) });
    ecsMock.on(DescribeServicesCommand).callsFake((input: { services: string[] }) => ({
      services: input.services.map((arn) => ({ serviceArn: arn, status: 'ACTIVE', taskDefinition: td('svc:1') })),
    }));
    const tasks = Array.from({ length: 150 }, (_, i) => task(i));
    ecsMock
      .on(ListTasksCommand, { nextToken: undefined })
      .resolves({ taskArns: tasks.slice(0, 100), nextToken: 't2' })
      .on(ListTasksCommand, { nextToken: 't2' })
      .resolves({ taskArns: tasks.slice(100) });
    ecsMock.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({
      tasks: input.tasks.map((arn) => ({ taskArn: arn, taskDefinitionArn: arn === task(149) ? td('job:7') : td('svc:1') })),
    }));

    const inUse = await new EcsReader(new ECSClient({ region: 'us-east-1' })).inUseTaskDefinitionArns();
    expect([...inUse].sort()).toEqual([td('job:7'), td('svc:1')]);
    expect(ecsMock.commandCalls(DescribeServicesCommand).map((c) => c.args[0].input.services?.length)).toEqual([10, 10, 3]);
    expect(ecsMock.commandCalls(DescribeTasksCommand).map((c) => c.args[0].input.tasks?.length)).toEqual([100, 50]);
    expect(ecsMock.commandCalls(ListTasksCommand).every((c) => c.args[0].input.desiredStatus === 'RUNNING')).toBe(true);
  });

  it('counts every deployment and task set of a service, not only the primary revision', async () => {
    ecsMock.on(ListClustersCommand).resolves({ clusterArns: [CLUSTER] });
    ecsMock.on(ListServicesCommand).resolves({ serviceArns: [svc(1), svc(2)] });
    ecsMock.on(DescribeServicesCommand).resolves({
      services: [
        {
          serviceArn: svc(1),
          status: 'ACTIVE',
          taskDefinition: td('web:5'),
          deployments: [
            { status: 'PRIMARY', taskDefinition: td('web:5') },
            { status: 'ACTIVE', taskDefinition: td('web:4') }, // still draining during a rolling update
          ],
          taskSets: [{ taskDefinition: td('web:3') }],
        },
        { serviceArn: svc(2), status: 'INACTIVE', taskDefinition: td('old:1') }, // deleted service
      ],
    });
    ecsMock.on(ListTasksCommand).resolves({ taskArns: [] });
    const inUse = await new EcsReader(new ECSClient({ region: 'us-east-1' })).inUseTaskDefinitionArns();
    expect([...inUse].sort()).toEqual([td('web:3'), td('web:4'), td('web:5')]);
  });

  it('pages ListTaskDefinitions with maxResults 100', async () => {
    ecsMock
      .on(ListTaskDefinitionsCommand, { nextToken: undefined })
      .resolves({ taskDefinitionArns: [td('a:1')], nextToken: 'n' })
      .on(ListTaskDefinitionsCommand, { nextToken: 'n' })
      .resolves({ taskDefinitionArns: [td('a:2')] });
    const out: string[] = [];
    for await (const arn of new EcsReader(new ECSClient({ region: 'us-east-1' })).listAllRevisions({ status: 'INACTIVE' })) out.push(arn);
    expect(out).toEqual([td('a:1'), td('a:2')]);
    expect(ecsMock.commandCalls(ListTaskDefinitionsCommand).map((c) => [c.args[0].input.status, c.args[0].input.maxResults])).toEqual([
      ['INACTIVE', 100],
      ['INACTIVE', 100],
    ]);
  });

  it('surfaces throttling that outlived the retries as an AdapterError with the cause', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    ecsMock.on(DescribeTaskDefinitionCommand).rejects(throttled);
    const err = await new EcsReader(new ECSClient({ region: 'us-east-1' })).describe('web:1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AdapterError);
    expect(err).toMatchObject({ service: 'ecs', operation: 'DescribeTaskDefinition', cause: throttled });
  });

  it('does not mistake other client errors for a missing revision', async () => {
    ecsMock
      .on(DescribeTaskDefinitionCommand)
      .rejects(Object.assign(new Error('Task definition family is too long'), { name: 'ClientException' }));
    await expect(new EcsReader(new ECSClient({ region: 'us-east-1' })).describe('web:1')).rejects.toBeInstanceOf(AdapterError);
  });
});

describe('sameRole', () => {
  it('matches ARNs exactly and bare names by name', () => {
    const arn = 'arn:aws:iam::123456789012:role/service-role/web-exec';
    expect(sameRole(arn, arn)).toBe(true);
    expect(sameRole('web-exec', arn)).toBe(true);
    expect(sameRole('arn:aws:iam::210987654321:role/web-exec', arn)).toBe(false);
    expect(sameRole('api-exec', arn)).toBe(false);
    expect(sameRole(undefined, arn)).toBe(false);
  });
});
