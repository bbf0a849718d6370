// Atlassian Document Format: Jira Cloud REST v3 takes descriptions and comments as ADF documents, not strings.
import { markerText, type DocBlock, type TicketMarker } from '../../engine/tickets/content.js';

export interface AdfNode {
  type: string;
  text?: string;
  attrs?: Record<string, unknown>;
  marks?: { type: string }[];
  content?: AdfNode[];
  version?: number;
}

export function toAdf(blocks: DocBlock[], marker?: TicketMarker): AdfNode {
  const content = blocks.flatMap(blockToAdf);
  // ADF has no hidden comments: the marker is a last, plainly labelled paragraph.
  if (marker) content.push(paragraph([text(`Leash marker, do not edit: ${markerText(marker)}`)]));
  return { type: 'doc', version: 1, content };
}

/** Plain text of an ADF document, one line per paragraph/heading/list item/code line. */
export function adfToText(node: unknown): string {
  const lines: string[] = [];
  const walk = (n: unknown): void => {
    if (typeof n !== 'object' || n === null) return;
    const { type, content } = n as AdfNode;
    if (type === 'paragraph' || type === 'heading' || type === 'codeBlock') {
      lines.push(inlineText(n as AdfNode));
      return;
    }
    if (Array.isArray(content)) content.forEach(walk);
  };
  walk(node);
  return lines.join('\n');
}

function inlineText(n: AdfNode): string {
  if (typeof n.text === 'string') return n.text;
  return (n.content ?? []).map(inlineText).join('');
}

function blockToAdf(b: DocBlock): AdfNode[] {
  switch (b.type) {
    case 'heading':
      return [{ type: 'heading', attrs: { level: 3 }, content: [text(b.text)] }];
    case 'paragraph':
      return [paragraph([text(b.text)])];
    case 'code':
      return [{ type: 'codeBlock', attrs: { language: b.language }, content: [text(b.text)] }];
    case 'findings':
      return [
        {
          type: 'bulletList',
          content: b.items.map((item) => {
            // Same words as itemText (ticket-content.ts), with action and resource as inline code.
            const reason = item.reason ? ` — ${item.reason}` : '';
            const nodes = [
              text(`[${item.id}] ${item.kind}: `),
              text(item.action, 'code'),
              text(' on '),
              text(item.resource, 'code'),
              ...(reason ? [text(reason)] : []),
            ];
            return { type: 'listItem', content: [paragraph(nodes)] };
          }),
        },
      ];
  }
}

function paragraph(content: AdfNode[]): AdfNode {
  return { type: 'paragraph', content };
}

// ADF rejects empty text nodes.
function text(value: string, mark?: string): AdfNode {
  const node: AdfNode = { type: 'text', text: value || ' ' };
  if (mark) node.marks = [{ type: mark }];
  return node;
}
