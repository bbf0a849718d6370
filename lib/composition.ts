// Composition root for the functions that read and assess (EventBridge pipeline, reconcile): one account's adapters,
// once per container. Wiring only: every decision lives in lib/app or lib/engine.
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { accountClients, servedAccounts } from './adapters/aws/accounts.js';
import { awsConfigFromEnv, clientOptions, type AwsConfig } from './adapters/aws/clients.js';
import { CloudTrailBackfill } from './adapters/aws/cloudtrail-backfill.js';
import { CloudTrailLake, CloudTrailLakeSource } from './adapters/aws/cloudtrail-lake.js';
import { EcsTaskDefinitions } from './adapters/aws/ecs-task-definitions.js';
import { IamRoles } from './adapters/aws/iam-roles.js';
import { AwsKmsKeys } from './adapters/aws/kms-resolver.js';
import { IamLastAccessed } from './adapters/aws/last-accessed.js';
import { SnsNotifier } from './adapters/aws/notifier.js';
import { SqsRemediationQueue } from './adapters/aws/remediation-queue.js';
import { pipelineStores } from './adapters/aws/table-stores.js';
import { cachedBy, EVENT_FACTS_MAX_AGE_MS, isoNow, optional } from './composition-support.js';
import type { Pipeline, PipelineOptions } from './composition-types.js';
import { loadConfig, type LeashConfig } from './config.js';

export type { Pipeline, PipelineOptions };

export function buildPipeline(config: LeashConfig, aws: AwsConfig, opts: PipelineOptions = {}): Pipeline {
  const now = opts.now ?? isoNow;
  const clients = accountClients(config, aws, opts.account);
  const { home, world, worldConfig, accountId, sweepScope, ownRoles } = clients;
  // LookupEvents is paced by the backfill's own limiter (2 a second): SDK retries would bypass it (maxAttempts 1). It
  // reads the watched account's trail; a CloudTrail Lake event data store lives in the home account: home credentials.
  const trail = (cfg: AwsConfig, region: string, maxAttempts?: number) =>
    new CloudTrailClient({
      ...clientOptions({ ...cfg, maxAttempts: maxAttempts ?? cfg.maxAttempts }, region),
      ...optional(opts.local?.cloudTrailEndpoint, (endpoint) => ({ endpoint })),
    });
  return {
    config,
    clients,
    ...pipelineStores(home.ddb, config.table, { evidenceTtlDays: config.evidenceTtlDays, sweepScope }),
    ecs: new EcsTaskDefinitions(world.ecs),
    roles: new IamRoles(world.iam),
    kms: new AwsKmsKeys(world),
    notifier: optional(config.topicArn, (topic) => new SnsNotifier(home.sns, topic, now)),
    queue: optional(config.remediationQueueUrl, (url) => new SqsRemediationQueue(home.sqs, url)),
    cloudTrail: config.cloudTrailLake
      ? new CloudTrailLakeSource(new CloudTrailLake(trail(aws, aws.region)), config.cloudTrailLake)
      : new CloudTrailBackfill((region) => trail(worldConfig, region, 1)),
    lastAccessed: opts.local?.lastAccessed === false ? undefined : new IamLastAccessed(world.iam),
    servedAccounts: servedAccounts(config, home),
    region: aws.region,
    accountId,
    ecsDescribeRate: config.ecsDescribeRate,
    pullThroughPrefixes: config.pullThroughPrefixes,
    selfRoleArns: [...config.selfRoleArns, ...ownRoles],
    recentUseDays: config.recentUseDays,
    eventFactsMaxAgeMs: EVENT_FACTS_MAX_AGE_MS,
    now,
  };
}

/** The Lambda's dependencies for the event's account, built on first use and kept for the container's lifetime. */
export const pipelineFor = cachedBy((account?: string) =>
  buildPipeline(loadConfig(process.env), awsConfigFromEnv(process.env), { account }),
);
