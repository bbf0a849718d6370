// What each function's summary line says and which metrics it emits: counts, ids, outcomes, role ARNs and plan-hash
// prefixes only (never bodies, tokens, signatures, secrets or finding details beyond their kind and severity).
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { MessageOutcome } from '../app/on-remediation-message.js';
import type { EvidenceSummary } from '../app/on-evidence.js';
import type { ReconcileSummary } from '../app/reconcile.js';
import type { RoleSummary } from '../app/recompute-role.js';
import { TICKET_FAILED } from '../app/tickets.js';
import type { Severity } from '../engine/types.js';
import { eventAge, type Measure, type Report } from './lambda.js';

const SEVERITIES: Severity[] = ['urgent', 'review', 'info'];

/** The metric (namespace Leash) the tracker-unavailable alarm watches. */
export const TRACKER_UNAVAILABLE_METRIC = 'TrackerUnavailable';
/** The metric the snapshot-tampered alarm watches: a rollback refused a stored state that fails its hash. */
export const SNAPSHOT_TAMPERED_METRIC = 'SnapshotTampered';

function roles(list: RoleSummary[] = []) {
  return list.map((r) => ({ role: r.roleArn, findings: r.findings.length, changed: r.changed }));
}

/** Findings by severity, for the roles whose finding set changed (what was just announced). */
function findingMeasures(list: RoleSummary[] = []): Measure[] {
  const changed = list.filter((r) => r.changed).flatMap((r) => r.findings);
  return SEVERITIES.map((severity) => ({
    name: 'Findings',
    value: changed.filter((f) => f.severity === severity).length,
    dimensions: { severity },
  })).filter((m) => m.value > 0);
}

export function pipelineReport(
  result: { event: string; skipped?: string; taskDefinitions?: string[]; roles: RoleSummary[] },
  event: unknown,
): Report {
  return {
    log: {
      event: result.event,
      ...(result.skipped ? { skipped: result.skipped } : {}),
      ...(result.taskDefinitions ? { taskDefinitions: result.taskDefinitions.length } : {}),
      roles: roles(result.roles),
    },
    measures: [...eventAge(event), ...findingMeasures(result.roles)],
  };
}

export function evidenceReport(result: EvidenceSummary, event: unknown): Report {
  return {
    log: {
      event: result.event,
      ...(result.skipped ? { skipped: result.skipped.slice(0, 200) } : {}),
      ...(result.denial ? { denial: { role: result.denial.roleArn, action: result.denial.action, kind: result.denial.kind } } : {}),
      ...(result.network ? { network: result.network.service ?? 'unknown' } : {}),
      // Untrusted text is logged by what it claimed and why it was refused, never verbatim.
      ...(result.untrusted ? { untrusted: { account: result.untrusted.account, why: result.untrusted.why.slice(0, 200) } } : {}),
      ...(result.watch ? { watch: result.watch.notice?.slice(0, 300) } : {}),
      roles: roles(result.role ? [result.role] : []),
    },
    measures: [...eventAge(event), ...findingMeasures(result.role ? [result.role] : [])],
  };
}

export function reconcileReport(results: ({ account: string } & ReconcileSummary)[]): Report {
  return {
    log: {
      accounts: results.map((r) => ({
        account: r.account,
        complete: r.complete,
        described: r.cursor.described,
        failed: r.cursor.failedCount ?? r.cursor.failed.length,
        roles: r.roles.length,
        ...(r.evidence ? { evidence: 'error' in r.evidence ? { error: r.evidence.error.slice(0, 300) } : r.evidence } : {}),
      })),
    },
  };
}

const OUTCOME_METRIC: Partial<Record<MessageOutcome['outcome'], string>> = {
  'approval-requested': 'Plans',
  applied: 'Applies',
  'rolled-back': 'Rollbacks',
  deferred: 'Deferrals',
};

export function remediationReport(result: { batchItemFailures: { itemIdentifier: string }[]; outcomes: MessageOutcome[] }): Report {
  const measures: Measure[] = result.outcomes.flatMap((o) =>
    OUTCOME_METRIC[o.outcome] ? [{ name: OUTCOME_METRIC[o.outcome]!, value: 1 }] : [],
  );
  if (result.batchItemFailures.length) measures.push({ name: 'FailedMessages', value: result.batchItemFailures.length });
  // Alarmed in infra/fragments/alarms.yml: a ticket could not be written because the tracker's token failed.
  const ticketFailed = result.outcomes.filter((o) => 'warnings' in o && o.warnings?.some((w) => w.code === TICKET_FAILED)).length;
  if (ticketFailed) measures.push({ name: TRACKER_UNAVAILABLE_METRIC, value: ticketFailed });
  const tampered = result.outcomes.filter((o) => o.outcome === 'tampered').length;
  if (tampered) measures.push({ name: SNAPSHOT_TAMPERED_METRIC, value: tampered });
  return {
    log: {
      outcomes: result.outcomes.map((o) => ({
        role: o.roleArn,
        outcome: o.outcome,
        ...('plan' in o && o.plan ? { plan: o.plan.planHash.slice(0, 12) } : {}),
        ...(o.outcome === 'ticket' ? { ticket: o.why.split(':')[0] } : {}),
      })),
      failed: result.batchItemFailures.map((f) => f.itemIdentifier),
    },
    measures,
  };
}

/** The route, outcome, role and plan are logged by the endpoint itself (lib/edge/http-approvals.ts); here the status. */
export function httpReport(result: APIGatewayProxyStructuredResultV2): Report {
  return { log: { statusCode: result.statusCode } };
}

export function watchReport(result: { closed: string[]; retried?: string[] }): Report {
  return { log: { closed: result.closed, retried: result.retried ?? [] } };
}
