// One ticket per role, kept in step with its findings: created when findings appear, rewritten with a comment saying
// what changed when the set changes, left alone when it did not (re-delivered events post nothing), and closed with
// a comment when the findings are gone. The body's marker (finding-set hash) is the idempotence record, so the body
// is updated before the comment: a retry after a failed comment sees "unchanged" rather than commenting twice.
import { roleNameOf } from '../engine/arn.js';
import {
  buildTicketDoc,
  parseMarker,
  roleKey,
  toItem,
  type DocBlock,
  type TemplateChange,
  type TicketDoc,
} from '../engine/tickets/content.js';
import type { Finding } from '../engine/types.js';
import type { OpenTicket, TicketRef, Tracker } from './ports.js';

export type SyncAction = 'created' | 'updated' | 'unchanged' | 'closed' | 'none';

export interface SyncResult {
  action: SyncAction;
  ticket?: TicketRef;
}

export async function syncTicket(
  tracker: Tracker,
  roleArn: string,
  findings: Finding[],
  templateChange?: TemplateChange,
): Promise<SyncResult> {
  const key = roleKey(roleArn);
  const open = await tracker.findOpen(key);
  const ref = open ? { id: open.id, url: open.url } : undefined;

  if (findings.length === 0) {
    if (!open) return { action: 'none' };
    await tracker.close(open.id, [
      { type: 'paragraph', text: `Leash found no remaining issues with ${roleNameOf(roleArn)}'s permissions; closing.` },
    ]);
    return { action: 'closed', ticket: ref };
  }

  const doc = buildTicketDoc(roleArn, findings, templateChange);
  if (!open) return { action: 'created', ticket: await tracker.create(doc) };

  const previous = parseMarker(open.text);
  if (previous?.contentHash === doc.marker.contentHash) return { action: 'unchanged', ticket: ref };

  await tracker.update(open.id, doc);
  await tracker.comment(open.id, changeComment(open, previous?.findingIds, findings, doc));
  return { action: 'updated', ticket: ref };
}

/** "2 new, 1 resolved", listing both; resolved lines are recovered from the old body by their `[id]`. */
export function changeComment(open: OpenTicket, previousIds: string[] | undefined, findings: Finding[], doc: TicketDoc): DocBlock[] {
  const before = new Set(previousIds ?? []);
  const items = findings.map(toItem);
  const now = new Set(items.map((i) => i.id));
  const added = dedupe(items.filter((i) => !before.has(i.id)));
  const resolved = [...before].filter((id) => !now.has(id));
  const blocks: DocBlock[] = [
    {
      type: 'paragraph',
      text: `Leash updated this ticket: ${added.length} new, ${resolved.length} resolved, ${now.size - added.length} unchanged (${now.size} open in total).`,
    },
  ];
  if (added.length) blocks.push({ type: 'heading', text: 'New' }, { type: 'findings', items: added.slice(0, 50) });
  if (resolved.length) {
    const oldLines = open.text.split('\n').map(cleanLine);
    const lines = resolved.slice(0, 50).map((id) => oldLines.find((l) => l.startsWith(`[${id}]`)) ?? `[${id}] (no longer listed)`);
    blocks.push({ type: 'heading', text: 'Resolved' }, { type: 'paragraph', text: lines.join('\n') });
  }
  if (!added.length && !resolved.length && doc.blocks.some((b) => b.type === 'code')) {
    blocks.push({ type: 'paragraph', text: 'The template change in the description was updated.' });
  }
  return blocks;
}

function dedupe<T extends { id: string }>(items: T[]): T[] {
  const seen = new Set<string>();
  return items.filter((i) => (seen.has(i.id) ? false : (seen.add(i.id), true)));
}

/** A finding line as itemText wrote it, whatever Markdown the tracker wrapped it in. */
function cleanLine(line: string): string {
  return line
    .replace(/^\s*[-*]\s+/, '')
    .replace(/`/g, '')
    .trim();
}
