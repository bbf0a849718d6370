// The post-apply watch window, the one rule for it: a denial for the role between the apply and the window's end,
// while the role is still exactly as Leash left it, rolls the role back to the state stored before the apply.
// The denial function asks (inWatchWindow); the remediation function decides and acts (rollbackVerdict).

export interface Watch {
  roleArn: string;
  openedAt: string;
  until: string;
  /** Stored state to return to if a denial shows up inside the window. */
  stateId: string;
  planHash: string;
  /** Hash right after the apply: an automatic rollback only runs while the role is still exactly that. */
  afterHash: string;
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
  { act: 'none' } | { act: 'keep'; notice: string } | { act: 'rollback'; notice: string; to: string; expectHash: string };

/** What a denial at `denialAt` means for a role whose state now hashes to `currentHash`. */
export function rollbackVerdict(watch: Watch | undefined, denialAt: string, currentHash: string): RollbackVerdict {
  if (!inWatchWindow(watch, denialAt)) return { act: 'none' };
  const inside = `denial at ${isoOf(denialAt)} inside the watch window of plan ${watch.planHash}`;
  if (currentHash !== watch.afterHash) {
    return { act: 'keep', notice: `${inside}, but the role changed since the apply: not rolled back automatically` };
  }
  return { act: 'rollback', notice: `${inside}: rolled back to ${watch.stateId}`, to: watch.stateId, expectHash: watch.afterHash };
}
