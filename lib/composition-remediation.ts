// Composition root for the functions that act (remediate, approvals, watch) and the CLI's rollback/history: the
// pipeline's adapters plus the apply use case, approvals and tickets. Kept apart from lib/composition.ts so the
// read-only functions do not bundle Access Analyzer, Slack or the trackers. Wiring only.
import { awsConfigFromEnv, type AwsConfig } from './adapters/aws/clients.js';
import { IamRoleWriter } from './adapters/aws/iam-role-writer.js';
import { SnsNotifier } from './adapters/aws/notifier.js';
import { actingStores } from './adapters/aws/table-stores.js';
import { SlackClient } from './adapters/slack/slack-client.js';
import { trackerFor } from './adapters/tickets/tracker-for.js';
import { Applier } from './app/apply/applier.js';
import { readRoleFacts } from './app/role-facts.js';
import { buildPipeline } from './composition.js';
import type { Remediation, RemediationOverrides } from './composition-types.js';
import { planVerifier, storedSecrets } from './composition-acting.js';
import { cachedBy, isoNow, optional } from './composition-support.js';
import { budgetSettings, loadConfig, remediationSettings, type LeashConfig } from './config.js';

export type { Remediation, RemediationOverrides };

export function buildRemediation(
  config: LeashConfig,
  aws: AwsConfig,
  overrides: RemediationOverrides = {},
  now = isoNow,
  account?: string,
): Remediation {
  const pipeline = buildPipeline(config, aws, { now, account });
  const { ddb, secrets: secretsManager, sns } = pipeline.clients.home;
  const stored = storedSecrets(config, secretsManager);
  const verifier = planVerifier(pipeline.roles, overrides.analyzer, aws);
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
    channels: {
      slack,
      slackChannel: config.slackChannel,
      facts: { dryRun: config.dryRun, watchMinutes: config.watchMinutes },
      notifier: optional(config.approvalsTopicArn, (topic) => new SnsNotifier(sns, topic, now)), // links: never findings
    },
    tracker: overrides.tracker ?? trackerFor(config, (arn) => stored.value(arn)),
    secrets: overrides.secrets ?? stored,
    settings: { ...remediationSettings(config), writeRefusal },
  };
}

/** The acting functions' dependencies for one account (home when omitted): changes are made in the role's account. */
export const remediationFor = cachedBy((account?: string): Remediation =>
  buildRemediation(loadConfig(process.env), awsConfigFromEnv(process.env), {}, isoNow, account),
);
