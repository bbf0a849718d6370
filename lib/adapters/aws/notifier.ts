// Announces a role's findings on SNS (the text is engine/notice.ts), and sends each approver their own approval link.
// Message attributes let subscribers filter (e.g. urgent only, or only their own links). One class, two instances:
// the findings topic's, and the approvals topic's (lib/composition-remediation.ts), which alone carries links.
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { ApprovalLink, Notifier } from '../../app/ports.js';
import { approvalLinkMessage, messageFor, subjectFor, ticketFailureMessage, topSeverity, type TicketFailure } from '../../engine/notice.js';
import type { Finding, Plan } from '../../engine/types.js';
import { call } from './sdk-call.js';

export interface PublishOptions {
  /** Whether the finding set changed; default true (callers normally publish only on change). */
  changed?: boolean;
  at?: string;
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

/** One topic: the findings topic, or (for publishApprovalLink only) the approvals topic. `now` stamps each notice. */
export class SnsNotifier implements Notifier {
  constructor(
    private readonly sns: SNSClient,
    private readonly topicArn: string,
    private readonly now: () => string = () => new Date().toISOString(),
  ) {}

  async publishFindings(roleArn: string, findings: Finding[]): Promise<void> {
    await publishFindings(this.sns, this.topicArn, roleArn, findings, { at: this.now() });
  }

  async publishNotice(notice: { subject: string; message: string; roleArn?: string }): Promise<void> {
    await call('sns', 'Publish', () =>
      this.sns.send(
        new PublishCommand({
          TopicArn: this.topicArn,
          // SNS subjects: printable ASCII, no line breaks, under 100 characters.
          Subject: notice.subject.replace(/[^\x20-\x7e]/g, '?').slice(0, 99),
          Message: notice.message,
          MessageAttributes: {
            kind: { DataType: 'String', StringValue: 'notice' },
            ...(notice.roleArn ? { roleArn: { DataType: 'String', StringValue: notice.roleArn } } : {}),
          },
        }),
      ),
    );
  }

  async publishApprovalLink(plan: Plan, link: ApprovalLink): Promise<void> {
    const { subject, message } = approvalLinkMessage(plan, link);
    await call('sns', 'Publish', () =>
      this.sns.send(
        new PublishCommand({
          TopicArn: this.topicArn,
          Subject: subject,
          Message: message,
          MessageAttributes: {
            kind: { DataType: 'String', StringValue: 'approval-link' },
            approver: { DataType: 'String', StringValue: link.approver },
          },
        }),
      ),
    );
  }

  /** kind=ticket-failed, so subscribers can filter it like the findings notices (by role) or apart from them. */
  async publishTicketFailure(roleArn: string, failure: TicketFailure, findings: Finding[]): Promise<void> {
    const { subject, message } = ticketFailureMessage(roleArn, failure, findings, this.now());
    await call('sns', 'Publish', () =>
      this.sns.send(
        new PublishCommand({
          TopicArn: this.topicArn,
          Subject: subject,
          Message: message,
          MessageAttributes: {
            kind: { DataType: 'String', StringValue: 'ticket-failed' },
            severity: { DataType: 'String', StringValue: topSeverity(findings) },
            roleArn: { DataType: 'String', StringValue: roleArn },
          },
        }),
      ),
    );
  }
}
