// Evidence backfill: one CloudTrail LookupEvents pass over the Region's execution-role services (serial, at most
// 2 calls a second) serves every indexed role at once; then IAM last-accessed data per role. Resumable: the cursor
// is saved after each page, so a run that runs out of time continues where it stopped.
import { denialFromCloudTrail, isIgnored, usesFromCloudTrail } from '../engine/evidence/index.js';
import type { CloudTrail, Cursors, EvidenceStore, LastAccessed, RoleIndex } from './ports.js';

export interface BackfillDeps {
  index: Pick<RoleIndex, 'allRoles'>;
  cloudTrail: CloudTrail;
  lastAccessed?: LastAccessed;
  evidence: Pick<EvidenceStore, 'putDenial' | 'putUse' | 'putCoverage'>;
  cursors: Cursors;
  /** The accounts Leash serves: a record is evidence only about a role of its own account, from one of these. */
  servedAccounts: () => Promise<ReadonlySet<string>>;
  region: string;
  account: string;
  windowDays: number;
  now: () => string;
  timeLeft: () => number;
}

export interface BackfillSummary {
  complete: boolean;
  pages: number;
  denials: number;
  uses: number;
  lastAccessedRoles: number;
}

const RESERVE_MS = 20_000;

interface Saved {
  start: string;
  end: string;
  resume?: string;
}

export async function backfillEvidence(deps: BackfillDeps): Promise<BackfillSummary> {
  const roles = new Set(await deps.index.allRoles());
  const filter = { roles, servedAccounts: await deps.servedAccounts() };
  const summary: BackfillSummary = { complete: false, pages: 0, denials: 0, uses: 0, lastAccessedRoles: 0 };
  if (!roles.size) return { ...summary, complete: true };
  const cursorName = `backfill#${deps.account}`;
  const raw = await deps.cursors.get(cursorName);
  const now = deps.now();
  // A resumed backfill keeps its window: CloudTrail's NextToken is only valid with the same parameters.
  const saved: Saved = raw
    ? (JSON.parse(raw) as Saved)
    : { start: new Date(Date.parse(now) - deps.windowDays * 86_400_000).toISOString(), end: now };
  for await (const page of deps.cloudTrail.pages({
    region: deps.region,
    roles: [...roles].sort(),
    start: saved.start,
    end: saved.end,
    ...(saved.resume ? { resume: saved.resume } : {}),
  })) {
    summary.pages++;
    for (const record of page.records) {
      const d = denialFromCloudTrail(record, filter);
      if (!isIgnored(d)) {
        await deps.evidence.putDenial(d);
        summary.denials++;
        continue;
      }
      const us = usesFromCloudTrail(record, filter);
      if (isIgnored(us)) continue;
      for (const u of us) await deps.evidence.putUse(u);
      summary.uses += us.length;
    }
    if (!page.cursor) break;
    await deps.cursors.put(cursorName, JSON.stringify({ ...saved, resume: page.cursor }));
    if (deps.timeLeft() < RESERVE_MS) return summary;
  }
  await deps.evidence.putCoverage(deps.account, saved.start, saved.end);
  await deps.cursors.put(cursorName, undefined);
  // Last-accessed data: evidence of use only (it lags ~4 h and is not action-level for every service).
  if (deps.lastAccessed) {
    for (const role of [...roles].sort()) {
      if (deps.timeLeft() < RESERVE_MS) break;
      for (const u of await deps.lastAccessed.uses(role)) await deps.evidence.putUse(u);
      summary.lastAccessedRoles++;
    }
  }
  return { ...summary, complete: true };
}
