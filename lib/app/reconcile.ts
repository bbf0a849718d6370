// The scheduled reconcile: for each account (home first, then the organization's members through their Leash role),
// sweep every revision and role, then backfill evidence and fold it into every role's findings. Each account's sweep
// and backfill resume from their own cursors when a run ran out of time.
import { backfillEvidence, type BackfillSummary } from './backfill.js';
import type { CloudTrail, Cursors, EvidenceStore, LastAccessed } from './ports.js';
import { recomputeRole } from './recompute-role.js';
import { describeThrottleAt, runSweep, type SweepDeps, type SweepSummary } from './sweep.js';

export interface ReconcileDeps extends Omit<SweepDeps, 'concurrency' | 'timeLeft' | 'describeThrottle'> {
  evidence: Pick<EvidenceStore, 'putDenial' | 'putUse' | 'putCoverage' | 'forRole'>;
  /** Absent where no CloudTrail source exists (the sweep alone runs). */
  cloudTrail?: CloudTrail;
  lastAccessed?: LastAccessed;
  cursors: Cursors;
  /** The accounts Leash serves (evidence from any other is ignored). */
  servedAccounts: () => Promise<ReadonlySet<string>>;
  region: string;
  /** The account these deps act in ('home' for Leash's own). */
  accountId: string;
  /** DescribeTaskDefinition calls per second the sweep allows itself (0: unpaced). */
  ecsDescribeRate: number;
}

export interface ReconcileSummary {
  complete: boolean;
  cursor: SweepSummary['cursor'];
  roles: { role: string; findings: number; changed: boolean }[];
  evidence?: BackfillSummary | { error: string };
}

/** Below this many milliseconds left, the remaining accounts wait for the next run. */
const NEXT_ACCOUNT_MS = 60_000;

/** One account's run: its deps, the time left, and optionally the sweep's concurrency and describe pacing. */
export type AccountRunDeps = ReconcileDeps & Partial<Pick<SweepDeps, 'concurrency' | 'describeThrottle'>> & { timeLeft: () => number };

export async function reconcileAccount(run: { restart: boolean }, deps: AccountRunDeps): Promise<ReconcileSummary> {
  const throttle = deps.describeThrottle ?? describeThrottleAt(deps.ecsDescribeRate);
  const summary = await runSweep(
    { ...deps, concurrency: deps.concurrency ?? 8, ...(throttle ? { describeThrottle: throttle } : {}) },
    { restart: run.restart },
  );
  // Evidence backfill (CloudTrail, last-accessed) once the index is current. A backfill failure (CloudTrail
  // unavailable, access denied) must not lose the sweep: it is reported, and the saved cursor lets the next run continue.
  const cloudTrail = deps.cloudTrail;
  const evidence =
    summary.complete && cloudTrail
      ? await backfillEvidence({
          ...deps,
          cloudTrail,
          account: deps.accountId,
          windowDays: Math.min(deps.recentUseDays, 90),
          now: deps.now,
          timeLeft: deps.timeLeft,
        }).catch((err: Error) => ({ error: `${err.name}: ${err.message}` }))
      : undefined;
  let roles = summary.roles;
  if (evidence && 'complete' in evidence && evidence.complete && (evidence.denials || evidence.uses)) {
    // Fold the new evidence into every role's findings now rather than at the next event.
    roles = [];
    for (const r of summary.roles) roles.push(await recomputeRole(r.roleArn, deps));
  }
  return {
    complete: summary.complete,
    cursor: summary.cursor,
    roles: roles.map((r) => ({ role: r.roleArn, findings: r.findings.length, changed: r.changed })),
    ...(evidence ? { evidence } : {}),
  };
}

/** Every account in turn, each with its own dependencies; stops between accounts when time runs short. */
export async function reconcileAccounts(
  run: { restart: boolean },
  accounts: (string | undefined)[],
  depsFor: (account: string | undefined) => ReconcileDeps,
  timeLeft: () => number,
): Promise<({ account: string } & ReconcileSummary)[]> {
  const results: ({ account: string } & ReconcileSummary)[] = [];
  for (const account of accounts) {
    results.push({ account: account ?? 'home', ...(await reconcileAccount(run, { ...depsFor(account), timeLeft })) });
    if (timeLeft() < NEXT_ACCOUNT_MS) break; // the rest resume on the next schedule
  }
  return results;
}
