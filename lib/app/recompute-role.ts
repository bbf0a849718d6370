// Recomputes one execution role: reads its intent (the index), grant (IAM), KMS keys and stored evidence, assesses
// them (engine/assess.ts), adds what the role's facts say (a shared role, an invalid mode or scope tag), then records
// and announces the findings. Safe to repeat: the same state yields the same findings and no second notice.
import { assess, evidenceSince, intentOf, isLive, type Assessment } from '../engine/assess.js';
import { hashCanonical } from '../engine/plan/canonical.js';
import type { CurrentFacts } from '../engine/plan/recheck.js';
import { withRoleFacts } from '../engine/plan/role-findings.js';
import { readScope, type ScopeReading } from '../engine/plan/scope.js';
import { sharedRoleStatus, type SharedRoleStatus } from '../engine/plan/shared-role.js';
import type { Finding, Requirement, RoleGrant } from '../engine/types.js';
import type { FindingsStore, Notifier, RemediationQueue } from './ports.js';
import { readRoleInputs, type RoleInputs, type RoleInputsDeps } from './role-inputs.js';

export interface AssessDeps extends RoleInputsDeps {
  recentUseDays: number;
  now: () => string;
}

export interface RecomputeDeps extends AssessDeps {
  findings: Pick<FindingsStore, 'putCurrent' | 'markNotified'>;
  notifier?: Pick<Notifier, 'publishFindings'>;
  queue?: RemediationQueue;
}

export interface RoleAssessment extends Assessment {
  grant: RoleGrant;
  requirements: Requirement[];
  taskDefinitions: number;
  /** The role's facts as read now (the account default mode is left to the caller: 'observe' here). */
  facts: CurrentFacts;
  shared: SharedRoleStatus;
  scope: ScopeReading;
  /** What was read, and whether live or from the stored facts. */
  inputs: RoleInputs;
}

export interface RoleSummary {
  roleArn: string;
  taskDefinitions: number;
  requirements: Requirement[];
  findings: Finding[];
  changed: boolean;
  skipped?: string;
}

/** Intent, grant and evidence for one role, held together: the findings, without recording anything. */
export async function assessRole(roleArn: string, deps: AssessDeps): Promise<RoleAssessment | undefined> {
  const now = deps.now();
  const inputs = await readRoleInputs(roleArn, deps, now, evidenceSince(now, deps.recentUseDays));
  const { entries, grant, lookups, evidence } = inputs;
  if (!grant) return undefined;
  const a = assess({
    intent: intentOf({ entries }),
    ...(lookups.length ? { lookups } : {}),
    grant,
    ...(evidence ? { evidence } : {}),
    now,
    recentUseDays: deps.recentUseDays,
  });
  const facts: CurrentFacts = {
    roleArn: grant.roleArn,
    tags: grant.tags,
    trustPolicy: grant.trustPolicy,
    taskRoleArns: inputs.taskRoleArns,
    inInstanceProfile: inputs.inInstanceProfile,
    accountDefaultMode: 'observe',
  };
  const shared = sharedRoleStatus(facts);
  const scope = readScope(grant.tags, grant.roleArn);
  const requirements = a.intent.requirements;
  // A shared role keeps what is not the execution role's, and its findings say so; a bad tag is a finding of its own.
  const findings = withRoleFacts({ roleArn: grant.roleArn, findings: a.findings, requirements, tags: grant.tags, shared });
  return {
    ...a,
    findings,
    grant,
    requirements,
    taskDefinitions: entries.filter(isLive).length,
    facts,
    shared,
    scope,
    inputs,
  };
}

export async function recomputeRole(roleArn: string, deps: RecomputeDeps): Promise<RoleSummary> {
  const now = deps.now();
  const a = await assessRole(roleArn, deps);
  if (!a) {
    const { changed, pendingNotice } = await deps.findings.putCurrent(roleArn, [], {
      at: now,
      intentHash: hashCanonical([]),
      stateHash: 'deleted',
    });
    // Its findings are cleared; say so once, so nobody keeps chasing them.
    if (changed || pendingNotice) {
      await deps.notifier?.publishFindings(roleArn, []);
      await deps.findings.markNotified(roleArn, []);
    }
    return { roleArn, taskDefinitions: 0, requirements: [], findings: [], changed, skipped: 'role no longer exists' };
  }
  const { grant, findings, requirements } = a;
  const { changed, pendingNotice } = await deps.findings.putCurrent(
    grant.roleArn,
    findings,
    {
      at: now,
      intentHash: hashCanonical(requirements.map((r) => [r.action, r.resource])),
      stateHash: hashCanonical(grant.policies),
      ...(a.inputs.facts ? { facts: a.inputs.facts } : {}),
    },
    // Read in the same partition under this ARN; IAM may spell the role differently (then the store reads it).
    ...(a.inputs.current && grant.roleArn === roleArn ? [a.inputs.current] : []),
  );
  // Stored first, announced after: a failed publish leaves the set marked un-announced, and the retry (or the
  // next delivery) publishes it then; it is never lost, at worst sent twice.
  if (changed || pendingNotice) {
    await deps.notifier?.publishFindings(grant.roleArn, findings);
    if (findings.length) await deps.queue?.enqueue(grant.roleArn, 'findings changed');
    await deps.findings.markNotified(grant.roleArn, findings);
  }
  return { roleArn: grant.roleArn, taskDefinitions: a.taskDefinitions, requirements, findings, changed };
}
