// Per-role mode from the `leash:mode` tag, falling back to the account default. Dry-run is a separate switch.
import type { Finding, Mode, Warning } from '../types.js';

export const MODE_TAG = 'leash:mode';
export const MODES: readonly Mode[] = ['observe', 'ticket', 'approve', 'auto'];

/** Dry-run is on unless something explicitly turns it off: a missing or unreadable setting means "dry run". */
export const DEFAULT_DRY_RUN = true;

function isMode(value: string): value is Mode {
  return (MODES as readonly string[]).includes(value);
}

export interface ModeReading {
  mode: Mode;
  /** Where the mode came from. */
  from: 'tag' | 'account-default' | 'invalid-tag';
  /** An `invalid-mode-tag` finding when the tag is present but not exactly one of MODES. */
  finding?: Finding;
}

/**
 * The role's mode. The tag value must be exactly one of `observe|ticket|approve|auto`: no trimming, no case
 * folding, because the deployed IAM conditions compare it with a case-sensitive StringEquals (`Auto` would be
 * planned and approved, then denied at the first write). Any other value, and a key that is `leash:mode` only up
 * to case (`Leash:Mode`: IAM condition keys ignore case, so the policies may read it), is an `invalid-mode-tag`
 * finding and the role counts as `observe`, never as the account default (a typo must not pick a mode).
 * Without the tag, the account default applies.
 */
export function readMode(tags: Record<string, string> | undefined, accountDefault: Mode, roleArn: string): ModeReading {
  const keys = Object.keys(tags ?? {}).filter((k) => k.toLowerCase() === MODE_TAG);
  if (keys.length === 0) return { mode: accountDefault, from: 'account-default' };
  const raw = tags?.[MODE_TAG];
  if (keys.length === 1 && raw !== undefined && isMode(raw)) return { mode: raw, from: 'tag' };
  const shown = keys.map((k) => `${k}=${JSON.stringify(tags![k])}`).join(', ');
  const why =
    raw === undefined || keys.length > 1
      ? `tag ${shown}: the key must be exactly ${MODE_TAG}`
      : `tag ${shown} is not exactly one of ${MODES.join('|')} (no spaces, lower case)`;
  return {
    mode: 'observe',
    from: 'invalid-tag',
    finding: {
      kind: 'invalid-mode-tag',
      severity: 'review',
      action: MODE_TAG,
      resource: roleArn,
      reasons: [why, 'the role is treated as observe (no change, no ticket, no approval) until the tag is fixed'],
    },
  };
}

/**
 * The role's mode (see `readMode`), for callers that collect warnings: an invalid tag pushes an
 * `invalid-mode-tag` warning and yields `observe`.
 */
export function modeFor(tags: Record<string, string> | undefined, accountDefault: Mode, warnings?: Warning[]): Mode {
  const r = readMode(tags, accountDefault, '');
  if (r.finding) warnings?.push({ code: 'invalid-mode-tag', message: `${r.finding.reasons.join('; ')}` });
  return r.mode;
}

/** Only an explicit `false` (boolean or the string "false") turns dry-run off. */
export function dryRunFor(setting: boolean | string | undefined): boolean {
  if (setting === false) return false;
  if (typeof setting === 'string' && setting.trim().toLowerCase() === 'false') return false;
  return DEFAULT_DRY_RUN;
}
