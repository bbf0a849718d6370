// Configuration from the environment, read once by the composition root. Dry-run is the default everywhere.
import { InputError } from './errors.js';
import type { RemediationSettings } from './app/remediate.js';
import type { BudgetSettings } from './engine/plan/change-budget.js';
import type { Mode } from './engine/types.js';

export interface LeashConfig {
  table: string;
  /** The append-only records table (snapshots, plans, audit trail); the main table when unset (local runs). */
  recordsTable?: string;
  topicArn?: string;
  /** The approvals topic: approval links only, one message per email approver (never the findings topic). */
  approvalsTopicArn?: string;
  remediationQueueUrl?: string;
  defaultMode: Mode;
  dryRun: boolean;
  pullThroughPrefixes: string[];
  /** Leash's own role ARNs: IAM changes they make are ignored, so Leash never reacts to itself. */
  selfRoleArns: string[];
  approvers: string[];
  watchMinutes: number;
  /** The change cap: automatic changes per account within each window of `changeWindowMinutes` (0: none). */
  maxChangesPerWindow: number;
  changeWindowMinutes: number;
  /** Days a CloudTrail use counts as "recent" (never auto-remove what was used in this window). */
  recentUseDays: number;
  /** Days denial evidence is kept (DynamoDB TTL). */
  evidenceTtlDays: number;
  slackSigningSecretArn?: string;
  slackTokenSecretArn?: string;
  linkSigningSecretArn?: string;
  publicBaseUrl?: string;
  slackChannel?: string;
  planTtlHours: number;
  /**
   * Organizations: the read role Leash assumes in member accounts, its ExternalId, and (remediate only) the separate
   * write role through which plans are applied there; unset elsewhere, since no other function may assume it.
   */
  member?: { roleName: string; externalId: string; accounts: string[]; writeRoleName?: string };
  /** DescribeTaskDefinition calls per second the sweep allows itself (client-side pacing below ECS's throttling). */
  ecsDescribeRate: number;
  /** CloudTrail Lake event data store (ID or ARN): when set, evidence is backfilled from it instead of LookupEvents. */
  cloudTrailLake?: string;
  /** The account Leash runs in; events from any other account are handled through the member role. */
  homeAccount?: string;
  jira?: { baseUrl: string; email: string; projectKey: string; tokenSecretArn: string };
  github?: { owner: string; repo: string; tokenSecretArn: string; apiUrl?: string };
}

const MODES: readonly Mode[] = ['observe', 'ticket', 'approve', 'auto'];

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new InputError(`must be a non-negative integer, got "${raw}"`, 'environment', name);
  return n;
}

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const n = int(env, name, fallback);
  if (n === 0) throw new InputError('must be a positive integer, got "0"', 'environment', name);
  return n;
}

function githubConfig(env: NodeJS.ProcessEnv): LeashConfig['github'] {
  const repo = env.LEASH_GITHUB_REPO;
  if (!repo || !env.LEASH_GITHUB_TOKEN_SECRET_ARN) return undefined;
  const [owner, name, ...rest] = repo.split('/');
  if (!owner || !name || rest.length) throw new InputError(`must be owner/repo, got "${repo}"`, 'environment', 'LEASH_GITHUB_REPO');
  return {
    owner,
    repo: name,
    tokenSecretArn: env.LEASH_GITHUB_TOKEN_SECRET_ARN,
    ...(env.LEASH_GITHUB_API_URL ? { apiUrl: env.LEASH_GITHUB_API_URL } : {}),
  };
}

