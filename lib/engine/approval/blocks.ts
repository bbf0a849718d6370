// Slack Block Kit for a plan awaiting approval, and for the message that replaces it once decided.
// Slack's limits (50 blocks per message, 3000 characters per section text, 150 per header, 2000 per button value)
// are enforced here so a large plan degrades to "…and N more" instead of an `invalid_blocks` error.
import { roleNameOf } from '../arn.js';
import type { Finding, Plan } from '../types.js';
import { diffLines, evidenceLines, findingSummary, fitLines, groupByKind, KIND_TITLES, truncate } from './plan-text.js';

export const SLACK_LIMITS = { blocks: 50, sectionText: 3000, headerText: 150, buttonValue: 2000, contextElements: 10 };
export const APPROVE_ACTION_ID = 'leash-approve';
export const REJECT_ACTION_ID = 'leash-reject';
export const ACTIONS_BLOCK_ID = 'leash-decision';

const TOP_FINDINGS = 5;
const PER_LINE = 400;

export interface TextObject {
  type: 'plain_text' | 'mrkdwn';
  text: string;
  emoji?: boolean;
}
export interface ButtonElement {
  type: 'button';
  action_id: string;
  text: TextObject;
  value: string;
  style?: 'primary' | 'danger';
}
export type SlackBlock =
  | { type: 'header'; text: TextObject }
  | { type: 'section'; text: TextObject }
  | { type: 'context'; elements: TextObject[] }
  | { type: 'divider' }
  | { type: 'actions'; block_id: string; elements: ButtonElement[] };

/** What an Approve/Reject button carries back in the interaction payload. */
export interface ButtonValue {
  planHash: string;
  roleArn: string;
}

export interface Outcome {
  /** `approved`: decided, the remediation function is applying it (the message is updated again with the result). */
  status: 'approved' | 'applied' | 'rejected' | 'refused' | 'rolled-back';
  /** Slack user id or email of who decided (or `leash` for automatic rollback). */
  by: string;
  reason?: string;
  /** ISO-8601. */
  at: string;
}

/** Slack mrkdwn treats `&`, `<` and `>` as control characters; everything from AWS or users goes through this. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The plan offered again (its approval went back to pending), with a line saying why. */
export function pendingBlocks(plan: Plan, note: string): SlackBlock[] {
  const blocks = planBlocks(plan);
  const actions = blocks.pop()!;
  const line = section(fitLines([`*Still pending:* ${escapeMrkdwn(note)}`], SLACK_LIMITS.sectionText, PER_LINE));
  return [...capBlocks([...blocks, line], SLACK_LIMITS.blocks - 1), actions];
}

export function planBlocks(plan: Plan): SlackBlock[] {
  const value = encodeButtonValue({ planHash: plan.planHash, roleArn: plan.roleArn });
  const content: SlackBlock[] = [
    ...introBlocks(plan, 'Approval needed'),
    ...findingBlocks(plan.findings),
    ...diffBlocks(plan),
    ...evidenceBlocks(plan.findings),
  ];
  const actions: SlackBlock = {
    type: 'actions',
    block_id: ACTIONS_BLOCK_ID,
    elements: [
      { type: 'button', action_id: APPROVE_ACTION_ID, text: plain('Approve'), style: 'primary', value },
      { type: 'button', action_id: REJECT_ACTION_ID, text: plain('Reject'), style: 'danger', value },
    ],
  };
  return [...capBlocks(content, SLACK_LIMITS.blocks - 1), actions];
}

export function outcomeBlocks(plan: Plan, outcome: Outcome): SlackBlock[] {
  const verb = {
    approved: 'Approved',
    applied: 'Applied',
    rejected: 'Rejected',
    refused: 'Refused',
    'rolled-back': 'Rolled back',
  }[outcome.status];
  const lines = [`*${verb}* by ${who(outcome.by)} at ${escapeMrkdwn(outcome.at)}`];
  if (outcome.reason) lines.push(`Reason: ${escapeMrkdwn(outcome.reason)}`);
  // The decided message keeps the summary but drops the buttons, so nobody can click an already decided plan.
  return capBlocks(
    [
      ...introBlocks(plan, verb),
      section(fitLines(lines, SLACK_LIMITS.sectionText, PER_LINE)),
      ...findingBlocks(plan.findings),
      ...diffBlocks(plan),
    ],
    SLACK_LIMITS.blocks,
  );
}

