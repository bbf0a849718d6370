import { describe, expect, it } from 'vitest';
import { messageFor, subjectFor, topSeverity } from '../../lib/engine/notice.js';
import type { Finding } from '../../lib/engine/types.js';

const f = (severity: Finding['severity'], i = 0): Finding => ({
  kind: 'excess',
  severity,
  action: `s3:GetObject${i}`,
  resource: `arn:aws:s3:::bucket/${'k'.repeat(200)}${i}`,
  reasons: ['granted, never needed'],
});

describe('subjectFor', () => {
  it('counts by severity and names the role', () => {
    expect(subjectFor('arn:aws:iam::123456789012:role/web-exec', [f('urgent'), f('urgent')])).toBe(
      'Leash: 2 urgent findings on role web-exec',
    );
    expect(subjectFor('arn:aws:iam::123456789012:role/web-exec', [f('info')])).toBe('Leash: 1 info finding on role web-exec');
  });

  it('stays within SNS’s 100 characters for the longest role names', () => {
    const role = `arn:aws:iam::123456789012:role/${'r'.repeat(64)}`;
    const s = subjectFor(role, [f('urgent'), f('review'), f('info')]);
    expect(s.length).toBeLessThanOrEqual(100);
    expect(s.startsWith('Leash: 1 urgent, 1 review, 1 info findings on role rrr')).toBe(true);
    expect(s.endsWith('...')).toBe(true);
  });
});

describe('messageFor', () => {
  it('stays under SNS’s 256 KB limit for very many findings and says what it left out', () => {
    const many = Array.from({ length: 2000 }, (_, i) => f('review', i));
    const msg = messageFor('arn:aws:iam::123456789012:role/web-exec', many);
    expect(Buffer.byteLength(msg)).toBeLessThan(256 * 1024);
    expect(msg).toContain('... and 1950 more');
    expect(msg).toContain('"truncated": true');
    expect(msg).toContain('"review": 2000');
  });
});

describe('topSeverity', () => {
  it('picks the highest severity present', () => {
    expect(topSeverity([f('info'), f('review')])).toBe('review');
    expect(topSeverity([])).toBe('none');
  });
});
