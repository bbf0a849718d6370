// Slack Block Kit for a plan awaiting approval, and for the message that replaces it once decided.
// Slack's limits (50 blocks per message, 3000 characters per section text, 150 per header, 2000 per button value)
// are enforced here so a large plan degrades to "…and N more" instead of an `invalid_blocks` error. A plan whose
// whole change does not fit is never approvable in Slack: its message offers "Review and approve" (the page).
// Every value from AWS, a task definition, a tag or an event goes through slack-text.ts: it renders as text.
import { roleNameOf } from '../arn.js';
import type { Finding, Plan } from '../types.js';
import { evidenceLines, findingSummary, fitLines, groupByKind, KIND_TITLES, truncate } from './plan-text.js';
import { planReview } from './review-lines.js';
import { slackCode, slackFallback, slackPlain, slackTime, slackValue } from './slack-text.js';

export const SLACK_LIMITS = { blocks: 50, sectionText: 3000, headerText: 150, buttonValue: 2000, contextElements: 10 };
export const APPROVE_ACTION_ID = 'leash-approve';
export const REJECT_ACTION_ID = 'leash-reject';
/** Asks for the approval page: answered only to the clicker, and only if they may approve (ephemeral link). */
export const REVIEW_ACTION_ID = 'leash-review';
export const ACTIONS_BLOCK_ID = 'leash-decision';

const TOP_FINDINGS = 5;
const PER_LINE = 400;
/** Room for the diff's code block: one section, minus its title and fences. */
const DIFF_BUDGET = SLACK_LIMITS.sectionText - 40;

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

/** The whole change as the lines of one code block, and whether all of it fits in one Slack section. */
export function slackDiff(plan: Plan): { lines: string[]; complete: boolean } {
  const lines = planReview(plan).flatMap((s) => [
    slackCode(s.title),
    ...s.lines.map((l) => slackCode(`${l.sign} ${l.text}${l.note ? `  (${l.note})` : ''}`)),
  ]);
  const size = lines.reduce((n, l) => n + l.length + 1, 0);
  return { lines, complete: size <= DIFF_BUDGET && lines.every((l) => l.length <= PER_LINE * 2) };
}

/** Whether Slack can show everything the plan changes (then, and only then, it offers Approve). */
export function approvableInSlack(plan: Plan): boolean {
  return slackDiff(plan).complete && introLines(plan).join('\n').length <= SLACK_LIMITS.sectionText;
}

/** What an approver must know before clicking, beside the plan itself. */
export interface DecisionFacts {
  dryRun: boolean;
  watchMinutes: number;
}

function factsBlock(plan: Plan, facts: DecisionFacts): SlackBlock {
  const mode = facts.dryRun
    ? '*Dry-run:* approving records the decision and changes nothing in IAM.'
    : '*Live:* approving changes the role in IAM.';
  const text = `${mode} Watched for ${facts.watchMinutes} min after the change (a denial it explains rolls it back); by hand: \`leash rollback\` ${slackValue(plan.roleArn)}.`;
  return { type: 'context', elements: [{ type: 'mrkdwn', text }] };
}

/** Why an approved plan is pending again: who approved it, and why it was not applied (an error's or a guardrail's
 *  text, so shown as a value). */
export interface PendingAgain {
  by: string;
  why: string;
}

/** The plan offered again (its approval went back to pending), with a line saying why. */
export function pendingBlocks(plan: Plan, pending: PendingAgain): SlackBlock[] {
  const blocks = planBlocks(plan);
  const actions = blocks.pop()!;
  const note = `*Still pending:* approved by ${who(pending.by)}, but ${slackValue(pending.why)}`;
  const line = section(fitLines([note], SLACK_LIMITS.sectionText, PER_LINE));
  return [...capBlocks([...blocks, line], SLACK_LIMITS.blocks - 1), actions];
}

