// The one test world: an account on moto (one moto per test file, test/support/moto.ts), Leash's own resources
// created as the demo creates them (lib/dev/demo/seed.ts), and Leash wired by its composition root
// (buildRemediation, a superset of buildPipeline) with the world's clock, so tests go through the real handlers in
// functions/. What is seeded and how Leash is set up comes from a preset (presets.ts); README.md maps the old builders.
//
//   const w = await createWorld(moto.config(), demoAccount());            // the demo account, dry run, fixed clock
//   const w = await createWorld(moto.config(), remediationAccount({ defaultMode: 'auto' }));   // applies, Slack fake
import type { AccessAnalyzerClient } from '@aws-sdk/client-accessanalyzer';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { makeClients, type AwsClients, type AwsConfig } from '../../../lib/adapters/aws/clients.js';
import { FixedSecrets } from '../../../lib/adapters/aws/secrets.js';
import { SlackClient } from '../../../lib/adapters/slack/slack-client.js';
import type { MessageOutcome } from '../../../lib/app/on-remediation-message.js';
import type { AuditEntry, Tracker } from '../../../lib/app/ports.js';
import { buildRemediation, type Remediation } from '../../../lib/composition-remediation.js';
import { loadConfig, type LeashConfig } from '../../../lib/config.js';
import { createLeashResources, DEMO_ACCOUNT as ACCOUNT, roleArn, type LeashResources } from '../../../lib/dev/demo/seed.js';
import { queueOnTopic } from '../../../lib/dev/account-seed.js';
import type { Finding, IndexEntry, Mode, Plan } from '../../../lib/engine/types.js';
import { startSlackFake, type SlackFake, type SlackMessage } from '../../fakes/slack-fake.js';
import type { AwsTestConfig } from '../moto.js';
import {
  approvalHelpers,
  APPROVER,
  LINK_APPROVER,
  LINK_SECRET,
  PUBLIC_BASE_URL,
  SIGNING_SECRET,
  SLACK_CHANNEL,
  SLACK_TOKEN,
} from './approvals.js';
import { handlers, type Handlers } from './handlers.js';
import type { Envelope, Notice } from './inbox.js';
import { readers, type Snapshot } from './readers.js';
import { addRoles, type ExtraRole, type RoleView } from './roles.js';
import { testClock, type Clock } from './clock.js';
import type { SingleRole } from './single-role.js';

export * from './approvals.js';
export * from './clock.js';
export * from './events.js';
export { eventsTaskDefinitions } from './events-account.js';
export { handlers, type Handlers } from './handlers.js';
export * from './presets.js';
export type { Envelope, Notice } from './inbox.js';
export type { Snapshot } from './readers.js';
export { awslogs, ecrImage, expectedAfter, type ExtraRole, type RoleView } from './roles.js';

export { ACCOUNT, roleArn };
export const SELF_ROLE = `arn:aws:iam::${ACCOUNT}:role/leash-prod-remediate`;

/** What a preset seeds (besides Leash's own resources) and hands back as `world.account`. */
export type Seed<A> = (clients: AwsClients) => Promise<A>;

export interface WorldOptions<A = unknown> {
  seed: Seed<A>;
  region: string;
  /** Where the clock starts; it moves only when a test advances it. */
  start: string;
  /** Overrides the clock for Leash (the world's clock still exists). */
  now?: () => string;
  /** true: dry run; 'config-default' leaves LEASH_DRY_RUN unset, as a fresh deployment does. */
  dryRun?: boolean | 'config-default';
  defaultMode?: Mode;
  watchMinutes?: number;
  /** `null` (the default): no Access Analyzer, as on moto; or an aws-sdk-client-mock'ed client. */
  analyzer?: AccessAnalyzerClient | null;
  tracker?: Tracker;
  /** Starts a Slack fake and gives Leash a Slack client for it. */
  slack?: boolean;
  /** Runs the scheduled reconcile once seeded (indexes every revision) and drains the remediation queue. */
  index?: boolean;
  table?: string;
  /** Extension hook: any other setting (spread over the world's config). */
  config?: Partial<LeashConfig>;
  /** Extension hook: replace parts of the composition (e.g. the applier's verifier); runs on every compose(). */
  wire?: (deps: Remediation, world: World<A>) => Remediation;
}

/** One world's test-side resources: Leash's own (as the demo creates them) and two queues only tests read. */
export interface Resources extends LeashResources {
  /** A second subscription to the findings topic, with the SNS envelope (so the Subject can be read back). */
  envelopeUrl: string;
  /** An on-failure destination for emulated async Lambda invocations (test/support/fake-aws/lambda-async.ts). */
  failuresUrl: string;
  /** The approvals topic (approval links only) and an unfiltered, raw subscriber of it. */
  approvalsTopicArn: string;
  approvalsInboxUrl: string;
}

export interface World<A = unknown> {
  aws: AwsConfig;
  /** The composition's own home clients (the Lambdas' clients): faults attached here reach Leash. */
  clients: AwsClients;
  config: LeashConfig;
  clock: Clock;
  /** What the preset's seed returned (e.g. the demo's key ARN). */
  account: A;
  resources: Resources;
  /** Leash's dependencies, from the composition root over the world's config and clock. */
  deps: Remediation;
  /** The real handlers (functions/*.ts `run`), bound to `deps`. */
  run: Handlers;
  /** Another composition over the same account and config (fresh clients), e.g. with fewer SDK attempts. */
  compose(opts?: { maxAttempts?: number; now?: () => string }): Remediation;
  /** The Slack fake (throws unless the world was made with `slack: true`). */
  readonly slack: SlackFake;

