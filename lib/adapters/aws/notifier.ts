// Announces a role's findings on SNS: a subject people can triage from, readable lines, then the same data as
// JSON for machines. Message attributes let subscribers filter (e.g. urgent only).
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Finding, Severity } from '../../engine/types.js';
import { call } from './sdk-call.js';

export interface PublishOptions {
  /** Whether the finding set changed; default true (callers normally publish only on change). */
  changed?: boolean;
  at?: string;
}

const SUBJECT_MAX = 100;
// SNS caps a message at 256 KB; keep some room for the attributes.
const MESSAGE_MAX = 250 * 1024;
const MAX_LINES = 50;
const SEVERITIES: readonly Severity[] = ['urgent', 'review', 'info'];

const roleNameOf = (roleArn: string) => roleArn.slice(roleArn.lastIndexOf('/') + 1);

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

export interface PublishResult {
  published: boolean;
  messageId?: string;
}

export async function publishFindings(
  sns: SNSClient,
  topicArn: string,
  roleArn: string,
  findings: Finding[],
  opts: PublishOptions = {},
): Promise<PublishResult> {
  if (findings.length === 0 && opts.changed === false) return { published: false };
  const res = await call('sns', 'Publish', () =>
    sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: subjectFor(roleArn, findings),
        Message: messageFor(roleArn, findings, opts.at),
        MessageAttributes: {
          severity: { DataType: 'String', StringValue: topSeverity(findings) },
          roleArn: { DataType: 'String', StringValue: roleArn },
        },
      }),
    ),
  );
  return { published: true, ...(res.MessageId ? { messageId: res.MessageId } : {}) };
}

/** The same, bound to one topic (the shape the application layer's notifier port expects). */
export class SnsNotifier {
  constructor(
    private readonly sns: SNSClient,
    private readonly topicArn: string,
  ) {}

  publishFindings(roleArn: string, findings: Finding[], opts: PublishOptions = {}): Promise<PublishResult> {
    return publishFindings(this.sns, this.topicArn, roleArn, findings, opts);
  }
}
