// Composition root of the approvals function (internet-facing): Leash's own table, the remediation queue, its secrets
// and Slack, nothing else. It holds no IAM client at all: a verified decision is recorded and queued, and the
// remediation function reads the role, re-checks and applies. Wiring only.
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { awsConfigFromEnv, clientOptions, documentClient, type AwsConfig } from './adapters/aws/clients.js';
import { DynamoAuditLog } from './adapters/aws/audit-log.js';
import { DynamoPlans } from './adapters/aws/plan-store.js';
import { SqsRemediationQueue } from './adapters/aws/remediation-queue.js';
import { SecretsManagerSecrets } from './adapters/aws/secrets.js';
import { SlackClient } from './adapters/slack/slack-client.js';
import type { ApprovalRequestDeps } from './app/approval-requests.js';
import type { Secrets, Slack } from './app/ports.js';
import { cachedBy, isoNow, optional } from './composition-support.js';
import { loadConfig, type LeashConfig } from './config.js';

export function buildApprovals(
  config: LeashConfig,
  aws: AwsConfig,
  overrides: { slack?: Slack; secrets?: Secrets } = {},
  now = isoNow,
): ApprovalRequestDeps {
  // Its three clients only, built here: the shared factory would bundle every other client into this function.
  const opts = clientOptions(aws);
  const [ddb, sqs, secrets] = [documentClient(opts), new SQSClient(opts), new SecretsManagerClient(opts)];
  const stored = new SecretsManagerSecrets(secrets, {
    slackSigning: config.slackSigningSecretArn,
    linkSigning: config.linkSigningSecretArn,
  });
  const records = config.recordsTable ?? config.table;
  return {
    plans: new DynamoPlans(ddb, config.table, records),
    audit: new DynamoAuditLog(ddb, records),
    queue: optional(config.remediationQueueUrl, (url) => new SqsRemediationQueue(sqs, url)),
    secrets: overrides.secrets ?? stored,
    slack: overrides.slack ?? optional(config.slackTokenSecretArn, (arn) => new SlackClient(() => stored.value(arn))),
    settings: {
      approvers: config.approvers,
      dryRun: config.dryRun,
      watchMinutes: config.watchMinutes,
      ...(config.publicBaseUrl ? { publicBaseUrl: config.publicBaseUrl } : {}),
    },
    now,
  };
}

export const approvalsFor = cachedBy(() => buildApprovals(loadConfig(process.env), awsConfigFromEnv(process.env)));
