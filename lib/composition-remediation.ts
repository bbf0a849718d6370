// Composition root for the functions that act (remediate, approvals, watch) and the CLI's rollback/history: the
// pipeline's adapters plus the apply use case, approvals and tickets. Kept apart from lib/composition.ts so the
// read-only functions do not bundle Access Analyzer, Slack or the trackers. Wiring only.
import { AccessAnalyzerClient } from '@aws-sdk/client-accessanalyzer';
import { AwsAccessAnalyzer } from './adapters/aws/access-analyzer.js';
import { awsConfigFromEnv, clientOptions, type AwsConfig } from './adapters/aws/clients.js';
import { IamRoleWriter } from './adapters/aws/iam-role-writer.js';
import { SnsNotifier } from './adapters/aws/notifier.js';
import { SecretsManagerSecrets } from './adapters/aws/secrets.js';
import { actingStores } from './adapters/aws/table-stores.js';
import { SlackClient } from './adapters/slack/slack-client.js';
import { trackerFor } from './adapters/tickets/tracker-for.js';
import { Applier } from './app/apply/applier.js';
import { PlanVerifier } from './app/apply/plan-verifier.js';
import { readRoleFacts } from './app/role-facts.js';
import { buildPipeline } from './composition.js';
import type { Remediation, RemediationOverrides } from './composition-types.js';
import { cachedBy, isoNow, optional } from './composition-support.js';
import { budgetSettings, loadConfig, remediationSettings, type LeashConfig } from './config.js';

export type { Remediation, RemediationOverrides };
import { coversRequirement } from './engine/policy/evaluate.js';

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
  const stores = actingStores(ddb, config.table, budgetSettings(config), config.recordsTable);
  // Reads through the account's read role; IAM writes only through its write role (refused, with why, without one).
  const { writer: iamWriter, writeRefusal } = pipeline.clients;
  const slack = overrides.slack ?? optional(config.slackTokenSecretArn, (arn) => new SlackClient(() => stored.value(arn)));
  return {
    ...pipeline,
    ...stores,
    applier: new Applier({
      ...{ ...stores, roles: pipeline.roles, watches: pipeline.watches, verifier, now, writeRefusal },
      writer: new IamRoleWriter((iamWriter ?? pipeline.clients.world).iam),
      facts: (roleArn, grant) => readRoleFacts(roleArn, pipeline, config.defaultMode, grant),
    }),
    slack,
    // Approval links go on their own topic (one message per email approver), never on the findings topic.
    channels: {
      slack,
      slackChannel: config.slackChannel,
      facts: { dryRun: config.dryRun, watchMinutes: config.watchMinutes },
      notifier: optional(config.approvalsTopicArn, (topic) => new SnsNotifier(pipeline.clients.home.sns, topic, now)),
    },
    tracker: overrides.tracker ?? trackerFor(config, (arn) => stored.value(arn)),
    secrets: overrides.secrets ?? stored,
    settings: { ...remediationSettings(config), writeRefusal },
  };
}

/** The acting functions' dependencies for one account of the organization (home when omitted). Approvals arrive at
 *  the home endpoint; the change itself is made in the role's own account (forRole). */
export const remediationFor = cachedBy((account?: string): Remediation =>
  buildRemediation(loadConfig(process.env), awsConfigFromEnv(process.env), {}, isoNow, account),
);
