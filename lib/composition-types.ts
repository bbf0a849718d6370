// The shapes the composition roots return: each port typed in full (the use cases take narrower views of them).
import type { AccessAnalyzerClient } from '@aws-sdk/client-accessanalyzer';
import type { AccountClients } from './adapters/aws/accounts.js';
import type { DynamoAuditLog } from './adapters/aws/audit-log.js';
import type { DynamoSnapshots } from './adapters/aws/state-store.js';
import type { Applier } from './app/apply/applier.js';
import type { ApprovalRequestDeps } from './app/approval-requests.js';
import type { EvidenceDeps } from './app/on-evidence.js';
import type { IamChangeDeps } from './app/on-iam-change.js';
import type { RemediationMessageDeps } from './app/on-remediation-message.js';
import type { TaskDefinitionDeps } from './app/on-task-definition-change.js';
import type {
  ChangeBudget,
  ChangeIntents,
  EvidenceStore,
  FindingsStore,
  Notifier,
  RoleIndex,
  Roles,
  Secrets,
  Slack,
  TaskDefinitions,
  Tracker,
  Watches,
} from './app/ports.js';
import type { ReconcileDeps } from './app/reconcile.js';
import type { LeashConfig } from './config.js';

/** One account's pipeline adapters, each typed by its full port. */
export interface Pipeline extends TaskDefinitionDeps, IamChangeDeps, EvidenceDeps, ReconcileDeps {
  config: LeashConfig;
  clients: AccountClients;
  ecs: TaskDefinitions;
  roles: Roles;
  index: RoleIndex;
  findings: FindingsStore;
  evidence: EvidenceStore;
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

export interface RemediationOverrides {
  /** Access Analyzer client; `null` where none exists (moto): its checks are then reported as skipped. */
  analyzer?: AccessAnalyzerClient | null;
  slack?: Slack;
  tracker?: Tracker;
  secrets?: Secrets;
}

export type Remediation = Pipeline &
  RemediationMessageDeps &
  ApprovalRequestDeps & {
    applier: Applier;
    snapshots: DynamoSnapshots;
    /** Each role's last recorded change (open while a writer is between IAM steps). */
    intents: ChangeIntents;
    audit: DynamoAuditLog;
    budget: ChangeBudget;
    config: LeashConfig;
  };
