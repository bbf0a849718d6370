// The one assessment of an execution role, shared by the Lambdas (intent from the role index), the CLI and the demo
// (intent from task-definition files): intent with its KMS keys resolved, held against the grant (boundary and trust
// policy included) and folded with the evidence inside the recent-use window. Pure: the callers read the files or
// ports, resolve the KMS lookups and pass the clock.
import type { Denial, Use } from './evidence/types.js';
import { foldEvidence } from './evidence/fold.js';
import { diffGrant } from './diff/diff.js';
import { deriveIntent, resolveLookups, type IntentOptions } from './intent/index.js';
import { mergeLookups, mergeRequirements } from './intent/merge.js';
import { trustFindings } from './trust.js';
import type { Finding, IndexEntry, Intent, Lookup, LookupResult, RoleGrant, SourcedTaskDefinition } from './types.js';

/** Where the intent comes from: the role index's entries (each revision's share), or task definitions themselves. */
export type IntentSource = { entries: IndexEntry[] } | { taskDefinitions: SourcedTaskDefinition[]; options?: IntentOptions };

/** What the role is granted; omit to assess the intent alone. */
export type Grant = Pick<RoleGrant, 'roleArn' | 'policies' | 'permissionsBoundary' | 'trustPolicy'>;

export interface Evidence {
  denials: Denial[];
  uses: Use[];
  /** The window a complete CloudTrail record of the role's calls covers (a finished backfill, or a full export). */
  cloudTrail?: { since: string; until: string };
}

export interface AssessInput {
  intent: Intent;
  /** Answers to the intent's KMS lookups (kmsLookupsOf), from the KMS adapter or the command line. */
  lookups?: LookupResult[];
  grant?: Grant;
  evidence?: Evidence;
  /** ISO time the assessment is made at (the engine has no clock). */
  now: string;
  /** A use within this many days makes access "in use" (the Lambdas also read only this window's evidence). */
  recentUseDays: number;
}

export interface Assessment {
  /** The intent with its KMS lookups folded in. */
  intent: Intent;
  findings: Finding[];
  /** The evidence considered. */
  evidence: { denials: Denial[]; uses: Use[] };
}

const DAY_MS = 86_400_000;
/** A backfill confirms absence of use only while it is recent: uses after it are not streamed. */
const COVERAGE_FRESH_MS = 2 * DAY_MS;

/** Entries that count as intent: ACTIVE revisions, and INACTIVE ones still used by a service or task. */
export function isLive(entry: { status: string; inUse?: boolean }): boolean {
  return entry.status === 'ACTIVE' || entry.inUse === true;
}

export function intentOf(source: IntentSource): Intent {
  if ('taskDefinitions' in source) return deriveIntent(source.taskDefinitions, source.options);
  const live = source.entries.filter(isLive);
  return {
    requirements: mergeRequirements(live.flatMap((e) => e.requirements)),
    unresolved: mergeLookups(live.flatMap((e) => e.unresolved ?? [])),
    warnings: [],
  };
}

/** The lookups only an adapter can answer (the KMS key behind a secret or parameter), sorted by resource. */
export function kmsLookupsOf(intent: Intent): Lookup[] {
  return intent.unresolved
    .filter((l) => l.kind === 'kms-key-for-secret' || l.kind === 'kms-key-for-parameter')
    .sort((a, b) => (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0));
}

/** Start of the recent-use window. */
export function evidenceSince(now: string, recentUseDays: number): string {
  return new Date(Date.parse(now) - recentUseDays * DAY_MS).toISOString();
}

export function assess(input: AssessInput): Assessment {
  const intent = input.lookups?.length ? resolveLookups(input.intent, input.lookups) : input.intent;
  const { grant } = input;
  let findings: Finding[] = grant
    ? diffGrant(intent.requirements, grant.policies, grant.permissionsBoundary ? { boundary: grant.permissionsBoundary } : undefined)
    : [];
  if (grant?.trustPolicy) findings = [...findings, ...trustFindings(grant.roleArn, grant.trustPolicy)];
  if (!input.evidence) return { intent, findings, evidence: { denials: [], uses: [] } };

  const evidence = { denials: input.evidence.denials, uses: input.evidence.uses };
  const coverage = input.evidence.cloudTrail;
  const fresh = coverage && Date.parse(input.now) - Date.parse(coverage.until) <= COVERAGE_FRESH_MS;
  findings = foldEvidence(findings, intent.requirements, evidence, {
    now: input.now,
    recentDays: input.recentUseDays,
    ...(fresh ? { cloudTrailSince: coverage.since } : {}),
  });
  return { intent, findings, evidence };
}
