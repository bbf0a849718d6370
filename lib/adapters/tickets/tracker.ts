// What ticket-sync needs from an issue tracker. Jira and GitHub implement it; each renders the same TicketDoc.
import type { DocBlock, TicketDoc } from './ticket-content.js';

export interface TicketRef {
  /** Jira issue key (`OPS-12`) or GitHub issue number as text. */
  id: string;
  url?: string;
}

export interface OpenTicket extends TicketRef {
  title: string;
  /** The body as plain text (Markdown for GitHub, flattened ADF for Jira): where the marker is read back from. */
  text: string;
}

export interface Tracker {
  readonly name: 'jira' | 'github';
  /** The open ticket for a role, found by its dedupe key; undefined when none is open. */
  findOpen(roleKey: string): Promise<OpenTicket | undefined>;
  create(doc: TicketDoc): Promise<TicketRef>;
  /** Replaces title and body. */
  update(id: string, doc: TicketDoc): Promise<void>;
  comment(id: string, blocks: DocBlock[]): Promise<void>;
  /** Comments, then closes as done. */
  close(id: string, blocks: DocBlock[]): Promise<void>;
}
