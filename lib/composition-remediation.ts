// Composition root for the functions that act (remediate, approvals, watch) and for the CLI's rollback/history.
// Kept apart from lib/composition.ts so the read-only functions do not bundle Slack, tickets or Access Analyzer.
import { AccessAnalyzerClient } from '@aws-sdk/client-accessanalyzer';
import { PublishCommand } from '@aws-sdk/client-sns';
import { clientOptions, type AwsConfig } from './adapters/aws/clients.js';
import { AuditLog } from './adapters/aws/audit-log.js';
import { hashState, roleOwner } from './adapters/aws/iam-reader.js';
import { PlanVerifier } from './adapters/aws/plan-verifier.js';
import { RolePatcher } from './adapters/aws/role-patcher.js';
import { secretValue } from './adapters/aws/secret-value.js';
import { StateStore } from './adapters/aws/state-store.js';
import { SlackClient } from './adapters/slack/slack-client.js';
import { GitHubTracker } from './adapters/tickets/github.js';
import { JiraTracker } from './adapters/tickets/jira.js';
import { syncTicket } from './adapters/tickets/ticket-sync.js';
import type { Tracker } from './adapters/tickets/tracker.js';
import type { HttpApprovalDeps } from './app/http-approvals.js';
import { assessRole } from './app/recompute-role.js';
import type { RemediationDeps } from './app/remediate.js';
import { buildPipeline, type PipelineDeps } from './composition.js';
import { loadConfig, type LeashConfig } from './config.js';
import { coversRequirement } from './engine/policy/evaluate.js';

export interface RemediationOverrides {
  /** Access Analyzer client; `null` where none exists (moto): its checks are then reported as skipped. */
  analyzer?: AccessAnalyzerClient | null;
  slack?: SlackClient;
  tracker?: Tracker;
  slackSigningSecret?: string;
  linkSecret?: string;
}

export type RemediationRuntime = PipelineDeps &
  RemediationDeps &
  HttpApprovalDeps & { stateStore: StateStore; auditLog: AuditLog; rolePatcher: RolePatcher };

