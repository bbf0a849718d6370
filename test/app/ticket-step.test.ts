// The ticket step of a remediation: a tracker whose credentials fail degrades (reported, owners told, a warning the
// metric counts); any other tracker failure is thrown so the message is retried and, failing, dead-lettered.
import { describe, expect, it } from 'vitest';
import type { Tracker } from '../../lib/app/ports.js';
import { TICKET_FAILED, ticketStep } from '../../lib/app/tickets.js';
import { remediationReport } from '../../lib/edge/reports.js';
import { ticketFailureMessage } from '../../lib/engine/notice.js';
import { AdapterError, CredentialsError } from '../../lib/errors.js';
import { FINDINGS, ROLE_ARN } from '../engine/approval/fixtures.js';
import { MemoryNotifier } from '../support/memory/ports.js';

/** A tracker whose every call fails with `err`. */
function failing(err: Error): Tracker {
  const fail = async (): Promise<never> => {
    throw err;
  };
  return { name: 'jira', findOpen: fail, create: fail, update: fail, comment: fail, close: fail };
}

describe('ticketStep', () => {
  it('credentials that fail: tracker-unavailable, the owners told with the findings, a ticket-failed warning', async () => {
    const notifier = new MemoryNotifier();
    const err = new CredentialsError('the Jira API token cannot be read (AccessDeniedException)', 'jira', 'auth');
    const step = await ticketStep({ tracker: failing(err), notifier }, ROLE_ARN, FINDINGS);
    expect(step).toEqual({
      action: 'tracker-unavailable',
      problem: 'jira.auth: the Jira API token cannot be read (AccessDeniedException)',
      warnings: [{ code: TICKET_FAILED, message: 'no jira ticket: jira.auth: the Jira API token cannot be read (AccessDeniedException)' }],
    });
    expect(notifier.ticketFailures).toEqual([
      { roleArn: ROLE_ARN, failure: { tracker: 'jira', problem: step.problem }, findings: FINDINGS },
    ]);
  });

  it('any other failure (outage, timeout, 5xx) is thrown: the message is retried, nobody is told the tracker is down', async () => {
    const notifier = new MemoryNotifier();
    const outage = new AdapterError('HTTP 503: unavailable', 'jira', 'searchJql');
    await expect(ticketStep({ tracker: failing(outage), notifier }, ROLE_ARN, FINDINGS)).rejects.toBe(outage);
    await expect(ticketStep({ tracker: failing(new TypeError('bug')), notifier }, ROLE_ARN, FINDINGS)).rejects.toThrow('bug');
    expect(notifier.ticketFailures).toEqual([]);
  });

  it('no tracker configured: nothing to do, nothing to report', async () => {
    expect(await ticketStep({}, ROLE_ARN, FINDINGS)).toEqual({ action: 'no-tracker', warnings: [] });
  });
});

describe('what is measured and said', () => {
  it('the remediate report counts the ticket-failed outcomes as TrackerUnavailable', () => {
    const warn = { code: TICKET_FAILED, message: 'no jira ticket' };
    const report = remediationReport({
      batchItemFailures: [],
      outcomes: [
        { roleArn: 'a', outcome: 'ticket', why: 'tracker-unavailable: x', warnings: [warn] },
        { roleArn: 'b', outcome: 'ticket', why: 'tracker-unavailable: x', warnings: [{ code: 'mode-tag-invalid', message: '' }, warn] },
        { roleArn: 'c', outcome: 'ticket', why: 'created', warnings: [] },
        { roleArn: 'd', outcome: 'rolled-back', why: 'denial in window' },
      ],
    });
    expect(report.measures).toEqual([
      { name: 'Rollbacks', value: 1 },
      { name: 'TrackerUnavailable', value: 2 },
    ]);
    expect(report.log.outcomes).toContainEqual({ role: 'a', outcome: 'ticket', ticket: 'tracker-unavailable' });
    expect(remediationReport({ batchItemFailures: [], outcomes: [] }).measures).toEqual([]);
  });

  it('the owners’ notice: an SNS-safe subject, what failed, what happens next, the findings', () => {
    const { subject, message } = ticketFailureMessage(
      ROLE_ARN,
      { tracker: 'github', problem: 'github.listIssues: GitHub refused the token (HTTP 401)' },
      FINDINGS,
    );
    expect(subject).toBe('Leash: no GitHub ticket for role ecsTaskExecutionRole-web (tracker unavailable)');
    expect(message.split('\n')[0]).toBe(
      `Leash could not open or update the GitHub ticket for ${ROLE_ARN}: github.listIssues: GitHub refused the token (HTTP 401).`,
    );
    expect(message).toContain('[urgent] missing: secretsmanager:GetSecretValue');
    const long = ticketFailureMessage(`arn:aws:iam::123456789012:role/${'é'.repeat(64)}`, { tracker: 'jira', problem: 'p' }, []);
    expect(long.subject.length).toBeLessThanOrEqual(100);
    expect(long.subject).toMatch(/^[\x20-\x7e]+$/);
  });
});
