// The application layer's contract with the world: every port and every record it reads or writes, in one place.
// One name per concept; the adapters under lib/adapters declare which of these they implement, and
// test/support/memory implements all of them in memory for the app and handler tests.
import type { DecisionFacts, Outcome, PendingAgain } from '../engine/approval/blocks.js';
import type { Denial, UntrustedEvidence, Use } from '../engine/evidence/types.js';
import type { BudgetDecision } from '../engine/plan/change-budget.js';
import type { PatchStep } from '../engine/role/steps.js';
import type { Watch, WatchedChange } from '../engine/role/watch.js';
import type { TicketFailure } from '../engine/notice.js';
import type { DocBlock, TicketDoc } from '../engine/tickets/content.js';
import type {
  Finding,
  IndexEntry,
  Lookup,
  LookupResult,
  NamedPolicy,
  Plan,
  PolicyDocument,
  RoleGrant,
  RoleState,
  TaskDefinition,
} from '../engine/types.js';

export type { Denial, IndexEntry, PatchStep, UntrustedEvidence, Use, Watch };

// ---------------------------------------------------------------------------------------------------------------
// The account Leash looks after (read)
// ---------------------------------------------------------------------------------------------------------------

/** ECS task definitions and what runs them. */
export interface TaskDefinitions {
  /** The revision as ECS describes it now (tags included), or undefined when it no longer exists. */
  describe(id: string): Promise<TaskDefinition | undefined>;
  /** Revisions a service (any deployment or task set) or a running task still uses, across every cluster. */
  inUseTaskDefinitionArns(): Promise<Set<string>>;
  /** One page of the revisions with `status`, so a sweep can stop between pages and resume from the token. */
  listPage(status: RevisionStatus, nextToken?: string): Promise<{ arns: string[]; nextToken?: string }>;
}

export type RevisionStatus = 'ACTIVE' | 'INACTIVE';

/** IAM roles as Leash reads them. */
export interface Roles {
  /** Identity policies (inline, attached, AWS managed), boundary, trust policy and tags; undefined when the role is gone. */
  readGrant(roleNameOrArn: string): Promise<RoleGrant | undefined>;
  /** The compare-and-swap view: inline documents and attached ARNs with their default versions. */
  readState(roleNameOrArn: string): Promise<RoleState | undefined>;
  /** Names of the roles a managed policy is attached to. */
  rolesUsingPolicy(policyArn: string): Promise<string[]>;
  /** A managed policy's default version, decoded. */
  managedPolicy(arn: string): Promise<NamedPolicy>;
  /** Whether the role sits in an instance profile (iam:ListInstanceProfilesForRole): EC2 instances may use it. */
  inInstanceProfile(roleNameOrArn: string): Promise<boolean>;
}

/** The KMS key behind each secret or parameter a task definition names (never guessed). */
export interface KmsKeys {
  /** The lookups it could answer; the others stay unresolved. */
  resolve(lookups: Lookup[]): Promise<LookupResult[]>;
}

/** A CloudTrail source for the evidence backfill (LookupEvents, or CloudTrail Lake). Resumable by `cursor`. */
export interface CloudTrail {
  pages(query: CloudTrailQuery): AsyncIterable<CloudTrailPage>;
}

export interface CloudTrailQuery {
  region: string;
  /** The roles whose records are wanted (a source may return every assumed role's records: callers filter). */
  roles: string[];
  start: string;
  end: string;
  resume?: string;
}

export interface CloudTrailPage {
  records: unknown[];
  /** Where to resume after this page; absent on the last one. */
  cursor?: string;
}

/** IAM last-accessed data: evidence of use, never of non-use. */
export interface LastAccessed {
  uses(roleArn: string): Promise<Use[]>;
}

/** IAM Access Analyzer policy checks; each answers with the problems it found (empty: passed). */
export interface AccessAnalyzer {
  validatePolicy(document: PolicyDocument): Promise<string[]>;
  checkNoNewAccess(existing: PolicyDocument, next: PolicyDocument): Promise<string[]>;
}

// ---------------------------------------------------------------------------------------------------------------
// The account Leash looks after (write): the only port that changes IAM
// ---------------------------------------------------------------------------------------------------------------