/** Notification fallback text (`text` beside `blocks`), shown in notifications and by screen readers. */
export function planSummaryText(plan: Plan): string {
  const counts = groupByKind(plan.findings)
    .map((g) => `${g.findings.length} ${g.kind}`)
    .join(', ');
  return truncate(`Leash: approval needed for ${roleNameOf(plan.roleArn)} (${counts || 'no findings'})`, 3000);
}

export function encodeButtonValue(v: ButtonValue): string {
  const value = JSON.stringify({ planHash: v.planHash, roleArn: v.roleArn });
  if (value.length > SLACK_LIMITS.buttonValue) throw new RangeError('button value exceeds Slack’s 2000 characters');
  return value;
}

function introBlocks(plan: Plan, title: string): SlackBlock[] {
  const header = truncate(`${title}: ${roleNameOf(plan.roleArn)}`, SLACK_LIMITS.headerText);
  const lines = [
    `*Role:* \`${escapeMrkdwn(plan.roleArn)}\``,
    `*Policy:* \`${escapeMrkdwn(plan.policyName)}\`  *Plan:* \`${escapeMrkdwn(plan.planHash.slice(0, 12))}\``,
    ...plan.needsApproval.map((n) => `• ${escapeMrkdwn(n)}`),
  ];
  return [{ type: 'header', text: plain(header) }, section(fitLines(lines, SLACK_LIMITS.sectionText, PER_LINE))];
}

function findingBlocks(findings: Finding[]): SlackBlock[] {
  return groupByKind(findings).map(({ kind, findings: group }) => {
    const lines = group.map((f) => {
      const s = findingSummary(f);
      const reason = s.reason ? ` — ${escapeMrkdwn(s.reason)}` : '';
      return `• \`${escapeMrkdwn(s.action)}\` on \`${escapeMrkdwn(s.resource)}\`${reason}`;
    });
    const shown = lines.slice(0, TOP_FINDINGS);
    if (lines.length > TOP_FINDINGS) shown.push(`…and ${lines.length - TOP_FINDINGS} more`);
    const title = `*${KIND_TITLES[kind]}* (${group.length})`;
    return section(fitLines([title, ...shown], SLACK_LIMITS.sectionText, PER_LINE));
  });
}

function diffBlocks(plan: Plan): SlackBlock[] {
  const lines = diffLines(plan).map((d) => `${d.sign} ${escapeMrkdwn(d.text)}`);
  if (lines.length === 0) return [];
  // A code block keeps + and - aligned; its fences count against the 3000 characters.
  const body = fitLines(lines, SLACK_LIMITS.sectionText - 40, PER_LINE);
  return [{ type: 'divider' }, section(`*Policy change*\n\`\`\`${body}\`\`\``)];
}

function evidenceBlocks(findings: Finding[]): SlackBlock[] {
  const lines = evidenceLines(findings).map((e) => `${escapeMrkdwn(e.at)} — ${escapeMrkdwn(e.text)}`);
  if (lines.length === 0) return [];
  return [section(fitLines(['*Evidence*', ...lines], SLACK_LIMITS.sectionText, PER_LINE))];
}

function capBlocks(blocks: SlackBlock[], max: number): SlackBlock[] {
  if (blocks.length <= max) return blocks;
  const kept = blocks.slice(0, max - 1);
  return [...kept, { type: 'context', elements: [{ type: 'mrkdwn', text: `…and ${blocks.length - kept.length} more sections` }] }];
}

function section(text: string): SlackBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

function plain(text: string): TextObject {
  return { type: 'plain_text', text, emoji: true };
}

function who(by: string): string {
  return /^[UW][A-Z0-9]{2,}$/.test(by) ? `<@${by}>` : escapeMrkdwn(by);
}
