import { describe, expect, it } from 'vitest';
import { dryRunFor, modeFor } from '../../../lib/engine/plan/mode.js';
import type { Warning } from '../../../lib/engine/types.js';

describe('modeFor', () => {
  it('reads the leash:mode tag', () => {
    expect(modeFor({ 'leash:mode': 'auto' }, 'observe')).toBe('auto');
    expect(modeFor({ 'leash:mode': ' Approve ' }, 'observe')).toBe('approve');
  });

  it('uses the account default without a tag', () => {
    const warnings: Warning[] = [];
    expect(modeFor({}, 'ticket', warnings)).toBe('ticket');
    expect(modeFor(undefined, 'observe', warnings)).toBe('observe');
    expect(warnings).toEqual([]);
  });

  it('falls back to the default with a warning for anything else', () => {
    const warnings: Warning[] = [];
    expect(modeFor({ 'leash:mode': 'yolo' }, 'observe', warnings)).toBe('observe');
    expect(warnings).toHaveLength(1);
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
