// Composition root: builds the adapters once per Lambda container (or per demo/test run) from configuration.
import { awsConfigFromEnv, clientOptions, makeClients, type AwsClients, type AwsConfig } from './adapters/aws/clients.js';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CloudTrailBackfill } from './adapters/aws/cloudtrail-backfill.js';
import { CloudTrailLake } from './adapters/aws/cloudtrail-lake.js';
import { LastAccessed } from './adapters/aws/last-accessed.js';
import { memberConfig } from './adapters/aws/member-account.js';
import { backfillEvidence, type BackfillSummary } from './app/backfill.js';
import { EcsReader } from './adapters/aws/ecs-reader.js';
import { EvidenceStore } from './adapters/aws/evidence-store.js';
import { FindingsStore } from './adapters/aws/findings-store.js';
import { IamReader } from './adapters/aws/iam-reader.js';
import { resolveKmsLookups } from './adapters/aws/kms-resolver.js';
import { SnsNotifier } from './adapters/aws/notifier.js';
import { RemediationQueue } from './adapters/aws/remediation-queue.js';
import { RoleIndex } from './adapters/aws/role-index.js';
import { listRevisionsPage, SweepStore } from './adapters/aws/sweep-store.js';
import { StateStore } from './adapters/aws/state-store.js';
import { watchForDenials } from './app/watch.js';
import type { SweepPorts } from './app/sweep.js';
import type { EvidenceDeps } from './app/on-evidence.js';
import type { IamChangeDeps } from './app/on-iam-change.js';
import type { TaskDefinitionDeps } from './app/on-task-definition-change.js';
import { loadConfig, type LeashConfig } from './config.js';

export type PipelineDeps = TaskDefinitionDeps &
  IamChangeDeps &
  EvidenceDeps & {
    config: LeashConfig;
    clients: AwsClients;
    index: RoleIndex;
    findingsStore: FindingsStore;
    evidenceStore: EvidenceStore;
    iam: IamReader;
    sweep: SweepPorts;
    /** CloudTrail and last-accessed backfill of this account's evidence (resumable; see lib/app/backfill.ts). */
    backfill: (timeLeft: () => number) => Promise<BackfillSummary>;
  };

