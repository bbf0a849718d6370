// Composition root for the functions that read and assess (the EventBridge pipeline, the reconcile sweep): wires the
// adapters for one account, once per container. Wiring only: every decision lives in lib/app or lib/engine.
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { accountClients, type AccountClients } from './adapters/aws/accounts.js';
import { awsConfigFromEnv, clientOptions, type AwsConfig } from './adapters/aws/clients.js';
import { CloudTrailBackfill } from './adapters/aws/cloudtrail-backfill.js';
import { CloudTrailLake, CloudTrailLakeSource } from './adapters/aws/cloudtrail-lake.js';
import { EcsTaskDefinitions } from './adapters/aws/ecs-task-definitions.js';
import { DynamoEvidenceStore } from './adapters/aws/evidence-store.js';
import { DynamoFindingsStore } from './adapters/aws/findings-store.js';
import { IamRoles } from './adapters/aws/iam-roles.js';
import { AwsKmsKeys } from './adapters/aws/kms-resolver.js';
import { IamLastAccessed } from './adapters/aws/last-accessed.js';
import { SnsNotifier } from './adapters/aws/notifier.js';
import { SqsRemediationQueue } from './adapters/aws/remediation-queue.js';
import { DynamoCursors, DynamoRoleIndex } from './adapters/aws/role-index.js';
import { DynamoWatches } from './adapters/aws/state-store.js';
import { DynamoSweepStore } from './adapters/aws/sweep-store.js';
import type { EvidenceDeps } from './app/on-evidence.js';
import type { IamChangeDeps } from './app/on-iam-change.js';
import type { TaskDefinitionDeps } from './app/on-task-definition-change.js';
import type { EvidenceStore, FindingsStore, Notifier, RoleIndex, Roles, TaskDefinitions, Watches } from './app/ports.js';
import type { ReconcileDeps } from './app/reconcile.js';
import { cachedBy, isoNow, optional } from './composition-support.js';
import { loadConfig, type LeashConfig } from './config.js';

/** One account's pipeline adapters, each typed by its full port. */
export interface Pipeline extends TaskDefinitionDeps, IamChangeDeps, EvidenceDeps, ReconcileDeps {
  config: LeashConfig;
  clients: AccountClients;
  ecs: TaskDefinitions;
  roles: Roles;
  index: RoleIndex;
  findings: FindingsStore;
  evidence: EvidenceStore;
  evidenceStore: EvidenceStore;
  notifier?: Notifier;
  watches: Watches;
}

export interface PipelineOptions {
  now?: () => string;
  /** Another account of the organization (home when omitted). */
  account?: string;
  /** Where moto lacks a service (local demo, tests): another CloudTrail endpoint, or no last-accessed data. */
  local?: { cloudTrailEndpoint?: string; lastAccessed?: false };
}

export function buildPipeline(config: LeashConfig, aws: AwsConfig, opts: PipelineOptions = {}): Pipeline {
  const now = opts.now ?? isoNow;
  const clients = accountClients(config, aws, opts.account);
  const { home, world, worldConfig, accountId, sweepScope, ownRoles } = clients;
  const ddb = home.ddb;
  const endpoint = optional(opts.local?.cloudTrailEndpoint, (url) => ({ endpoint: url }));
  // LookupEvents is paced by the backfill's own limiter (2 a second): SDK retries would bypass it.
  const trail = (region: string, maxAttempts?: number) =>
    new CloudTrailClient({ ...clientOptions(worldConfig, region), ...optional(maxAttempts, (n) => ({ maxAttempts: n })), ...endpoint });
  const evidenceStore = new DynamoEvidenceStore(ddb, config.table, config.evidenceTtlDays);
  return {
    config,
    clients,
    index: new DynamoRoleIndex(ddb, config.table),
    ecs: new EcsTaskDefinitions(world.ecs),
    roles: new IamRoles(world.iam),
    kms: new AwsKmsKeys(world),
    findings: new DynamoFindingsStore(ddb, config.table),
    evidence: evidenceStore,
    evidenceStore,
    notifier: optional(config.topicArn, (topic) => new SnsNotifier(home.sns, topic, now)),
    queue: optional(config.remediationQueueUrl, (url) => new SqsRemediationQueue(home.sqs, url)),
    watches: new DynamoWatches(ddb, config.table),
    sweep: new DynamoSweepStore(ddb, config.table, sweepScope),
    cursors: new DynamoCursors(ddb, config.table),
    cloudTrail: config.cloudTrailLake
      ? new CloudTrailLakeSource(new CloudTrailLake(trail(aws.region)), config.cloudTrailLake)
      : new CloudTrailBackfill((region) => trail(region, 1)),
    lastAccessed: opts.local?.lastAccessed === false ? undefined : new IamLastAccessed(world.iam),
    region: aws.region,
    accountId,
    ecsDescribeRate: config.ecsDescribeRate,
    pullThroughPrefixes: config.pullThroughPrefixes,
    selfRoleArns: [...config.selfRoleArns, ...ownRoles],
    recentUseDays: config.recentUseDays,
    now,
  };
}

/** The Lambda's dependencies for the event's account, built on first use and kept for the container's lifetime. */
export const pipelineFor = cachedBy((account?: string) =>
  buildPipeline(loadConfig(process.env), awsConfigFromEnv(process.env), { account }),
);
