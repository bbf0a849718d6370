// What an assessment reads about a role besides its grant: index entries, KMS keys, evidence, and the shared-role
// facts (task-role uses, instance profiles). Read live by the sweep, the IAM-change function and every decision;
// the other event handlers (factsMaxAgeMs set) read the role's partition once and take the facts the last live read
// stored beside the findings, while they are younger than the bound. Older or missing: everything is read live.
import { intentOf, kmsLookupsOf } from '../engine/assess.js';
import type { IndexEntry, Lookup, LookupResult, RoleGrant } from '../engine/types.js';
import type { EvidenceStore, FindingsRecord, KmsKeys, RoleEvidence, RoleIndex, RoleRecords, Roles, StoredRoleFacts } from './ports.js';

export interface RoleInputsDeps {
  index: Pick<RoleIndex, 'entriesForRole' | 'taskRoleUses'>;
  roles: Pick<Roles, 'readGrant' | 'inInstanceProfile'>;
  kms: KmsKeys;
  evidence?: Pick<EvidenceStore, 'forRole'>;
  records?: RoleRecords;
  /** Stored facts younger than this many milliseconds are used (absent or 0: everything is read live). */
  factsMaxAgeMs?: number;
}

export interface RoleInputs {
  entries: IndexEntry[];
  grant?: RoleGrant;
  lookups: LookupResult[];
  evidence?: RoleEvidence;
  taskRoleArns: string[];
  inInstanceProfile?: boolean;
  /** The facts to store with the findings: the live ones, or the stored ones carried forward. */
  facts?: StoredRoleFacts;
  /** The stored findings record as just read (saves the findings store its own read). */
  current?: { current: FindingsRecord | undefined };
  source: 'live' | 'stored';
}

/** A stored checkedAt this far in the future is not believed (clocks differ a little between containers). */
const SKEW_MS = 60_000;

const lookupKey = (l: Lookup) => `${l.kind}\n${l.resource}`;

export function isFresh(facts: StoredRoleFacts | undefined, now: string, maxAgeMs: number): facts is StoredRoleFacts {
  if (!facts || maxAgeMs <= 0) return false;
  const age = Date.parse(now) - Date.parse(facts.checkedAt);
  return Number.isFinite(age) && age >= -SKEW_MS && age <= maxAgeMs;
}

export async function readRoleInputs(roleArn: string, deps: RoleInputsDeps, now: string, since: string): Promise<RoleInputs> {
  const rec = deps.records && deps.factsMaxAgeMs ? await deps.records.read(roleArn) : undefined;
  const stored = rec?.findings?.facts;
  const current = rec ? { current: rec.findings } : undefined;
  if (!rec || !isFresh(stored, now, deps.factsMaxAgeMs ?? 0))
    return { ...(await readLive(roleArn, deps, now, since)), ...(current ? { current } : {}) };
  const grant = await deps.roles.readGrant(roleArn);
  if (!grant) return { entries: rec.entries, lookups: [], taskRoleArns: [], source: 'stored', current: current! };
  // Keys resolved earlier serve; only a secret or parameter never seen before is looked up now.
  const known = new Map(stored.keys.map((k) => [lookupKey(k.lookup), k]));
  const wanted = kmsLookupsOf(intentOf({ entries: rec.entries }));
  const missing = wanted.filter((l) => !known.has(lookupKey(l)));
  const fresh = missing.length ? await deps.kms.resolve(missing) : [];
  const lookups = [...wanted.flatMap((l) => known.get(lookupKey(l)) ?? []), ...fresh];
  return {
    entries: rec.entries,
    grant,
    lookups,
    evidence: {
      denials: rec.denials.filter((d) => d.at >= since),
      uses: rec.uses.filter((u) => u.at >= since),
      ...(stored.cloudTrail ? { cloudTrail: stored.cloudTrail } : {}),
    },
    // A use stored since the last live read (same ARN form) counts at once; one in another form waits for the next.
    taskRoleArns: [...new Set([...stored.taskRoleArns, ...rec.taskRoleUses.map((u) => u.taskRoleArn)])].sort(),
    ...(stored.inInstanceProfile !== undefined ? { inInstanceProfile: stored.inInstanceProfile } : {}),
    facts: { ...stored, keys: [...stored.keys, ...fresh] },
    current: current!,
    source: 'stored',
  };
}

async function readLive(roleArn: string, deps: RoleInputsDeps, now: string, since: string): Promise<RoleInputs> {
  const entries = await deps.index.entriesForRole(roleArn);
  const grant = await deps.roles.readGrant(roleArn);
  if (!grant) return { entries, lookups: [], taskRoleArns: [], source: 'live' };
  const wanted = kmsLookupsOf(intentOf({ entries }));
  const lookups = wanted.length ? await deps.kms.resolve(wanted) : [];
  const evidence = await deps.evidence?.forRole(grant.roleArn, since);
  const [uses, inInstanceProfile] = await Promise.all([
    deps.index.taskRoleUses(grant.roleArn),
    // Unreadable (throttled, or a deployment without iam:ListInstanceProfilesForRole) counts as "may be in one": the
    // role is then treated as shared, which only ever makes Leash more careful.
    deps.roles.inInstanceProfile(grant.roleArn).catch((): undefined => undefined),
  ]);
  const taskRoleArns = uses.map((u) => u.taskRoleArn);
  const facts: StoredRoleFacts = {
    checkedAt: now,
    ...(inInstanceProfile !== undefined ? { inInstanceProfile } : {}),
    taskRoleArns,
    keys: lookups,
    ...(evidence?.cloudTrail ? { cloudTrail: evidence.cloudTrail } : {}),
  };
  return {
    entries,
    grant,
    lookups,
    ...(evidence ? { evidence } : {}),
    taskRoleArns,
    ...(inInstanceProfile !== undefined ? { inInstanceProfile } : {}),
    facts,
    source: 'live',
  };
}