export interface RoleWriter {
  /** Runs the steps in order and stops at the first failure. With `tolerateGone` (restores), deleting or detaching
   *  what is already gone counts as done. */
  run(roleName: string, steps: PatchStep[], opts?: { tolerateGone?: boolean }): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------------
// Leash's own state (the single table)
// ---------------------------------------------------------------------------------------------------------------

/** Which task definitions name which execution role, each revision with its own share of the intent. */
export interface RoleIndex {
  /** `expectNew`: the revision was just registered, so the write first assumes no pointer exists (no read); when one
   *  does, it reads it and writes as usual. */
  putTaskDefinition(entry: IndexEntry, opts?: { expectNew?: boolean }): Promise<WriteOutcome>;
  markStatus(taskDefinitionArn: string, status: string, inUse: boolean, observedAt?: string): Promise<WriteOutcome>;
  /** Drops the revision (DeleteTaskDefinitions), leaving a tombstone so a late duplicate cannot bring it back. */
  remove(taskDefinitionArn: string, observedAt?: string): Promise<WriteOutcome>;
  roleOfTaskDefinition(taskDefinitionArn: string): Promise<string | undefined>;
  /**
   * The execution role of an indexed revision, as ECS described it: its ARN; `null` when the revision names none;
   * `undefined` when the revision is not indexed (or was deleted). What a stopped task is evidence about.
   */
  executionRoleOf(taskDefinitionArn: string): Promise<string | null | undefined>;
  entriesForRole(roleArn: string): Promise<IndexEntry[]>;
  /** Live revisions (ACTIVE, or INACTIVE still in use) whose task role is `roleArn` (same account, name up to case). */
  taskRoleUses(roleArn: string): Promise<TaskRoleUse[]>;
  /** Every role at least one indexed revision names, sorted. */
  allRoles(): Promise<string[]>;
}

export interface TaskRoleUse {
  taskDefinitionArn: string;
  /** The revision's taskRoleArn as a full ARN. */
  taskRoleArn: string;
}

/**
 * The index's item layout version. A pointer written by an older layout lacks fields (the task role): the sweep
 * describes such a revision again instead of trusting it.
 */
export const INDEX_SCHEMA = 2;

export interface WriteOutcome {
  applied: boolean;
  /** Why nothing was written: something newer is stored, or the revision is not indexed. */
  reason?: 'stale' | 'unknown';
  /** The roles the revision named before this write (putTaskDefinition), so the caller need not read them first. */
  previous?: { roleArn?: string; taskRoleArn?: string };
}

/**
 * What the last live read found about a role, beyond its grant: stored with its findings by the sweep and the
 * IAM-change function (which read them live), and used by the other event handlers while younger than a bound.
 * Decisions (remediate, approve, apply) never use them: they read the role's facts live.
 */
export interface StoredRoleFacts {
  checkedAt: string;
  /** undefined: it could not be read (counts as "may be in one"). */
  inInstanceProfile?: boolean;
  /** Task roles (full ARNs) of live revisions that name this role as their task role, in any ARN form. */
  taskRoleArns: string[];
  /** The KMS keys behind the role's secrets and parameters. */
  keys: LookupResult[];
  /** The CloudTrail backfill window of the role's account. */
  cloudTrail?: { since: string; until: string };
}

/** A role's partition, read at once: index entries, evidence, current findings (with the stored facts) and the live
 *  revisions that name it (in this exact ARN form) as their task role. */
export interface RoleRecord {
  entries: IndexEntry[];
  denials: Denial[];
  uses: Use[];
  findings?: FindingsRecord;
  taskRoleUses: TaskRoleUse[];
}

export interface RoleRecords {
  read(roleArn: string): Promise<RoleRecord>;
}

/** Named resumption points (the evidence backfill's, per account). */
export interface Cursors {
  get(name: string): Promise<string | undefined>;
  put(name: string, cursor: string | undefined): Promise<void>;
}

/** The reconcile sweep's bookkeeping for one account: indexed pointers, live pages seen, its cursor. */
export interface SweepStore {
  pointers(arns: string[]): Promise<Map<string, IndexedPointer>>;
  putLivePage(sweepId: string, page: number, arns: string[], at: string): Promise<void>;
  livePages(sweepId: string, pages: number): Promise<Set<string>>;
  getCursor(): Promise<string | undefined>;
  putCursor(cursor: string): Promise<void>;
}

export interface IndexedPointer {
  roleArn?: string;
  status?: string;
  deleted?: boolean;
  /** INDEX_SCHEMA of the write; absent on items written before the task role was indexed. */
  schema?: number;
}

/** A role's current findings and their history. `changed` says whether to announce them. */
export interface FindingsStore {
  /** `pendingNotice`: the set did not change but its announcement never went out: publish now, then markNotified. */
  /** `opts.current`: the stored record as the caller just read it (RoleRecords), so the store need not read it again;
   *  when it moved meanwhile, the store reads and decides again. */
  putCurrent(
    roleArn: string,
    findings: Finding[],
    meta: FindingsMeta,
    opts?: { current: FindingsRecord | undefined },
  ): Promise<{ changed: boolean; pendingNotice?: boolean }>;
  /** Records that this set was announced, so a failed publish is retried by the next delivery. */
  markNotified(roleArn: string, findings: Finding[]): Promise<void>;
  current(roleArn: string): Promise<FindingsRecord | undefined>;
  /** Past finding sets, newest first. */
  history(roleArn: string, limit?: number): Promise<FindingsRecord[]>;
}

export interface FindingsMeta {
  at: string;
  intentHash: string;
  stateHash: string;
  /** The role's facts the assessment used (StoredRoleFacts): the next event reads them from here. */
  facts?: StoredRoleFacts;
}

export interface FindingsRecord extends FindingsMeta {
  roleArn: string;
  findings: Finding[];
  /** Identity of the finding set (engine/finding-set.ts). */
  setHash: string;
  /** The stored item's write version (the store's compare-and-swap). */
  version?: number;
  notified?: boolean;
}

/** Denials and uses per role, kept with a TTL, and the window a completed CloudTrail backfill covered. */
export interface EvidenceStore {
  putDenial(denial: Denial): Promise<void>;
  putUse(use: Use): Promise<void>;
  putCoverage(account: string, since: string, until: string): Promise<void>;
  forRole(roleArn: string, sinceIso: string): Promise<RoleEvidence>;
  /** Records evidence Leash refused to believe (free text naming another principal): for people, never a denial. */
  putUntrusted(evidence: UntrustedEvidence): Promise<void>;
  /** Untrusted evidence from `account` since `sinceIso`, oldest first. */
  untrusted(account: string, sinceIso: string): Promise<UntrustedEvidence[]>;
}

export interface RoleEvidence {
  denials: Denial[];
  uses: Use[];
  /** The last completed backfill of the role's account: absence of use means something only inside it. */
  cloudTrail?: { since: string; until: string };
}

/** Role states stored before every change, for rollback. */
export interface Snapshots {
  put(state: RoleState, hash: string, at: string): Promise<StoredState>;
  latest(roleArn: string): Promise<StoredState | undefined>;
  get(roleArn: string, id: string): Promise<StoredState | undefined>;
  /** Newest first. */
  list(roleArn: string, limit?: number): Promise<StoredState[]>;
}

export interface StoredState {
  /** `<iso time>#<hash>`: sorts by time, names the exact state. */
  id: string;
  roleArn: string;
  at: string;
  hash: string;
  state: RoleState;
}

/** What a change is about to do, recorded before its first IAM write; one open change per role at a time. */
export interface ChangeIntents {
  /** Records the intent; ConflictError when another change of the role is still open (and not stale). */
  begin(intent: ChangeIntent): Promise<void>;
  /** Closes the role's open intent with its outcome. */
  end(roleArn: string, id: string, outcome: ChangeOutcome, at: string): Promise<void>;
  /** The role's last intent (open or ended). */
  last(roleArn: string): Promise<ChangeIntent | undefined>;
}

export type ChangeOutcome = 'applied' | 'rolled-back' | 'failed';

export interface ChangeIntent {
  /** Unique per change: the plan hash for an apply, `rollback#<state id>` for a rollback. */
  id: string;
  roleArn: string;
  kind: 'apply' | 'rollback';
  actor: string;
  at: string;
  /** The state before the change (its hash, and the stored snapshot that holds it). */
  beforeHash: string;
  snapshotId: string;
  /** The IAM steps, in order, and the state they must leave. */
  steps: PatchStep[];
  expected: RoleState;
  expectedHash: string;
  /** An apply's watch window, opened by whoever finishes it (the applier, or recovery after a crash). */
  watch?: { minutes: number; change?: WatchedChange };
  outcome?: ChangeOutcome;
  endedAt?: string;
}

/** Post-apply watch windows. */
export interface Watches {
  open(watch: Watch): Promise<void>;
  get(roleArn: string): Promise<Watch | undefined>;
  close(roleArn: string): Promise<void>;
  /** Roles whose window ended before `now`. */
  expired(now: string): Promise<string[]>;
}

/**
 * The change cap: a budget of automatic changes per account over a time window, spent atomically (concurrent
 * invocations can never both take the last change), and the roles deferred when it is spent.
 */
export interface ChangeBudget {
  /** Takes one change from `account`'s budget at `now`, or says why not (the window, what was used, when it resets). */
  spend(account: string, now: string): Promise<BudgetSpend>;
  /** Gives back a change taken from the window that opened at `windowStart` (the apply stopped before writing). */
  release(account: string, windowStart: string): Promise<void>;
  /** Remembers a deferred role, to be handed to the remediation function again at `retryAt`. */
  defer(roleArn: string, retryAt: string, why: string): Promise<void>;
  /** Deferred roles due at `now` (their retryAt reached), sorted. */
  due(now: string): Promise<string[]>;
  /** Forgets a deferred role (it was handed on, or changed meanwhile). */
  undefer(roleArn: string): Promise<void>;
}

export type BudgetSpend = { allowed: true; windowStart: string; remaining: number } | { allowed: false; decision: BudgetDecision };

/** Where a plan is in its life: proposed (pending), decided by a person, then applied or refused by the remediation
 *  function. Only `pending -> approved | rejected`, `approved -> applied | dry-run | refused | pending` happen. */
export type PlanStatus = 'pending' | 'approved' | 'rejected' | 'applied' | 'dry-run' | 'refused';

export interface PlanDecision {
  status: PlanStatus;
  roleArn: string;
  /** ISO time after which a pending plan can no longer be decided. */
  expiresAt: string;
  /** Who decided and when (Slack user id or email), and through what. */
  by?: string;
  at?: string;
  via?: 'slack' | 'link';
  /** The Slack message that asked, when the decision came from it: the remediation function updates it. */
  message?: { channel: string; ts: string };
  /** What the last transition said (why an approved plan went back to pending, or was refused). */
  note?: string;
}

/** Plans (their content append-only, in the records table) and their status (conditional transitions), plus the
 *  single-use markers of links. */
export interface Plans {
  /** Records the plan, marks it pending until `expiresAt` and makes it the role's current plan. */
  putPlan(plan: Plan, expiresAt: string): Promise<void>;
  /** The plan while it is known and unexpired at `now`; a stored plan that fails its hash is refused. */
  getPlan(hash: string, now?: string): Promise<Plan | undefined>;
  status(hash: string): Promise<PlanDecision | undefined>;
  /** Moves the plan from one of `from` to `to.status`, atomically; false (and nothing written) when it was not in `from`. */
  transition(hash: string, from: PlanStatus[], to: Omit<PlanDecision, 'roleArn' | 'expiresAt'>): Promise<boolean>;
  /** The hash of the last plan proposed for the role: any other plan of the role is superseded. */
  currentPlan(roleArn: string): Promise<string | undefined>;
  /** Records that `id` of `kind` was used; false when it already was (atomic). `expiresAt` in epoch seconds. */
  markUsed(kind: string, id: string, expiresAt: number): Promise<boolean>;
  isUsed(kind: string, id: string): Promise<boolean>;
}

/** One writer per role: a lease taken with a conditional write before any IAM change, and expiring on its own so a
 *  writer that died never blocks the role for longer than `ttlMs`. */
export interface RoleLocks {
  /** True when `holder` now holds the role's lease (it was free, expired, or already its own). */
  acquire(roleArn: string, holder: string, now: string, ttlMs: number): Promise<boolean>;
  release(roleArn: string, holder: string): Promise<void>;
}

/** Append-only record of every remediation decision and change: who, why, and the state hashes around it. */
export interface AuditLog {
  record(entry: AuditEntry): Promise<unknown>;
  /** Newest first. */
  history(roleArn: string, limit?: number): Promise<AuditEntry[]>;
}

export type AuditAction = 'plan' | 'approve' | 'reject' | 'refuse' | 'apply' | 'rollback' | 'ticket' | 'skip';

export interface AuditEntry {
  at: string;
  roleArn: string;
  actor: string;
  action: AuditAction;
  planHash?: string;
  why: string;
  /** State hash before the action. */
  before?: string;
  /** State hash after the action. */
  after?: string;
  detail?: unknown;
}

// ---------------------------------------------------------------------------------------------------------------
// People and other functions
// ---------------------------------------------------------------------------------------------------------------

/** The findings topic (and, for approval links only, the approvals topic). */
export interface Notifier {
  publishFindings(roleArn: string, findings: Finding[]): Promise<void>;
  /** On the approvals topic, never the findings topic: one message per email approver, with the approver attribute
   *  its subscription filters on, so nobody else receives that approver's link. */
  publishApprovalLink(plan: Plan, link: ApprovalLink): Promise<void>;
  /** Something people must know that is not a finding (a change deferred by the change budget). */
  publishNotice(notice: { subject: string; message: string; roleArn?: string }): Promise<void>;
  /** Tells a role's owners their ticket could not be written (the tracker's credentials failed), with the findings. */
  publishTicketFailure(roleArn: string, failure: TicketFailure, findings: Finding[]): Promise<void>;
}

export interface ApprovalLink {
  approver: string;
  url: string;
}

/** Hands a role to the remediation function (which re-reads everything). */
export interface RemediationQueue {
  enqueue(roleArn: string, reason: string): Promise<void>;
}

/** Slack approval messages. */
export interface Slack {
  /** `facts`: dry-run and the watch window, said in the message before anyone clicks. */
  postPlan(channel: string, plan: Plan, facts?: DecisionFacts): Promise<{ channel: string; ts: string }>;
  updateOutcome(channel: string, ts: string, plan: Plan, outcome: Outcome): Promise<void>;
  /** Puts the buttons back (the plan is pending again): approved by `by`, but not applied because of `why`. */
  updatePending(channel: string, ts: string, plan: Plan, pending: PendingAgain): Promise<void>;
  /** A message only `user` sees (chat.postEphemeral): a requested approval link, or the reply to a click on a decided plan. */
  postEphemeral(channel: string, user: string, text: string): Promise<void>;
}

/** An issue tracker (Jira, GitHub): one ticket per role. */
export interface Tracker {
  readonly name: 'jira' | 'github';
  /** The open ticket for a role, found by its dedupe key; undefined when none is open. */
  findOpen(roleKey: string): Promise<OpenTicket | undefined>;
  create(doc: TicketDoc): Promise<TicketRef>;
  /** Replaces title and body. */
  update(id: string, doc: TicketDoc): Promise<void>;
  comment(id: string, blocks: DocBlock[]): Promise<void>;
  /** Comments, then closes as done. */
  close(id: string, blocks: DocBlock[]): Promise<void>;
}

export interface TicketRef {
  /** Jira issue key (`OPS-12`) or GitHub issue number as text. */
  id: string;
  url?: string;
}

export interface OpenTicket extends TicketRef {
  title: string;
  /** The body as plain text (Markdown for GitHub, flattened ADF for Jira): where the marker is read back from. */
  text: string;
}

/** Leash's own secrets, read when needed (cached briefly, so a rotated secret takes effect without a cold start). */
export interface Secrets {
  slackSigningSecret(): Promise<string | undefined>;
  linkSigningSecret(): Promise<string | undefined>;
}

/** A failure queue as the redrive reads it. */
export interface Dlq {
  /** Up to 10 messages; received ones stay invisible for the queue's visibility timeout. */
  receive(): Promise<DlqMessage[]>;
  delete(message: DlqMessage): Promise<void>;
  /** Makes a received message visible again now (it stays in the queue). */
  release?(message: DlqMessage): Promise<void>;
}

export interface DlqMessage {
  id: string;
  receiptHandle: string;
  body: string;
  /** String message attributes (an EventBridge DLQ message: RULE_ARN, TARGET_ARN, ERROR_CODE, …). */
  attributes?: Record<string, string>;
  /** SQS system attributes (SentTimestamp, ApproximateReceiveCount, DeadLetterQueueSourceArn, …). */
  system?: Record<string, string>;
  md5OfBody?: string;
}

/** Runs one of Leash's functions with an event and answers its result; throws when the function failed. */
export interface FunctionInvoker {
  invoke(functionName: string, event: unknown): Promise<unknown>;
}