export async function buildRemediation(
  config: LeashConfig,
  aws: AwsConfig,
  overrides: RemediationOverrides = {},
  now: () => string = () => new Date().toISOString(),
  account?: string,
): Promise<RemediationRuntime> {
  const pipeline = buildPipeline(config, aws, now, account);
  const { clients } = pipeline;
  const secret = (arn: string | undefined) => (arn ? secretValue(clients.secrets, arn) : Promise.resolve(undefined));
  const stateStore = new StateStore(clients.ddb, config.table);
  const auditLog = new AuditLog(clients.ddb, config.table);
  const analyzer = overrides.analyzer === null ? undefined : (overrides.analyzer ?? new AccessAnalyzerClient(clientOptions(aws)));
  const verifier = new PlanVerifier({
    ...(analyzer ? { analyzer } : {}),
    covers: coversRequirement,
    managedPolicy: (arn) => pipeline.iam.managedPolicy(arn),
  });
  const rolePatcher = new RolePatcher({
    iam: clients.iam,
    store: stateStore,
    audit: auditLog,
    readState: (role) => pipeline.iam.readState(role),
    hashState,
    verifier,
    clock: now,
  });
  const slackToken = await secret(config.slackTokenSecretArn);
  const slack = overrides.slack ?? (slackToken ? new SlackClient(slackToken) : undefined);
  const tracker = overrides.tracker ?? (await trackerFrom(config, secret));
  const linkSecret = overrides.linkSecret ?? (await secret(config.linkSigningSecretArn));

  const requestApproval: RemediationDeps['requestApproval'] = async (plan, links) => {
    const sent: string[] = [];
    if (slack && config.slackChannel) {
      const m = await slack.postPlan(config.slackChannel, plan);
      sent.push(`slack ${m.channel} ${m.ts}`);
    }
    // One message per approver, tagged with the `approver` attribute: each approver's subscription filters on it,
    // so nobody else on the topic holds a link that acts in that approver's name.
    for (const l of config.topicArn ? links : []) {
      await clients.sns.send(
        new PublishCommand({
          TopicArn: config.topicArn,
          Subject: `Leash: approval needed for ${plan.roleArn.split('/').pop()}`.slice(0, 100),
          Message: [
            `Leash proposes a change to ${plan.roleArn} (plan ${plan.planHash}).`,
            `Approve or reject as ${l.approver} (single use; the link works for you only):`,
            l.url,
          ].join('\n'),
          MessageAttributes: {
            kind: { DataType: 'String', StringValue: 'approval-link' },
            approver: { DataType: 'String', StringValue: l.approver },
          },
        }),
      );
    }
    if (config.topicArn && links.length) sent.push(`sns ${links.length} link(s), one message per approver`);
    return sent;
  };

  const requirementsFor = async (roleArn: string) => (await assessRole(roleArn, pipeline))?.requirements ?? [];
  return {
    ...pipeline,
    grants: pipeline.iam,
    hashState,
    roleOwner,
    patcher: rolePatcher,
    rolePatcher,
    plans: stateStore,
    stateStore,
    audit: auditLog,
    auditLog,
    requestApproval,
    ...(tracker
      ? { tracker: async (roleArn, plan, template) => (await syncTicket(tracker, roleArn, plan.findings, template)).action }
      : {}),
    settings: {
      defaultMode: config.defaultMode,
      dryRun: config.dryRun,
      watchMinutes: config.watchMinutes,
      maxChangesPerRun: config.maxChangesPerRun,
      planTtlHours: config.planTtlHours,
      approvers: config.approvers,
      ...(linkSecret ? { linkSecret } : {}),
      ...(config.publicBaseUrl ? { publicBaseUrl: config.publicBaseUrl } : {}),
    },
    requirementsFor,
    approvers: config.approvers,
    dryRun: config.dryRun,
    watchMinutes: config.watchMinutes,
    ...((overrides.slackSigningSecret ?? (await secret(config.slackSigningSecretArn)))
      ? { slackSigningSecret: overrides.slackSigningSecret ?? (await secret(config.slackSigningSecretArn))! }
      : {}),
    ...(linkSecret ? { linkSecret } : {}),
    ...(slack ? { slack } : {}),
  };
}

async function trackerFrom(config: LeashConfig, secret: (arn?: string) => Promise<string | undefined>): Promise<Tracker | undefined> {
  if (config.jira) {
    const apiToken = (await secret(config.jira.tokenSecretArn)) ?? '';
    return new JiraTracker({ baseUrl: config.jira.baseUrl, email: config.jira.email, apiToken, projectKey: config.jira.projectKey });
  }
  if (config.github) {
    const token = (await secret(config.github.tokenSecretArn)) ?? '';
    return new GitHubTracker({
      token,
      owner: config.github.owner,
      repo: config.github.repo,
      ...(config.github.apiUrl ? { apiUrl: config.github.apiUrl } : {}),
    });
  }
  return undefined;
}

const cached = new Map<string, Promise<RemediationRuntime>>();

/** The acting functions' dependencies for one account of the organization (home when omitted). */
export function remediationFromEnv(awsFromEnv: (env: NodeJS.ProcessEnv) => AwsConfig, account?: string): Promise<RemediationRuntime> {
  const key = account ?? '';
  let rt = cached.get(key);
  if (!rt) {
    rt = buildRemediation(loadConfig(process.env), awsFromEnv(process.env), {}, undefined, account).then((r) => ({
      ...r,
      // Approvals arrive at the home endpoint; the change itself is made in the role's own account.
      forRole: (roleArn: string) => remediationFromEnv(awsFromEnv, roleArn.split(':')[4]),
    }));
    rt.catch(() => cached.delete(key));
    cached.set(key, rt);
  }
  return rt;
}
