import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { adfToText, toAdf } from '../../../lib/adapters/tickets/adf.js';
import { toMarkdown } from '../../../lib/adapters/tickets/github.js';
import {
  buildTicketDoc,
  ticketContentHash,
  itemText,
  markerText,
  parseMarker,
  roleKey,
  toItem,
} from '../../../lib/engine/tickets/content.js';
import { FINDINGS, manyFindings, ROLE_ARN } from '../../engine/approval/fixtures.js';

describe('ticket content', () => {
  it('keys a role by the first 16 hex of the SHA-256 of its ARN', () => {
    expect(roleKey(ROLE_ARN)).toBe(createHash('sha256').update(ROLE_ARN, 'utf8').digest('hex').slice(0, 16));
    expect(roleKey(ROLE_ARN)).not.toBe(roleKey(ROLE_ARN.replace('web', 'api')));
  });

  it('hashes the finding set regardless of order, reasons and evidence, but not of what is found', () => {
    const base = ticketContentHash(FINDINGS);
    const reordered = [...FINDINGS].reverse().map((f) => ({ ...f, reasons: ['other'], evidence: [] }));
    expect(ticketContentHash(reordered)).toBe(base);
    expect(ticketContentHash(FINDINGS.slice(1))).not.toBe(base);
    expect(ticketContentHash(FINDINGS.map((f, i) => (i === 0 ? { ...f, kind: 'excess' as const } : f)))).not.toBe(base);
  });

  it('writes and reads back the marker', () => {
    const doc = buildTicketDoc(ROLE_ARN, FINDINGS);
    expect(parseMarker(`intro\n${markerText(doc.marker)}\nmore`)).toEqual(doc.marker);
    expect(doc.marker.findingIds).toHaveLength(4);
    expect(parseMarker('no marker here')).toBeUndefined();
  });

  it('renders the same finding line in ADF (flattened) and Markdown (without backticks)', () => {
    const item = toItem(FINDINGS[2]!);
    const expected = `[${item.id}] too-broad: logs:CreateLogStream on * — AmazonECSTaskExecutionRolePolicy grants it on *; only /ecs/web is used`;
    expect(itemText(item)).toBe(expected);
    expect(adfToText(toAdf([{ type: 'findings', items: [item] }]))).toBe(expected);
    expect(toMarkdown([{ type: 'findings', items: [item] }])).toBe(
      `- [${item.id}] too-broad: \`logs:CreateLogStream\` on \`*\` — AmazonECSTaskExecutionRolePolicy grants it on *; only /ecs/web is used`,
    );
  });

  it('lists at most 100 findings, says how many more, and keeps every id in the marker', () => {
    const doc = buildTicketDoc(ROLE_ARN, manyFindings(250));
    const listed = doc.blocks.flatMap((b) => (b.type === 'findings' ? b.items : []));
    expect(listed).toHaveLength(100);
    expect(doc.blocks).toContainEqual({ type: 'paragraph', text: '…and 150 more findings not listed here.' });
    expect(doc.marker.findingIds).toHaveLength(250);
    expect(doc.title).toBe('Leash: 250 findings for ECS execution role ecsTaskExecutionRole-web');
  });
});
