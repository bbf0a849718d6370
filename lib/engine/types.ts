// The engine's vocabulary. Pure data: no SDK types leak in here, so the engine stays testable without AWS.

/** Where a need comes from: the task definition, the container and the field (a JSON path). */
export interface Reason {
  /** Task definition ARN, `family:revision`, or the file it was read from. */
  taskDefinition: string;
  container?: string;
  /** JSON path inside the task definition, e.g. `containerDefinitions[0].secrets[2].valueFrom`. */
  field: string;
  note?: string;
}

/** One (action, resource) pair the execution role needs. `resource` may hold IAM wildcards (`-??????`, `:*`). */
export interface Requirement {
  /** `service:Action`, canonical case from the service authorization reference. */
  action: string;
  resource: string;
  reasons: Reason[];
  /** The resource lives in another account than the role (needs a resource policy there too). */
  crossAccount?: boolean;
}

/** Something a task definition alone cannot tell; an adapter resolves it (e.g. the KMS key behind a secret). */
export interface Lookup {
  kind: 'kms-key-for-secret' | 'kms-key-for-parameter' | 'needs-account' | 'needs-region' | 'placeholder';
  /** The secret or parameter ARN whose key must be found; for `placeholder`, the placeholder as written. */
  resource: string;
  reasons: Reason[];
}

/** A resolved lookup: the key ARN (never an alias) or `aws-managed` when nothing is needed. */
export interface LookupResult {
  lookup: Lookup;
  keyArn: string | 'aws-managed' | 'not-found';
}

export interface Warning {
  code: string;
  message: string;
  reasons?: Reason[];
}

export interface Intent {
  requirements: Requirement[];
  unresolved: Lookup[];
  warnings: Warning[];
}

/** One task-definition revision's share of a role's intent, as the role index keeps it. */
export interface IndexEntry {
  taskDefinitionArn: string;
  family: string;
  revision: number;
  status: string;
  executionRoleArn?: string;
  /** The revision's task role (full ARN), when it names one: a role that is also a task role is shared. */
  taskRoleArn?: string;
  requirements: Requirement[];
  unresolved?: Lookup[];
  registeredAt?: string;
  /** A deregistered (INACTIVE) revision still used by a service or a running task. */
  inUse?: boolean;
  /** When the state this entry describes was read (event or describe time); older writes never overwrite newer. */
  observedAt?: string;
}

// --- task definitions (the subset Leash reads) ---

export interface KeyValue {
  name?: string;
  value?: string;
}

export interface SecretRef {
  name?: string;
  valueFrom?: string;
}

export interface LogConfiguration {
  logDriver?: string;
  options?: Record<string, string>;
  secretOptions?: SecretRef[];
}

export interface ContainerDefinition {
  name?: string;
  image?: string;
  repositoryCredentials?: { credentialsParameter?: string };
  secrets?: SecretRef[];
  logConfiguration?: LogConfiguration;
  environmentFiles?: { type?: string; value?: string }[];
  firelensConfiguration?: { type?: string; options?: Record<string, string> };
  credentialSpecs?: string[];
  dockerSecurityOptions?: string[];
  [key: string]: unknown;
}

export interface TaskDefinition {
  family?: string;
  revision?: number;
  taskDefinitionArn?: string;
  status?: string;
  executionRoleArn?: string | null;
  taskRoleArn?: string | null;
  requiresCompatibilities?: string[];
  compatibilities?: string[];
  containerDefinitions: ContainerDefinition[];
  [key: string]: unknown;
}

/** A task definition together with where it came from, for error messages and reasons. */
export interface SourcedTaskDefinition {
  source: string;
  taskDefinition: TaskDefinition;
  /** JSON path of the task definition inside its file (`$`, `$.taskDefinition`, `$[1]`), for locating fields. */
  path?: string;
  /** Only the containers are known (Terraform's `container_definitions`): role, Region and launch type are not. */
  containersOnly?: boolean;
}

// --- IAM policies ---

export type ConditionBlock = Record<string, Record<string, string | string[] | boolean | number | (string | boolean | number)[]>>;

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: ConditionBlock;
  Principal?: unknown;
  NotPrincipal?: unknown;
}

export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: PolicyStatement[];
}

export type PolicyKind = 'inline' | 'managed' | 'aws-managed';

/** A policy attached to a role, as read back (documents already URL-decoded and normalized to arrays). */
export interface NamedPolicy {
  name: string;
  kind: PolicyKind;
  arn?: string;
  document: PolicyDocument;
}

export interface RoleGrant {
  roleArn: string;
  roleName: string;
  policies: NamedPolicy[];
  permissionsBoundary?: NamedPolicy;
  tags: Record<string, string>;
  trustPolicy?: PolicyDocument;
}

/** A single request the evaluator answers: may `action` be done on `resource`? */
export interface AccessRequest {
  action: string;
  resource: string;
}

export type Decision = 'allowed' | 'conditional' | 'explicit-deny' | 'implicit-deny';

export interface StatementRef {
  policy: string;
  statement: number;
  sid?: string;
}

export interface Evaluation {
  decision: Decision;
  /** Statements that allowed (or denied) the request; for `conditional`, the conditional ones. */
  matched: StatementRef[];
  /** Condition blocks that decide the outcome, for `conditional`. */
  conditions?: ConditionBlock[];
}

