// One ticket per role, kept in step with its findings: created when findings appear, rewritten with a comment saying
// what changed when the set changes, left alone when it did not (re-delivered events post nothing), and closed with
// a comment when the findings are gone. The body's marker (finding-set hash) is the idempotence record, so the body
// is updated before the comment: a retry after a failed comment sees "unchanged" rather than commenting twice.
// A tracker whose token cannot be read or is refused degrades (ticketStep): the remediation goes on, the owners get
// the findings on SNS instead, the outcome is audited and measured (TrackerUnavailable, alarmed in infra).
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
import type { Finding, Warning } from '../engine/types.js';
import { CredentialsError } from '../errors.js';
import type { Notifier, OpenTicket, TicketRef, Tracker } from './ports.js';

export type SyncAction = 'created' | 'updated' | 'unchanged' | 'closed' | 'none';

export interface SyncResult {
  action: SyncAction;
  ticket?: TicketRef;
}

/** The warning a remediation carries when its ticket could not be written; counted as the TrackerUnavailable metric. */
export const TICKET_FAILED = 'ticket-failed';

export interface TicketStepDeps {
  tracker?: Tracker;
  notifier?: Pick<Notifier, 'publishTicketFailure'>;
}

export interface TicketStep {
  /** What happened to the role's ticket; `tracker-unavailable` when its credentials failed, `no-tracker` when none
   *  is configured. */
  action: SyncAction | 'tracker-unavailable' | 'no-tracker';
  ticket?: TicketRef;
  /** Why the tracker is unavailable (names the tracker and the error class; never the token or a response body). */
  problem?: string;
  warnings: Warning[];
}

/** syncTicket that never fails the remediation for a tracker's credentials: a token that cannot be read, is empty
 *  or is refused is reported (and the owners are told on SNS); any other failure is thrown, so the message is
 *  retried and, failing, dead-lettered. */
export async function ticketStep(
  deps: TicketStepDeps,
  roleArn: string,
  findings: Finding[],
  template?: TemplateChange,
): Promise<TicketStep> {
  if (!deps.tracker) return { action: 'no-tracker', warnings: [] };
  try {
    return { ...(await syncTicket(deps.tracker, roleArn, findings, template)), warnings: [] };
  } catch (err) {
    if (!(err instanceof CredentialsError)) throw err;
    const failure = { tracker: deps.tracker.name, problem: err.message };
    await deps.notifier?.publishTicketFailure(roleArn, failure, findings);
    return {
      action: 'tracker-unavailable',
      problem: err.message,
      warnings: [{ code: TICKET_FAILED, message: `no ${deps.tracker.name} ticket: ${err.message}` }],
    };
  }
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
