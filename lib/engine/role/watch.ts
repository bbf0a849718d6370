// The post-apply watch window, the one rule for it: a denial for the role between the apply and the window's end,
// while the role is still exactly as Leash left it, rolls the role back to the state stored before the apply.
// The denial function asks (inWatchWindow); the remediation function decides and acts (rollbackVerdict). Only a
// denial the applied plan explains (plan/explain-denial.ts, over the change recorded here) rolls back.
import type { Denial } from '../evidence/types.js';
import { explainsDenial, type AppliedChange } from '../plan/explain-denial.js';

/** What the apply changed, recorded in the watch so a denial can be held against it. */
export type WatchedChange = Pick<AppliedChange, 'removals' | 'before' | 'after' | 'boundary'>;

export interface Watch {
  roleArn: string;
  openedAt: string;
  until: string;
  /** Stored state to return to if a denial shows up inside the window. */
  stateId: string;
  planHash: string;
  /** Hash right after the apply: an automatic rollback only runs while the role is still exactly that. */
  afterHash: string;
  /** The plan's removals and the identity policies before and after it; absent on a watch opened before this was kept
   *  (then no denial is explained and nothing rolls back automatically). */
  change?: WatchedChange;
}

/** ISO time normalized (`…00Z` and `…00.000Z` are the same instant but not the same string). */
export const isoOf = (time: string): string => new Date(time).toISOString();

/** When a window opened at `now` ends; undefined when watching is off (0 minutes). */
export function watchUntil(now: string, minutes: number): string | undefined {
  return minutes > 0 ? new Date(Date.parse(now) + minutes * 60_000).toISOString() : undefined;
}

export function inWatchWindow(watch: Pick<Watch, 'openedAt' | 'until'> | undefined, at: string): watch is Watch {
  if (!watch) return false;
  const t = Date.parse(at);
  return t >= Date.parse(watch.openedAt) && t <= Date.parse(watch.until);
}

export type RollbackVerdict =
  | { act: 'none' }
  | { act: 'keep'; notice: string; explained: boolean }
  | { act: 'rollback'; notice: string; to: string; expectHash: string; why: string };

/** The denial as the watch sees it (stored, authenticated evidence). */
export type WatchedDenial = Pick<Denial, 'roleArn' | 'action' | 'resource' | 'kind' | 'at'>;

/**
 * What a denial means for a role whose state now hashes to `currentHash`: outside the window, nothing; inside it,
 * a rollback only when the applied change explains the denial (the plan removed or narrowed what was denied) and
 * the role is still exactly as the apply left it. A denial the plan does not explain is reported and kept.
 */
export function rollbackVerdict(watch: Watch | undefined, denial: WatchedDenial, currentHash: string): RollbackVerdict {
  if (!inWatchWindow(watch, denial.at)) return { act: 'none' };
  const what = `${denial.action ?? '(action unknown)'} on ${denial.resource ?? '(resource unknown)'}`;
  const inside = `denial of ${what} at ${isoOf(denial.at)} inside the watch window of plan ${watch.planHash}`;
  if (!watch.change) {
    return { act: 'keep', explained: false, notice: `${inside}, but the watch holds no record of what the plan changed: not rolled back` };
  }
  const e = explainsDenial({ roleArn: watch.roleArn, ...watch.change, window: { from: watch.openedAt, until: watch.until } }, denial);
  if (!e.explains)
    return { act: 'keep', explained: false, notice: `${inside} is not explained by the plan (${e.reason}): not rolled back` };
  if (currentHash !== watch.afterHash) {
    return { act: 'keep', explained: true, notice: `${inside}, but the role changed since the apply: not rolled back automatically` };
  }
  return {
    act: 'rollback',
    notice: `${inside}, explained by the plan (${e.reason}): rolled back to ${watch.stateId}`,
    to: watch.stateId,
    expectHash: watch.afterHash,
    why: e.reason,
  };
}
