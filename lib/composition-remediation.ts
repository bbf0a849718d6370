// Composition root for the functions that act (remediate, approvals, watch) and the CLI's rollback/history: the
// pipeline's adapters plus the apply use case, approvals and tickets. Kept apart from lib/composition.ts so the
// read-only functions do not bundle Access Analyzer, Slack or the trackers. Wiring only.
import { AccessAnalyzerClient } from '@aws-sdk/client-accessanalyzer';
import { AwsAccessAnalyzer } from './adapters/aws/access-analyzer.js';
import { DynamoAuditLog } from './adapters/aws/audit-log.js';
import { awsConfigFromEnv, clientOptions, type AwsConfig } from './adapters/aws/clients.js';
import { IamRoleWriter } from './adapters/aws/iam-role-writer.js';
import { SecretsManagerSecrets } from './adapters/aws/secrets.js';
import { DynamoChangeIntents, DynamoPlans, DynamoSnapshots } from './adapters/aws/state-store.js';
import { SlackClient } from './adapters/slack/slack-client.js';
import { trackerFor } from './adapters/tickets/tracker-for.js';
import { Applier } from './app/apply/applier.js';
import { PlanVerifier } from './app/apply/plan-verifier.js';
import type { ApprovalRequestDeps } from './app/approval-requests.js';
import type { RemediationMessageDeps } from './app/on-remediation-message.js';
import type { Secrets, Slack, Tracker } from './app/ports.js';
import { buildPipeline, type Pipeline } from './composition.js';
import { cachedBy, isoNow, optional } from './composition-support.js';
import { loadConfig, remediationSettings, type LeashConfig } from './config.js';
import { accountOf } from './engine/arn.js';
import { coversRequirement } from './engine/policy/evaluate.js';

export interface RemediationOverrides {
  /** Access Analyzer client; `null` where none exists (moto): its checks are then reported as skipped. */
  analyzer?: AccessAnalyzerClient | null;
  slack?: Slack;
  tracker?: Tracker;
  secrets?: Secrets;
}

export type Remediation = Pipeline &
  RemediationMessageDeps &
  ApprovalRequestDeps & { applier: Applier; snapshots: DynamoSnapshots; audit: DynamoAuditLog; config: LeashConfig };

export function buildRemediation(
  config: LeashConfig,
  aws: AwsConfig,
  overrides: RemediationOverrides = {},
  now = isoNow,
  account?: string,
): Remediation {
  const pipeline = buildPipeline(config, aws, { now, account });
  const { ddb, secrets: secretsManager } = pipeline.clients.home;
  const stored = new SecretsManagerSecrets(secretsManager, {
    slackSigning: config.slackSigningSecretArn,
    linkSigning: config.linkSigningSecretArn,
  });
  const analyzer =
    overrides.analyzer === null ? undefined : new AwsAccessAnalyzer(overrides.analyzer ?? new AccessAnalyzerClient(clientOptions(aws)));
  const verifier = new PlanVerifier({ analyzer, covers: coversRequirement, managedPolicy: (arn) => pipeline.roles.managedPolicy(arn) });
  const snapshots = new DynamoSnapshots(ddb, config.table);
  const audit = new DynamoAuditLog(ddb, config.table);
  const intents = new DynamoChangeIntents(ddb, config.table);
  const writer = new IamRoleWriter(pipeline.clients.world.iam);
  const slack = overrides.slack ?? optional(config.slackTokenSecretArn, (arn) => new SlackClient(() => stored.value(arn)));
  return {
    ...pipeline,
    applier: new Applier({ roles: pipeline.roles, writer, snapshots, intents, watches: pipeline.watches, audit, verifier, now }),
    snapshots,
    plans: new DynamoPlans(ddb, config.table),
    audit,
    slack,
    channels: { slack, slackChannel: config.slackChannel, notifier: pipeline.notifier },
    tracker: overrides.tracker ?? trackerFor(config, (arn) => stored.value(arn)),
    secrets: overrides.secrets ?? stored,
    settings: remediationSettings(config),
  };
}

/** The acting functions' dependencies for one account of the organization (home when omitted). Approvals arrive at
 *  the home endpoint; the change itself is made in the role's own account (forRole). */
export const remediationFor = cachedBy((account?: string): Remediation => ({
  ...buildRemediation(loadConfig(process.env), awsConfigFromEnv(process.env), {}, isoNow, account),
  forRole: async (roleArn: string) => remediationFor(accountOf(roleArn)),
}));