export function planBlocks(plan: Plan, facts?: DecisionFacts): SlackBlock[] {
  const value = encodeButtonValue({ planHash: plan.planHash, roleArn: plan.roleArn });
  const approvable = approvableInSlack(plan);
  const content: SlackBlock[] = [
    ...introBlocks(plan, 'Approval needed'),
    ...(facts ? [factsBlock(plan, facts)] : []),
    ...findingBlocks(plan.findings),
    ...diffBlocks(plan),
    ...(approvable ? [] : [reviewNotice(plan)]),
    ...evidenceBlocks(plan.findings),
  ];
  const first: ButtonElement = approvable
    ? { type: 'button', action_id: APPROVE_ACTION_ID, text: plain('Approve'), style: 'primary', value }
    : { type: 'button', action_id: REVIEW_ACTION_ID, text: plain('Review and approve'), style: 'primary', value };
  const actions: SlackBlock = {
    type: 'actions',
    block_id: ACTIONS_BLOCK_ID,
    elements: [first, { type: 'button', action_id: REJECT_ACTION_ID, text: plain('Reject'), style: 'danger', value }],
  };
  return [...capBlocks(content, SLACK_LIMITS.blocks - 1), actions];
}

function reviewNotice(plan: Plan): SlackBlock {
  const n = slackDiff(plan).lines.length;
  return section(
    `*This change is too long to show here in full* (${n} lines). Approve it on the approval page, which shows all of it: ` +
      '*Review and approve* sends you your own short-lived link, visible only to you (approvers only).',
  );
}

export function outcomeBlocks(plan: Plan, outcome: Outcome): SlackBlock[] {
  const verb = {
    approved: 'Approved',
    applied: 'Applied',
    rejected: 'Rejected',
    refused: 'Refused',
    'rolled-back': 'Rolled back',
  }[outcome.status];
  const lines = [`*${verb}* by ${who(outcome.by)} at ${slackTime(outcome.at)}`];
  if (outcome.reason) lines.push(`Reason: ${slackValue(outcome.reason)}`);
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
  return truncate(slackFallback(`Leash: approval needed for ${roleNameOf(plan.roleArn)} (${counts || 'no findings'})`), 3000);
}

export function encodeButtonValue(v: ButtonValue): string {
  const value = JSON.stringify({ planHash: v.planHash, roleArn: v.roleArn });
  if (value.length > SLACK_LIMITS.buttonValue) throw new RangeError('button value exceeds Slack’s 2000 characters');
  return value;
}

function introLines(plan: Plan): string[] {
  return [
    `*Role:* ${slackValue(plan.roleArn)}`,
    `*Policy:* ${slackValue(plan.policyName)}  *Plan:* ${slackValue(plan.planHash.slice(0, 12))}`,
    ...plan.needsApproval.map((n) => `• ${slackValue(n)}`),
  ];
}

function introBlocks(plan: Plan, title: string): SlackBlock[] {
  const header = truncate(`${title}: ${roleNameOf(plan.roleArn)}`, SLACK_LIMITS.headerText);
  return [{ type: 'header', text: plain(header) }, section(fitLines(introLines(plan), SLACK_LIMITS.sectionText, PER_LINE))];
}

function findingBlocks(findings: Finding[]): SlackBlock[] {
  return groupByKind(findings).map(({ kind, findings: group }) => {
    const lines = group.map((f) => {
      const s = findingSummary(f);
      const reason = s.reason ? ` — ${slackValue(s.reason)}` : '';
      return `• ${slackValue(s.action)} on ${slackValue(s.resource)}${reason}`;
    });
    const shown = lines.slice(0, TOP_FINDINGS);
    if (lines.length > TOP_FINDINGS) shown.push(`…and ${lines.length - TOP_FINDINGS} more`);
    const title = `*${KIND_TITLES[kind]}* (${group.length})`;
    return section(fitLines([title, ...shown], SLACK_LIMITS.sectionText, PER_LINE));
  });
}

function diffBlocks(plan: Plan): SlackBlock[] {
  const { lines } = slackDiff(plan);
  if (lines.length === 0) return [];
  // A code block keeps + and - aligned; its fences count against the 3000 characters. Each line went through
  // slackCode, so nothing in it can close the block.
  const body = fitLines(lines, DIFF_BUDGET, PER_LINE * 2);
  return [{ type: 'divider' }, section(`*Policy change*\n\`\`\`${body}\`\`\``)];
}

function evidenceBlocks(findings: Finding[]): SlackBlock[] {
  const lines = evidenceLines(findings).map((e) => `${slackTime(e.at)} — ${slackValue(e.text)}`);
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
  return { type: 'plain_text', text: slackPlain(text), emoji: false };
}

/** A Slack user id becomes a mention (it is an approver Leash checked); anything else is a value. */
function who(by: string): string {
  return /^[UW][A-Z0-9]{2,20}$/.test(by) ? `<@${by}>` : slackValue(by);
}
