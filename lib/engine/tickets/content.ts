// What a role's ticket says, independent of the tracker: a small document model that jira.ts renders to Atlassian
// Document Format and github.ts to Markdown. The marker at the end records the role key, the hash of the finding set
// and the short id of every finding, so a re-delivered event finds the ticket unchanged and posts nothing.
import { roleNameOf } from '../arn.js';
import { groupByKind, KIND_TITLES } from '../approval/plan-text.js';
import { sha256Hex as sha256 } from '../plan/canonical.js';
import type { TemplateChange } from '../plan/template-change.js';
import type { Finding } from '../types.js';

export type { TemplateChange };

export interface FindingItem {
  id: string;
  kind: Finding['kind'];
  action: string;
  resource: string;
  reason: string;
}

export type DocBlock =
  | { type: 'heading'; text: string }
  | { type: 'paragraph'; text: string }
  | { type: 'findings'; items: FindingItem[] }
  | { type: 'code'; language: string; text: string };

export interface TicketMarker {
  roleKey: string;
  /** ticketContentHash of what the ticket shows. */
  contentHash: string;
  findingIds: string[];
}

export interface TicketDoc {
  title: string;
  blocks: DocBlock[];
  marker: TicketMarker;
}

const MAX_LISTED = 100;
const MAX_MARKER_IDS = 1000;
const TITLE_MAX = 250;

/** Dedupe key for a role: a hash, so ARNs (with paths and account ids) never appear in labels. */
export function roleKey(roleArn: string): string {
  return sha256(roleArn).slice(0, 16);
}

export function findingId(f: Pick<Finding, 'kind' | 'action' | 'resource'>): string {
  return sha256(`${f.kind}|${f.action}|${f.resource}`).slice(0, 10);
}

/**
 * The set is (kind, action, resource) plus the template change: reasons and evidence dates move on every event
 * and would otherwise rewrite the ticket each time.
 */
export function ticketContentHash(findings: Finding[], templateChange?: TemplateChange): string {
  const ids = [...new Set(findings.map(findingId))].sort();
  return sha256(JSON.stringify({ ids, template: templateChange ?? null })).slice(0, 16);
}

export function buildTicketDoc(roleArn: string, findings: Finding[], templateChange?: TemplateChange): TicketDoc {
  const name = roleNameOf(roleArn);
  const title = truncate(`Leash: ${findings.length} finding${findings.length === 1 ? '' : 's'} for ECS execution role ${name}`, TITLE_MAX);
  const blocks: DocBlock[] = [
    {
      type: 'paragraph',
      text: `Leash compared what the task definitions using ${roleArn} need with what the role is granted and what CloudTrail shows.`,
    },
  ];
  let listed = 0;
  for (const group of groupByKind(findings)) {
    const room = MAX_LISTED - listed;
    if (room <= 0) break;
    blocks.push({ type: 'heading', text: `${KIND_TITLES[group.kind]} (${group.findings.length})` });
    blocks.push({ type: 'findings', items: group.findings.slice(0, room).map(toItem) });
    listed += Math.min(room, group.findings.length);
  }
  if (findings.length > listed) blocks.push({ type: 'paragraph', text: `…and ${findings.length - listed} more findings not listed here.` });
  if (templateChange) blocks.push(...templateBlocks(roleArn, templateChange));
  const ids = [...new Set(findings.map(findingId))].sort();
  return {
    title,
    blocks,
    marker: {
      roleKey: roleKey(roleArn),
      contentHash: ticketContentHash(findings, templateChange),
      findingIds: ids.slice(0, MAX_MARKER_IDS),
    },
  };
}

export function toItem(f: Finding): FindingItem {
  return { id: findingId(f), kind: f.kind, action: f.action, resource: f.resource, reason: f.reasons[0] ?? '' };
}

/** One line per finding, the same in every renderer's plain text, so it can be found again by its `[id]`. */
export function itemText(item: FindingItem): string {
  return `[${item.id}] ${item.kind}: ${item.action} on ${item.resource}${item.reason ? ` — ${item.reason}` : ''}`;
}

/** The marker as text; trackers embed it (hidden where they can) and read it back with parseMarker. */
export function markerText(m: TicketMarker): string {
  return `leash:${m.roleKey} leash-findings:${m.contentHash} leash-ids:${m.findingIds.join(',')}`;
}

export function parseMarker(text: string): TicketMarker | undefined {
  const key = /leash:([0-9a-f]{16})(?![0-9a-f])/.exec(text)?.[1];
  const hash = /leash-findings:([0-9a-f]{16})(?![0-9a-f])/.exec(text)?.[1];
  if (!key || !hash) return undefined;
  const ids = /leash-ids:([0-9a-f,]*)/.exec(text)?.[1] ?? '';
  return { roleKey: key, contentHash: hash, findingIds: ids.split(',').filter(Boolean) };
}

function templateBlocks(roleArn: string, t: TemplateChange): DocBlock[] {
  const json = JSON.stringify(t.document, null, 2);
  const owner = t.tool === 'cloudformation' ? 'CloudFormation' : 'Terraform';
  const where = t.location ? ` (${t.location})` : '';
  const code =
    t.tool === 'cloudformation'
      ? { type: 'code' as const, language: 'json', text: JSON.stringify({ PolicyName: t.policyName, PolicyDocument: t.document }, null, 2) }
      : {
          type: 'code' as const,
          language: 'hcl',
          text: [
            `resource "aws_iam_role_policy" "${t.policyName.replace(/[^A-Za-z0-9_]/g, '_')}" {`,
            `  name   = "${t.policyName}"`,
            `  role   = "${roleNameOf(roleArn)}"`,
            `  policy = jsonencode(${json.replace(/\n/g, '\n  ')})`,
            '}',
          ].join('\n'),
        };
  return [
    { type: 'heading', text: 'Template change' },
    {
      type: 'paragraph',
      text: `This role is managed by ${owner}${where}, so Leash does not change it directly. Replace the role's policies in the template with this one:`,
    },
    code,
  ];
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
