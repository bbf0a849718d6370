// Per-role mode from the `leash:mode` tag, falling back to the account default. Dry-run is a separate switch.
import type { Mode, Warning } from '../types.js';

export const MODE_TAG = 'leash:mode';
export const MODES: readonly Mode[] = ['observe', 'ticket', 'approve', 'auto'];

/** Dry-run is on unless something explicitly turns it off: a missing or unreadable setting means "dry run". */
export const DEFAULT_DRY_RUN = true;

function isMode(value: string): value is Mode {
  return (MODES as readonly string[]).includes(value);
}

/**
 * The role's mode. Tag values are trimmed and compared case-insensitively (`Auto` is `auto`); anything else
 * falls back to `accountDefault` and pushes a warning onto `warnings` when given, so a typo never silently
 * turns into a more permissive mode than the account default.
 */
export function modeFor(tags: Record<string, string> | undefined, accountDefault: Mode, warnings?: Warning[]): Mode {
  const raw = tags?.[MODE_TAG];
  if (raw === undefined) return accountDefault;
  const value = raw.trim().toLowerCase();
  if (isMode(value)) return value;
  warnings?.push({
    code: 'invalid-mode-tag',
    message: `tag ${MODE_TAG}=${JSON.stringify(raw)} is not one of ${MODES.join('|')}; using the account default "${accountDefault}"`,
  });
  return accountDefault;
}

/** Only an explicit `false` (boolean or the string "false") turns dry-run off. */
export function dryRunFor(setting: boolean | string | undefined): boolean {
  if (setting === false) return false;
  if (typeof setting === 'string' && setting.trim().toLowerCase() === 'false') return false;
  return DEFAULT_DRY_RUN;
}
