// The reconcile sweep: every task-definition revision in the Region and every execution role, within API rate
// limits, resumable across Lambda invocations. Revisions are immutable, so an indexed revision whose status
// did not change is never described again; only new ones cost a DescribeTaskDefinition.
import { mapLimit } from '../engine/concurrency.js';
import { GrantPrefetch } from './grant-prefetch.js';
import { indexEntryFor } from './index-entry.js';
import { INDEX_SCHEMA, type IndexEntry, type RoleIndex, type SweepStore, type TaskDefinitions } from './ports.js';
import { IntervalLimiter, isThrottling } from './rate-limit.js';
import { recomputeRole, type RecomputeDeps, type RoleSummary } from './recompute-role.js';

export interface SweepCursor {
  sweepId: string;
  startedAt: string;
  phase: 'ACTIVE' | 'INACTIVE' | 'roles' | 'done';
  nextToken?: string;
  pages: number;
  role: number;
  described: number;
  /** The first failures, by revision (capped: the cursor lives in one DynamoDB item); `failedCount` has them all. */
  failed: string[];
  failedCount?: number;
}

export interface SweepDeps extends RecomputeDeps {
  ecs: TaskDefinitions;
  index: RoleIndex;
  sweep: SweepStore;
  pullThroughPrefixes: string[];
  /** Describes in flight at once; the SDK's adaptive retry absorbs throttling beyond it. */
  concurrency: number;
  /** Milliseconds the caller has left; the sweep saves its cursor and stops when this runs low. */
  timeLeft: () => number;
  /** Optional, off by default: paces DescribeTaskDefinition client-side (e.g. an IntervalLimiter at the API's
   *  sustained rate, so a large sweep stops burning retries on throttles) and retries a describe that still
   *  fails with throttling after the SDK's own retries. */
  describeThrottle?: DescribeThrottle;
}

/** DescribeTaskDefinition paced at `perSecond` calls (0: unpaced), below ECS's throttling per account and Region. */
export function describeThrottleAt(perSecond: number): DescribeThrottle | undefined {
  return perSecond > 0 ? { limiter: new IntervalLimiter(1000 / perSecond) } : undefined;
}

export interface DescribeThrottle {
  limiter?: { acquire(): Promise<void> };
  /** Extra attempts after a throttled describe; default 3. */
  retries?: number;
  /** Wait before extra attempt `n` (0-based); default 1 s · 2^n. */
  backoffMs?: (attempt: number) => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface SweepSummary {
  complete: boolean;
  cursor: SweepCursor;
  roles: RoleSummary[];
}

const RESERVE_MS = 30_000;
const MAX_FAILED_LISTED = 50;

export async function runSweep(deps: SweepDeps, opts: { restart?: boolean } = {}): Promise<SweepSummary> {
  const saved = opts.restart ? undefined : await deps.sweep.getCursor();
  let cursor: SweepCursor = saved ? (JSON.parse(saved) as SweepCursor) : fresh(deps.now());
  if (cursor.phase === 'done') cursor = fresh(deps.now());
  const save = () => deps.sweep.putCursor(JSON.stringify(cursor));
  const roles: RoleSummary[] = [];
  let inUse: Set<string> | undefined;
  const prefetch = new GrantPrefetch(deps.roles);

  while (cursor.phase === 'ACTIVE' || cursor.phase === 'INACTIVE') {
    if (deps.timeLeft() < RESERVE_MS) return (await save(), { complete: false, cursor, roles });
    const status = cursor.phase;
    const page = await deps.ecs.listPage(status, cursor.nextToken);
    inUse ??= await deps.ecs.inUseTaskDefinitionArns();
    // INACTIVE revisions count only while a service or task still uses them.
    const live = status === 'ACTIVE' ? page.arns : page.arns.filter((a) => inUse!.has(a));
    const known = await deps.sweep.pointers(live);
    await mapLimit(live, deps.concurrency, async (arn) => {
      // A pointer from an older index layout (no task role) is described again rather than trusted.
      const ptr = known.get(arn);
      const current = ptr && !ptr.deleted && (ptr.schema ?? 1) >= INDEX_SCHEMA;
      if (current && ptr.status === status) return;
      try {
        if (current) {
          await deps.index.markStatus(arn, status, true, deps.now());
          return;
        }
        const td = await describe(deps, arn);
        cursor.described++;
        if (!td?.taskDefinitionArn) return;
        const entry: IndexEntry = indexEntryFor(td, { pullThroughPrefixes: deps.pullThroughPrefixes, inUse: true, observedAt: deps.now() });
        await deps.index.putTaskDefinition(entry);
        prefetch.want(entry.executionRoleArn);
      } catch (err) {
        // One bad revision must not stop the sweep; it is named in the summary and retried next sweep.
        cursor.failedCount = (cursor.failedCount ?? 0) + 1;
        if (cursor.failed.length < MAX_FAILED_LISTED) cursor.failed.push(`${arn}: ${(err as Error).message}`.slice(0, 300));
      }
    });
    await deps.sweep.putLivePage(cursor.sweepId, cursor.pages++, live, deps.now());
    if (page.nextToken) cursor.nextToken = page.nextToken;
    else {
      delete cursor.nextToken;
      cursor.phase = status === 'ACTIVE' ? 'INACTIVE' : 'roles';
    }
    await save();
  }

  if (cursor.phase === 'roles') {
    const live = await deps.sweep.livePages(cursor.sweepId, cursor.pages);
    const all = (await deps.index.allRoles()).sort();
    const prefetched = prefetch.asRoles();
    for (; cursor.role < all.length; cursor.role++) {
      if (deps.timeLeft() < RESERVE_MS) return (await save(), { complete: false, cursor, roles });
      const roleArn = all[cursor.role]!;
      // Entries the listing no longer shows (a missed deregistration or deletion) stop counting as intent.
      for (const e of await deps.index.entriesForRole(roleArn)) {
        if (!live.has(e.taskDefinitionArn) && (e.status === 'ACTIVE' || e.inUse)) {
          await deps.index.markStatus(e.taskDefinitionArn, 'INACTIVE', false, deps.now());
        }
      }
      roles.push(await recomputeRole(roleArn, { ...deps, roles: prefetched }));
    }
    cursor.phase = 'done';
    await save();
  }
  return { complete: true, cursor, roles };
}

async function describe(deps: SweepDeps, arn: string) {
  const t = deps.describeThrottle;
  if (!t) return deps.ecs.describe(arn);
  const sleep = t.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let attempt = 0; ; attempt++) {
    await t.limiter?.acquire();
    try {
      return await deps.ecs.describe(arn);
    } catch (err) {
      if (attempt >= (t.retries ?? 3) || !isThrottling(err)) throw err;
      await sleep(t.backoffMs?.(attempt) ?? 1000 * 2 ** attempt);
    }
  }
}

function fresh(now: string): SweepCursor {
  return { sweepId: now.replace(/[^0-9]/g, ''), startedAt: now, phase: 'ACTIVE', pages: 0, role: 0, described: 0, failed: [] };
}