export function loadConfig(env: NodeJS.ProcessEnv): LeashConfig {
  const mode = (env.LEASH_DEFAULT_MODE ?? 'observe') as Mode;
  if (!MODES.includes(mode)) throw new InputError(`must be one of ${MODES.join(', ')}, got "${mode}"`, 'environment', 'LEASH_DEFAULT_MODE');
  const dryRun = (env.LEASH_DRY_RUN ?? 'true').toLowerCase();
  if (dryRun !== 'true' && dryRun !== 'false')
    throw new InputError(`must be true or false, got "${dryRun}"`, 'environment', 'LEASH_DRY_RUN');
  return {
    table: env.LEASH_TABLE ?? 'leash',
    recordsTable: env.LEASH_RECORDS_TABLE || undefined,
    topicArn: env.LEASH_TOPIC_ARN || undefined,
    approvalsTopicArn: env.LEASH_APPROVALS_TOPIC_ARN || undefined,
    remediationQueueUrl: env.LEASH_REMEDIATION_QUEUE_URL || undefined,
    defaultMode: mode,
    dryRun: dryRun === 'true',
    pullThroughPrefixes: list(env.LEASH_PULL_THROUGH_PREFIXES),
    selfRoleArns: list(env.LEASH_SELF_ROLE_ARNS),
    approvers: list(env.LEASH_APPROVERS),
    watchMinutes: int(env, 'LEASH_WATCH_MINUTES', 60),
    maxChangesPerWindow: int(env, 'LEASH_MAX_CHANGES_PER_WINDOW', 5),
    changeWindowMinutes: positive(env, 'LEASH_CHANGE_WINDOW_MINUTES', 60),
    recentUseDays: int(env, 'LEASH_RECENT_USE_DAYS', 90),
    evidenceTtlDays: int(env, 'LEASH_EVIDENCE_TTL_DAYS', 90),
    slackSigningSecretArn: env.LEASH_SLACK_SIGNING_SECRET_ARN || undefined,
    slackTokenSecretArn: env.LEASH_SLACK_TOKEN_SECRET_ARN || undefined,
    linkSigningSecretArn: env.LEASH_LINK_SIGNING_SECRET_ARN || undefined,
    publicBaseUrl: env.LEASH_PUBLIC_BASE_URL || undefined,
    slackChannel: env.LEASH_SLACK_CHANNEL || undefined,
    planTtlHours: int(env, 'LEASH_PLAN_TTL_HOURS', 72),
    jira:
      env.LEASH_JIRA_URL && env.LEASH_JIRA_EMAIL && env.LEASH_JIRA_PROJECT && env.LEASH_JIRA_TOKEN_SECRET_ARN
        ? {
            baseUrl: env.LEASH_JIRA_URL,
            email: env.LEASH_JIRA_EMAIL,
            projectKey: env.LEASH_JIRA_PROJECT,
            tokenSecretArn: env.LEASH_JIRA_TOKEN_SECRET_ARN,
          }
        : undefined,
    github: githubConfig(env),
    homeAccount: env.LEASH_HOME_ACCOUNT || undefined,
    cloudTrailLake: env.LEASH_CLOUDTRAIL_LAKE_EDS || undefined,
    ecsDescribeRate: int(env, 'LEASH_ECS_DESCRIBE_RATE', 20),
    member:
      env.LEASH_MEMBER_ROLE_NAME && env.LEASH_MEMBER_EXTERNAL_ID
        ? {
            roleName: env.LEASH_MEMBER_ROLE_NAME,
            externalId: env.LEASH_MEMBER_EXTERNAL_ID,
            accounts: list(env.LEASH_MEMBER_ACCOUNTS),
            ...(env.LEASH_MEMBER_WRITE_ROLE_NAME ? { writeRoleName: env.LEASH_MEMBER_WRITE_ROLE_NAME } : {}),
          }
        : undefined,
  };
}

/** What the remediation use cases read from the configuration. */
export function remediationSettings(config: LeashConfig): RemediationSettings {
  return {
    defaultMode: config.defaultMode,
    dryRun: config.dryRun,
    watchMinutes: config.watchMinutes,
    planTtlHours: config.planTtlHours,
    approvers: config.approvers,
    ...(config.publicBaseUrl ? { publicBaseUrl: config.publicBaseUrl } : {}),
  };
}

/** The change budget: automatic changes per account per window. */
export function budgetSettings(config: LeashConfig): BudgetSettings {
  return { max: config.maxChangesPerWindow, windowMinutes: config.changeWindowMinutes };
}

/** The accounts a reconcile run sweeps: home (undefined) first, then the organization's members. */
export function accountsToSweep(config: LeashConfig): (string | undefined)[] {
  return [undefined, ...(config.member?.accounts ?? [])];
}