  stateHash(role: string): Promise<string>;
  readRole(role: string): Promise<RoleView>;
  entries(role: string): Promise<IndexEntry[]>;
  findings(role: string): Promise<Finding[] | undefined>;
  snapshot(roles: string[]): Promise<Snapshot>;
  /** Oldest first. */
  audit(role: string): Promise<AuditEntry[]>;
  /** Bodies waiting on a queue (each seen once). */
  drain(queueUrl: string): Promise<string[]>;
  /** The SNS notifications waiting on the envelope subscription. */
  envelopes(): Promise<Envelope[]>;
  notices(): Promise<Notice[]>;

  /** Adds execution roles and their task definitions to the account (index them with `reindex`). */
  addRoles(roles: ExtraRole[]): Promise<void>;
  /** The scheduled reconcile through functions/reconcile (sweep only: moto has no LookupEvents); drains the queue. */
  reindex(): Promise<void>;

  /** Remediates one role through functions/remediate. */
  remediate(role: string): Promise<MessageOutcome>;
  /** Remediates a role in approve mode: the stored plan and the Slack message carrying its buttons. */
  requestApproval(role: string): Promise<{ plan: Plan; message: SlackMessage }>;
  /** The approver's link token for `plan`, from the approval message Leash published to SNS (read from the inbox). */
  linkToken(plan: Plan, approver?: string): Promise<string>;
  click(
    plan: Plan,
    opts?: { userId?: string; action?: 'approve' | 'reject' | 'review'; secret?: string; epochSeconds?: number },
  ): APIGatewayProxyEventV2;
  /** Runs the remediation function (functions/remediate.ts `run`) on what waits on the remediation queue: the queued
   *  approvals the approvals function handed on. Its outcomes, in order (throws on a batch failure). */
  applyQueued(): Promise<MessageOutcome[]>;
  close(): Promise<void>;
}

function worldConfig<A>(opts: WorldOptions<A>, res: Resources): LeashConfig {
  return {
    ...loadConfig({
      ...(opts.dryRun === 'config-default' ? {} : { LEASH_DRY_RUN: String(opts.dryRun ?? true) }),
      LEASH_DEFAULT_MODE: opts.defaultMode ?? 'observe',
    }),
    table: res.table,
    topicArn: res.topicArn,
    approvalsTopicArn: res.approvalsTopicArn,
    remediationQueueUrl: res.remediationQueueUrl,
    selfRoleArns: [SELF_ROLE],
    approvers: [APPROVER, LINK_APPROVER],
    slackChannel: 'leash-approvals',
    publicBaseUrl: PUBLIC_BASE_URL,
    watchMinutes: opts.watchMinutes ?? 60,
    ...opts.config,
  };
}

export async function createWorld<A>(moto: AwsTestConfig, opts: WorldOptions<A>): Promise<World<A>> {
  const aws: AwsConfig = { ...moto, region: opts.region };
  const seeding = makeClients(aws);
  const leash = await createLeashResources(seeding, opts.table ?? 'leash');
  const approvalsTopicArn = (await seeding.sns.send(new CreateTopicCommand({ Name: 'leash-approvals' }))).TopicArn!;
  const resources: Resources = {
    ...leash,
    envelopeUrl: await queueOnTopic(seeding, leash.topicArn, 'test-envelope-inbox', false),
    failuresUrl: await seeding.sqs.send(new CreateQueueCommand({ QueueName: 'leash-failures' })).then((r) => r.QueueUrl!),
    approvalsTopicArn,
    approvalsInboxUrl: await queueOnTopic(seeding, approvalsTopicArn, 'leash-approvals-inbox', true),
  };
  const account = await opts.seed(seeding);
  const config = worldConfig(opts, resources);
  const clock = testClock(opts.start);
  const slack = opts.slack ? await startSlackFake({ token: SLACK_TOKEN, channels: { 'leash-approvals': SLACK_CHANNEL } }) : undefined;
  const compose = (o: { maxAttempts?: number; now?: () => string } = {}): Remediation => {
    const deps = buildRemediation(
      config,
      { ...aws, ...(o.maxAttempts ? { maxAttempts: o.maxAttempts } : {}) },
      {
        analyzer: opts.analyzer ?? null,
        secrets: new FixedSecrets({ slackSigning: SIGNING_SECRET, linkSigning: LINK_SECRET }),
        ...(slack ? { slack: new SlackClient(SLACK_TOKEN, { slackApiUrl: slack.apiUrl, retries: 0 }) } : {}),
        ...(opts.tracker ? { tracker: opts.tracker } : {}),
      },
      o.now ?? opts.now ?? clock.now,
    );
    return opts.wire ? opts.wire(deps, world) : deps;
  };
  const world = { aws, config, clock, account, resources, compose } as World<A>;
  world.deps = compose();
  world.clients = world.deps.clients.home;
  world.run = handlers(world.deps);
  Object.defineProperty(world, 'slack', {
    get: () => {
      if (!slack) throw new Error('this world has no Slack fake: create it with { slack: true }');
      return slack;
    },
  });
  Object.assign(world, readers(world), approvalHelpers(world), {
    addRoles: (roles: ExtraRole[]) => addRoles(world.clients, roles),
    async reindex() {
      const res = await world.run.reconcile({ 'detail-type': 'Scheduled Event', detail: {} });
      if (!res.complete || res.cursor.failed.length) throw new Error(`the sweep failed: ${res.cursor.failed.join('; ')}`);
      await world.drain(resources.remediationQueueUrl);
    },
    close: async () => slack?.close(),
  });
  if (opts.index) await world.reindex();
  return world;
}

/** A world over the demo account (demoAccount(), remediationAccount()). */
export type DemoWorld = World<{ keyArn: string }>;
export { applierDeps, makePlan, type SingleRole } from './single-role.js';
/** A world over one fixture role (singleRoleApply()). */
export type SingleRoleWorld = World<SingleRole>;