// --- findings ---

export type FindingKind =
  | 'missing'
  | 'denied'
  | 'unexplained-denial'
  | 'excess'
  | 'excess-in-use'
  | 'too-broad'
  | 'conditional'
  | 'trust-policy'
  /** The role is more than an execution role (a task role, assumable by others, in an instance profile). */
  | 'shared-role'
  /** The `leash:mode` tag holds a value other than exactly observe|ticket|approve|auto: the role counts as observe. */
  | 'invalid-mode-tag'
  /** A `leash:scope` tag does not parse: the role's scope is empty. */
  | 'invalid-scope-tag';

export type Severity = 'urgent' | 'review' | 'info';

export interface EvidenceRef {
  kind: 'denial' | 'use' | 'stop-reason' | 'last-accessed';
  at: string;
  source: string;
  detail?: string;
}

export interface Finding {
  kind: FindingKind;
  severity: Severity;
  action: string;
  resource: string;
  /** Human-readable reasons, one per line of evidence or intent. */
  reasons: string[];
  /** Intent behind it (missing, too-broad). */
  requiredBy?: Reason[];
  /** Statements that grant it (excess, too-broad, conditional). */
  grantedBy?: StatementRef[];
  evidence?: EvidenceRef[];
}

/** What the compacted policy grants beyond the exact requirements, one note per widened (action, pattern). */
export interface CompactionNote {
  action: string;
  /** The required resources of `action` the pattern covers. */
  from: string[];
  to: string;
  extraAccess: string;
  /**
   * The name families (`<ARN base><name prefix>*`) of `action`'s required resources inside `to` that no requirement
   * covers: each is access to resources nobody named (README, "Compaction"). Set by synthesize().
   */
  extra?: string[];
}

export interface SynthesizedPolicy {
  document: PolicyDocument;
  /** Non-whitespace characters, as IAM counts them. */
  size: number;
  compaction: CompactionNote[];
}

// --- remediation ---

export type Mode = 'observe' | 'ticket' | 'approve' | 'auto';

/** A role's identity-policy state, as read from IAM; its hash is what compare-and-swap checks. */
export interface RoleState {
  roleArn: string;
  /** Inline policies, documents URL-decoded and normalized. Sorted by name. */
  inline: { name: string; document: PolicyDocument }[];
  /** Attached managed policy ARNs, sorted. */
  attached: string[];
}

/** The complete proposed policy set for one role, bound to the state it was computed from. */
export interface Plan {
  roleArn: string;
  /** Hash of the RoleState the plan was computed from (compare-and-swap key). */
  baseStateHash: string;
  /** Hash of the whole plan; approvals bind to it. */
  planHash: string;
  /** Name of the Leash-owned inline policy. */
  policyName: string;
  /** Document to put as the Leash-owned inline policy. */
  document: PolicyDocument;
  /** Other inline policies the plan deletes. */
  deleteInline: string[];
  /** Managed policy ARNs the plan detaches. */
  detach: string[];
  /** Access the plan adds that the role lacked, or had only under conditions (missing, denied, conditional). */
  additions: AccessRequest[];
  /** Access the plan removes (from `excess` and `too-broad`). */
  removals: AccessRequest[];
  compaction: CompactionNote[];
  findings: Finding[];
  /** Why the plan may not be applied automatically, if any guardrail says so. */
  needsApproval: string[];
}

// --- remediation additions (plan/guardrails engineer) ---

/** A policy the plan leaves on the role, and why (Deny inside, in use, not fully understood). */
export interface KeptPolicy {
  /** Inline policy name or managed policy ARN. */
  policy: string;
  reason: string;
}

// Declaration merging: adds an optional field without touching the Plan declaration above.
export interface Plan {
  /** Policies other than the Leash-owned one that stay attached, each with its reason. Sorted. */
  kept?: KeptPolicy[];
}

// --- added by the AWS adapters (IamReader.readState / hashState) ---

export interface RoleState {
  /** Default version ID of each attached managed policy, by ARN: a new default version changes what the role
   *  is granted without changing `attached`, so compare-and-swap must see it. Absent when not read. */
  attachedVersions?: Record<string, string>;
}

// --- what an approver reviews (approval page, Slack): part of the plan, so the plan hash covers it ---

/** A policy the plan overwrites, deletes or detaches, as it is now. */
export interface ReplacedPolicy {
  /** Inline policy name, or managed policy ARN. */
  policy: string;
  kind: PolicyKind;
  /** What happens to it: `replace` (the Leash policy, overwritten), `delete` (inline), `detach` (managed). */
  change: 'replace' | 'delete' | 'detach';
  document: PolicyDocument;
}

/** Why a grant is in the new policy: the task definitions, containers and fields that need it. */
export interface GrantNeed {
  action: string;
  resource: string;
  reasons: Reason[];
}

export interface Plan {
  /** The current documents of every policy the plan overwrites, deletes or detaches. Sorted by policy. */
  replaced?: ReplacedPolicy[];
  /** The requirements behind the new policy, with their reasons. Sorted by action, then resource. */
  needs?: GrantNeed[];
}
