// Recomputes one execution role from the index (intent), IAM (grant) and stored evidence, then records and
// announces the findings. Safe to repeat: the same state yields the same findings and no second notice.
import { diffGrant } from '../engine/diff/diff.js';
import { foldEvidence } from '../engine/evidence/fold.js';
import { hashCanonical } from '../engine/plan/canonical.js';
import type { Denial, Use } from '../engine/evidence/types.js';
import { mergeRequirements, resolveLookups } from '../engine/intent/index.js';
import { trustFindings } from '../engine/trust.js';
import type { Finding, Lookup, Requirement, RoleGrant } from '../engine/types.js';
import type { FindingsPort, GrantReader, IndexEntry, KmsResolver, NotifierPort, RemediationQueuePort, RoleIndexPort } from './ports.js';

export interface EvidencePort {
  forRole(roleArn: string, sinceIso: string): Promise<{ denials: Denial[]; uses: Use[]; cloudTrail?: { since: string; until: string } }>;
}

export interface RecomputeDeps {
  index: RoleIndexPort;
  grants: GrantReader;
  findings: FindingsPort;
  kms: KmsResolver;
  notifier?: NotifierPort;
  queue?: RemediationQueuePort;
  evidence?: EvidencePort;
  recentUseDays: number;
  now: () => string;
}

export interface RoleSummary {
  roleArn: string;
  taskDefinitions: number;
  requirements: Requirement[];
  findings: Finding[];
  changed: boolean;
  skipped?: string;
}

/** Entries that count as intent: ACTIVE revisions and INACTIVE ones still used by a service or task. */
export function liveEntries(entries: IndexEntry[]): IndexEntry[] {
  return entries.filter((e) => e.status === 'ACTIVE' || e.inUse === true);
}

function uniqueLookups(entries: IndexEntry[]): Lookup[] {
  const seen = new Map<string, Lookup>();
  for (const l of entries.flatMap((e) => e.unresolved ?? [])) {
    if (l.kind !== 'kms-key-for-secret' && l.kind !== 'kms-key-for-parameter') continue;
    const key = `${l.kind} ${l.resource}`;
    const prev = seen.get(key);
    seen.set(key, prev ? { ...prev, reasons: [...prev.reasons, ...l.reasons] } : l);
  }
  return [...seen.values()].sort((a, b) => (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0));
}

export interface Assessment {
  grant: RoleGrant;
  requirements: Requirement[];
  findings: Finding[];
  evidence: { denials: Denial[]; uses: Use[] };
  taskDefinitions: number;
}

/** Intent, grant and evidence for one role, held together: the findings, without recording anything. */
export async function assessRole(roleArn: string, deps: RecomputeDeps): Promise<Assessment | undefined> {
  const now = deps.now();
  const entries = liveEntries(await deps.index.entriesForRole(roleArn));
  const grant = await deps.grants.readGrant(roleArn);
  if (!grant) return undefined;
  const lookups = uniqueLookups(entries);
  const resolved = lookups.length ? await deps.kms(lookups) : [];
  const intent = resolveLookups(
    { requirements: mergeRequirements(entries.flatMap((e) => e.requirements)), unresolved: lookups, warnings: [] },
    resolved,
  );
  let findings = diffGrant(
    intent.requirements,
    grant.policies,
    grant.permissionsBoundary ? { boundary: grant.permissionsBoundary } : undefined,
  );
  if (grant.trustPolicy) findings = [...findings, ...trustFindings(grant.roleArn, grant.trustPolicy)];
  let evidence: Assessment['evidence'] = { denials: [], uses: [] };
  if (deps.evidence) {
    const since = new Date(Date.parse(now) - deps.recentUseDays * 86_400_000).toISOString();
    const found = await deps.evidence.forRole(grant.roleArn, since);
    evidence = { denials: found.denials, uses: found.uses };
    // Absence of use is confirmed only by a backfill that ended recently (uses after it are not streamed).
    const fresh = found.cloudTrail && Date.parse(now) - Date.parse(found.cloudTrail.until) <= 2 * 86_400_000;
    findings = foldEvidence(findings, intent.requirements, evidence, {
      now,
      recentDays: deps.recentUseDays,
      ...(fresh ? { cloudTrailSince: found.cloudTrail!.since } : {}),
    });
  }
  return { grant, requirements: intent.requirements, findings, evidence, taskDefinitions: entries.length };
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
      await deps.findings.markNotified?.(roleArn, []);
    }
    return { roleArn, taskDefinitions: 0, requirements: [], findings: [], changed, skipped: 'role no longer exists' };
  }
  const { grant, findings, requirements } = a;
  const { changed, pendingNotice } = await deps.findings.putCurrent(grant.roleArn, findings, {
    at: now,
    intentHash: hashCanonical(requirements.map((r) => [r.action, r.resource])),
    stateHash: hashCanonical(grant.policies),
  });
  // Stored first, announced after: a failed publish leaves the set marked un-announced, and the retry (or the
  // next delivery) publishes it then; it is never lost, at worst sent twice.
  if (changed || pendingNotice) {
    await deps.notifier?.publishFindings(grant.roleArn, findings);
    if (findings.length) await deps.queue?.enqueue(grant.roleArn, 'findings changed');
    await deps.findings.markNotified?.(grant.roleArn, findings);
  }
  return { roleArn: grant.roleArn, taskDefinitions: a.taskDefinitions, requirements, findings, changed };
}
