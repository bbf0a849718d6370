// Reads task definitions and what ECS is running. A deregistered (INACTIVE) revision still used by a service or
// a task is intent too (spec §3.4, §11.18): never shrink a role on DeregisterTaskDefinition without checking.
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListClustersCommand,
  ListServicesCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  type ECSClient,
} from '@aws-sdk/client-ecs';
import type { RevisionStatus, TaskDefinitions } from '../../app/ports.js';
import { sameRole } from '../../engine/arn.js';
import { isLive } from '../../engine/assess.js';
import type { TaskDefinition } from '../../engine/types.js';
import { chunk, mapLimit } from '../../engine/concurrency.js';
import { call, callOrMissing, errorMessage, errorName } from './sdk-call.js';

const CONCURRENCY = 4;

// DescribeTaskDefinition answers a missing revision with a plain ClientException.
const missingTaskDefinition = (err: unknown): boolean =>
  errorName(err) === 'ClientException' && /unable to describe task definition|does not exist|not found/i.test(errorMessage(err));

export class EcsTaskDefinitions implements TaskDefinitions {
  constructor(private readonly ecs: ECSClient) {}

  /** The revision as ECS describes it now (tags included), or undefined when it no longer exists. */
  async describe(taskDefinitionArnOrFamilyRevision: string): Promise<TaskDefinition | undefined> {
    const res = await callOrMissing(
      'ecs',
      'DescribeTaskDefinition',
      () => this.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: taskDefinitionArnOrFamilyRevision, include: ['TAGS'] })),
      missingTaskDefinition,
    );
    if (!res?.taskDefinition) return undefined;
    // Plain JSON (dates as ISO strings), shaped like a RegisterTaskDefinition input, tags included.
    const plain = JSON.parse(JSON.stringify(res.taskDefinition)) as TaskDefinition;
    return { ...plain, containerDefinitions: plain.containerDefinitions ?? [], ...(res.tags?.length ? { tags: res.tags } : {}) };
  }

  /** One page of ListTaskDefinitions, so a sweep can stop between pages and resume from the token. */
  async listPage(status: RevisionStatus, nextToken?: string): Promise<{ arns: string[]; nextToken?: string }> {
    const res = await call('ecs', 'ListTaskDefinitions', () =>
      this.ecs.send(new ListTaskDefinitionsCommand({ status, maxResults: 100, ...(nextToken ? { nextToken } : {}) })),
    );
    return { arns: res.taskDefinitionArns ?? [], ...(res.nextToken ? { nextToken: res.nextToken } : {}) };
  }

  async *listAllRevisions(opts: { status: 'ACTIVE' | 'INACTIVE'; familyPrefix?: string }): AsyncIterable<string> {
    let nextToken: string | undefined;
    do {
      const page = await call('ecs', 'ListTaskDefinitions', () =>
        this.ecs.send(new ListTaskDefinitionsCommand({ status: opts.status, familyPrefix: opts.familyPrefix, maxResults: 100, nextToken })),
      );
      yield* page.taskDefinitionArns ?? [];
      nextToken = page.nextToken;
    } while (nextToken);
  }

  /** Revisions referenced by a service (every deployment and task set, not only the primary) or by a task that
   *  is running or about to run, across every cluster in the Region. */
  async inUseTaskDefinitionArns(): Promise<Set<string>> {
    const clusters = await this.paginate(
      'ListClusters',
      (nextToken) => this.ecs.send(new ListClustersCommand({ maxResults: 100, nextToken })),
      (p) => p.clusterArns,
    );
    const perCluster = await mapLimit(clusters, CONCURRENCY, async (cluster) => [
      ...(await this.serviceTaskDefinitions(cluster)),
      ...(await this.taskTaskDefinitions(cluster)),
    ]);
    return new Set(perCluster.flat());
  }

  /** The ACTIVE revisions naming the role as execution role, plus INACTIVE ones still in use.
   *  Describes every ACTIVE revision in the Region: meant for sweeps and the CLI, not the event path. */
  async taskDefinitionsForRole(roleArn: string, opts: { inUse?: Set<string> } = {}): Promise<TaskDefinition[]> {
    const active: string[] = [];
    for await (const arn of this.listAllRevisions({ status: 'ACTIVE' })) active.push(arn);
    const inUse = opts.inUse ?? (await this.inUseTaskDefinitionArns());
    const activeSet = new Set(active);
    const inactiveInUse = [...inUse].filter((arn) => !activeSet.has(arn));
    const described = await mapLimit([...active, ...inactiveInUse], CONCURRENCY, (arn) => this.describe(arn));
    return described.filter(
      (td): td is TaskDefinition =>
        td !== undefined &&
        sameRole(td.executionRoleArn, roleArn) &&
        isLive({ status: td.status ?? 'ACTIVE', inUse: inUse.has(td.taskDefinitionArn ?? '') }),
    );
  }

  private async serviceTaskDefinitions(cluster: string): Promise<string[]> {
    const services = await this.paginate(
      'ListServices',
      (nextToken) => this.ecs.send(new ListServicesCommand({ cluster, maxResults: 100, nextToken })),
      (p) => p.serviceArns,
    );
    const batches = await mapLimit(chunk(services, 10), 2, async (batch) => {
      const res = await call('ecs', 'DescribeServices', () => this.ecs.send(new DescribeServicesCommand({ cluster, services: batch })));
      return (res.services ?? [])
        .filter((s) => s.status !== 'INACTIVE')
        .flatMap((s) => [
          s.taskDefinition,
          ...(s.deployments ?? []).map((d) => d.taskDefinition),
          ...(s.taskSets ?? []).map((t) => t.taskDefinition),
        ]);
    });
    return batches.flat().filter((x): x is string => !!x);
  }

  private async taskTaskDefinitions(cluster: string): Promise<string[]> {
    // desiredStatus RUNNING covers PENDING and PROVISIONING tasks too.
    const tasks = await this.paginate(
      'ListTasks',
      (nextToken) => this.ecs.send(new ListTasksCommand({ cluster, desiredStatus: 'RUNNING', maxResults: 100, nextToken })),
      (p) => p.taskArns,
    );
    const batches = await mapLimit(chunk(tasks, 100), 2, async (batch) => {
      const res = await call('ecs', 'DescribeTasks', () => this.ecs.send(new DescribeTasksCommand({ cluster, tasks: batch })));
      return (res.tasks ?? []).map((t) => t.taskDefinitionArn);
    });
    return batches.flat().filter((x): x is string => !!x);
  }

  private async paginate<P extends { nextToken?: string }>(
    operation: string,
    send: (nextToken: string | undefined) => Promise<P>,
    items: (page: P) => string[] | undefined,
  ): Promise<string[]> {
    const out: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await call('ecs', operation, () => send(nextToken));
      out.push(...(items(page) ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return out;
  }
}
