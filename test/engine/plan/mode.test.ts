import { describe, expect, it } from 'vitest';
import { dryRunFor, modeFor, readMode } from '../../../lib/engine/plan/mode.js';
import type { Warning } from '../../../lib/engine/types.js';

const ROLE = 'arn:aws:iam::123456789012:role/web-exec';

describe('readMode: exact tag values', () => {
  it.each(['observe', 'ticket', 'approve', 'auto'] as const)('accepts exactly "%s"', (mode) => {
    expect(readMode({ 'leash:mode': mode }, 'observe', ROLE)).toEqual({ mode, from: 'tag' });
  });

  it('uses the account default without a tag', () => {
    expect(readMode({}, 'ticket', ROLE)).toEqual({ mode: 'ticket', from: 'account-default' });
    expect(readMode(undefined, 'approve', ROLE)).toEqual({ mode: 'approve', from: 'account-default' });
    expect(readMode({ 'leash:modes': 'auto', mode: 'auto' }, 'approve', ROLE).mode).toBe('approve');
  });

  // Behaviour changed deliberately (issue 10): `Auto` and ` Approve ` were accepted by trimming and case folding.
  it.each([
    'Auto',
    'AUTO',
    ' auto',
    'auto ',
    'auto\n',
    '\tapprove',
    'Approve',
    'аuto' /* Cyrillic а */,
    'auto\u200b',
    'yolo',
    '',
    'auto,approve',
  ])('%j is an invalid-mode-tag finding and the role counts as observe, even when the default is auto', (value) => {
    const r = readMode({ 'leash:mode': value }, 'auto', ROLE);
    expect(r.mode).toBe('observe');
    expect(r.from).toBe('invalid-tag');
    expect(r.finding).toMatchObject({ kind: 'invalid-mode-tag', severity: 'review', action: 'leash:mode', resource: ROLE });
    expect(r.finding?.reasons[0]).toContain(JSON.stringify(value));
  });

  it.each<Record<string, string>>([{ 'Leash:Mode': 'auto' }, { 'LEASH:MODE': 'approve' }, { 'leash:mode': 'auto', 'Leash:mode': 'auto' }])(
    'a key that is leash:mode only up to case (%j) is invalid too: IAM condition keys ignore case',
    (tags) => {
      const r = readMode(tags, 'auto', ROLE);
      expect(r.mode).toBe('observe');
      expect(r.finding?.reasons[0]).toContain('the key must be exactly leash:mode');
    },
  );
});

describe('modeFor', () => {
  it('reads the leash:mode tag', () => {
    expect(modeFor({ 'leash:mode': 'auto' }, 'observe')).toBe('auto');
  });

  it('uses the account default without a tag, with no warning', () => {
    const warnings: Warning[] = [];
    expect(modeFor({}, 'ticket', warnings)).toBe('ticket');
    expect(modeFor(undefined, 'observe', warnings)).toBe('observe');
    expect(warnings).toEqual([]);
  });

  // Behaviour changed deliberately (issue 10): an invalid value used to fall back to the account default.
  it('an invalid value is observe with an invalid-mode-tag warning, whatever the default', () => {
    const warnings: Warning[] = [];
    expect(modeFor({ 'leash:mode': 'yolo' }, 'auto', warnings)).toBe('observe');
    expect(modeFor({ 'leash:mode': ' Approve ' }, 'approve', warnings)).toBe('observe');
    expect(warnings.map((w) => w.code)).toEqual(['invalid-mode-tag', 'invalid-mode-tag']);
    expect(warnings[0]?.message).toContain('yolo');
  });

  it('keeps dry-run on unless explicitly false', () => {
    expect(dryRunFor(undefined)).toBe(true);
    expect(dryRunFor('no')).toBe(true);
    expect(dryRunFor(true)).toBe(true);
    expect(dryRunFor(false)).toBe(false);
    expect(dryRunFor('False')).toBe(false);
  });
});
