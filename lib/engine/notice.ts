// What an SNS notice about a role's findings says: a subject people can triage from (ASCII, one line, at most 100
// characters), readable lines, then the same data as JSON for machines, within SNS's size limit.
import { roleNameOf } from './arn.js';
import type { Finding, Plan, Severity } from './types.js';

const SUBJECT_MAX = 100;
// SNS caps a message at 256 KB; keep some room for the attributes.
const MESSAGE_MAX = 250 * 1024;
const MAX_LINES = 50;
const SEVERITIES: readonly Severity[] = ['urgent', 'review', 'info'];

function counts(findings: Finding[]): Record<Severity, number> {
  const c: Record<Severity, number> = { urgent: 0, review: 0, info: 0 };
  for (const f of findings) c[f.severity]++;
  return c;
}

/** Highest severity present, or `none`. */
export function topSeverity(findings: Finding[]): Severity | 'none' {
  const c = counts(findings);
  return SEVERITIES.find((s) => c[s] > 0) ?? 'none';
}

/** e.g. `Leash: 2 urgent, 1 review findings on role web-exec`; ASCII, one line, at most 100 characters. */
export function subjectFor(roleArn: string, findings: Finding[]): string {
  const c = counts(findings);
  const parts = SEVERITIES.filter((s) => c[s] > 0).map((s) => `${c[s]} ${s}`);
  const noun = findings.length === 1 ? 'finding' : 'findings';
  const text = parts.length
    ? `Leash: ${parts.join(', ')} ${noun} on role ${roleNameOf(roleArn)}`
    : `Leash: no findings left on role ${roleNameOf(roleArn)}`;
  // SNS subjects must be printable ASCII without line breaks.
  const ascii = text.replace(/[^\x20-\x7e]/g, '?');
  return ascii.length <= SUBJECT_MAX ? ascii : `${ascii.slice(0, SUBJECT_MAX - 3)}...`;
}

export function lineFor(f: Finding): string {
  const reason = f.reasons[0] ? ` (${f.reasons[0]})` : '';
  return `[${f.severity}] ${f.kind}: ${f.action} on ${f.resource}${reason}`;
}

export function messageFor(roleArn: string, findings: Finding[], at?: string): string {
  const shown = findings.slice(0, MAX_LINES).map(lineFor);
  if (findings.length > MAX_LINES) shown.push(`... and ${findings.length - MAX_LINES} more`);
  const head = [`Role: ${roleArn}`, ...(at ? [`At: ${at}`] : []), '', ...(shown.length ? shown : ['All findings are resolved.'])].join(
    '\n',
  );
  const data = { roleArn, ...(at ? { at } : {}), counts: counts(findings), findings };
  const full = `${head}\n\n${JSON.stringify(data, null, 2)}`;
  if (Buffer.byteLength(full) <= MESSAGE_MAX) return full;
  return `${head}\n\n${JSON.stringify({ ...data, findings: undefined, truncated: true }, null, 2)}`;
}

/** The message that carries one approver's link (their subscription filters on the approver attribute). */
export function approvalLinkMessage(plan: Plan, link: { approver: string; url: string }): { subject: string; message: string } {
  return {
    subject: `Leash: approval needed for ${roleNameOf(plan.roleArn)}`.slice(0, SUBJECT_MAX),
    message: [
      `Leash proposes a change to ${plan.roleArn} (plan ${plan.planHash}).`,
      `Approve or reject as ${link.approver} (one decision; the link works for you only, until the plan is applied, rejected, superseded or expires):`,
      link.url,
    ].join('\n'),
  };
}

/** Why a role's ticket could not be written (the tracker's credentials failed); safe text, no token or body. */
export interface TicketFailure {
  tracker: 'jira' | 'github';
  problem: string;
}

const TRACKER_LABEL: Record<TicketFailure['tracker'], string> = { jira: 'Jira', github: 'GitHub' };

/** The notice owners get instead of their ticket: what failed, the findings the ticket would have carried, and what
 *  happens next. Subject and size within SNS's limits, like messageFor. */
export function ticketFailureMessage(
  roleArn: string,
  failure: TicketFailure,
  findings: Finding[],
  at?: string,
): { subject: string; message: string } {
  const subject = `Leash: no ${TRACKER_LABEL[failure.tracker]} ticket for role ${roleNameOf(roleArn)} (tracker unavailable)`
    .replace(/[^\x20-\x7e]/g, '?')
    .slice(0, SUBJECT_MAX);
  const head = [
    `Leash could not open or update the ${TRACKER_LABEL[failure.tracker]} ticket for ${roleArn}: ${failure.problem}.`,
    'The operators were alarmed (metric TrackerUnavailable). The ticket is brought up to date the next time this role is',
    'remediated after the token is fixed. Until then, these are the findings the ticket would carry:',
  ].join('\n');
  return { subject, message: messageFor(roleArn, findings, at).replace(/^/, `${head}\n\n`) };
}