/** Home clients for the table, topic and queues; `account` (another account of the organization) for the rest. */
export function buildPipeline(
  config: LeashConfig,
  aws: AwsConfig,
  now: () => string = () => new Date().toISOString(),
  account?: string,
  /** Where moto lacks a service (local demo, tests): another CloudTrail endpoint, or no last-accessed data. */
  local: { cloudTrailEndpoint?: string; lastAccessed?: false } = {},
): PipelineDeps {
  const home = makeClients(aws);
  const foreign = account !== undefined && config.member && config.homeAccount && account !== config.homeAccount;
  const worldConfig = foreign ? memberConfig(home, aws, account, config.member!.roleName, config.member!.externalId) : aws;
  const world = foreign ? makeClients(worldConfig) : home;
  // Reads of ECS, IAM, KMS, SSM and Secrets Manager go to the account the event came from; state stays home.
  const clients: AwsClients = Object.create(world, {
    ddb: { get: () => home.ddb },
    sns: { get: () => home.sns },
    sqs: { get: () => home.sqs },
  }) as AwsClients;
  const index = new RoleIndex(clients.ddb, config.table);
  const iam = new IamReader(clients.iam);
  const findingsStore = new FindingsStore(clients.ddb, config.table);
  const evidenceStore = new EvidenceStore(clients.ddb, config.table, config.evidenceTtlDays);
  const sns = config.topicArn ? new SnsNotifier(clients.sns, config.topicArn) : undefined;
  const queue = config.remediationQueueUrl ? new RemediationQueue(clients.sqs, config.remediationQueueUrl) : undefined;
  const sweepStore = new SweepStore(clients.ddb, config.table, foreign ? account : 'home');
  const sweep: SweepPorts = {
    listPage: (status, token) => listRevisionsPage(clients.ecs, status, token),
    pointers: (arns) => sweepStore.pointers(arns),
    putLivePage: (id, page, arns, at) => sweepStore.putLivePage(id, page, arns, at),
    livePages: (id, pages) => sweepStore.livePages(id, pages),
    getCursor: () => sweepStore.getCursor(),
    putCursor: (c) => sweepStore.putCursor(c),
  };
  // LookupEvents is paced by the backfill's own limiter (2 a second): SDK retries would bypass it.
  const trailClient = (region: string, maxAttempts?: number) =>
    new CloudTrailClient({
      ...clientOptions(worldConfig, region),
      ...(maxAttempts ? { maxAttempts } : {}),
      ...(local.cloudTrailEndpoint ? { endpoint: local.cloudTrailEndpoint } : {}),
    });
  const lookup = new CloudTrailBackfill((region) => trailClient(region, 1));
  // With a CloudTrail Lake event data store, one SQL query per role replaces the 2-per-second LookupEvents scan.
  const lake = config.cloudTrailLake ? new CloudTrailLake(trailClient(aws.region)) : undefined;
  const cloudTrail: Parameters<typeof backfillEvidence>[0]['cloudTrail'] = lake
    ? {
        async *lookup(o) {
          const roles = await index.allRoles();
          // The cursor is the next role's position, so a run that stops resumes with the following role.
          for (let i = Number(o.resume ?? 0); i < roles.length; i++) {
            const records = await lake.records({ eventDataStore: config.cloudTrailLake!, roleArn: roles[i]!, start: o.start, end: o.end });
            yield { records, ...(i + 1 < roles.length ? { cursor: String(i + 1) } : {}) };
          }
        },
      }
    : lookup;
  const accountId = account ?? config.homeAccount ?? 'home';
  const backfill = (timeLeft: () => number) =>
    backfillEvidence({
      index,
      cloudTrail,
      ...(local.lastAccessed === false ? {} : { lastAccessed: new LastAccessed(clients.iam) }),
      evidenceStore,
      cursor: {
        get: async () => (await index.getCursor(`backfill#${accountId}`)) || undefined,
        put: (c) => index.putCursor(`backfill#${accountId}`, c ?? ''),
      },
      region: aws.region,
      account: accountId,
      windowDays: Math.min(config.recentUseDays, 90),
      now,
      timeLeft,
    });
  return {
    config,
    clients,
    sweep,
    backfill,
    iam,
    index,
    findingsStore,
    evidenceStore,
    ecs: new EcsReader(clients.ecs),
    grants: iam,
    findings: findingsStore,
    evidence: evidenceStore,
    kms: (lookups) => resolveKmsLookups(lookups, clients),
    ...(sns
      ? { notifier: { publishFindings: async (roleArn, findings) => void (await sns.publishFindings(roleArn, findings, { at: now() })) } }
      : {}),
    // The remediator reads each role's own mode (tag), so every change is queued; observe roles stop there.
    ...(queue ? { queue } : {}),
    watch: watchForDenials(new StateStore(clients.ddb, config.table), queue),
    pullThroughPrefixes: config.pullThroughPrefixes,
    // In a member account Leash writes through the member role, so the changes that role makes are Leash's own too.
    selfRoleArns: foreign ? [...config.selfRoleArns, memberRoleArn(aws.region, account!, config.member!.roleName)] : config.selfRoleArns,
    recentUseDays: config.recentUseDays,
    now,
  };
}

/** The ARN memberConfig assumes in `account` (same partition rule). */
function memberRoleArn(region: string, account: string, roleName: string): string {
  const partition = /^cn-/.test(region) ? 'aws-cn' : /^us-gov-/.test(region) ? 'aws-us-gov' : 'aws';
  return `arn:${partition}:iam::${account}:role/${roleName}`;
}

const cached = new Map<string, PipelineDeps>();

/** The Lambda's dependencies for the event's account, built on first use and kept for the container's lifetime. */
export function pipelineFromEnv(account?: string): PipelineDeps {
  const key = account ?? '';
  let deps = cached.get(key);
  if (!deps) cached.set(key, (deps = buildPipeline(loadConfig(process.env), awsConfigFromEnv(process.env), undefined, account)));
  return deps;
}

/** The account an EventBridge event came from (forwarded events keep it), if it names one. */
export function accountOf(event: unknown): string | undefined {
  const account = (event as { account?: unknown } | null)?.account;
  return typeof account === 'string' && /^\d{12}$/.test(account) ? account : undefined;
}
