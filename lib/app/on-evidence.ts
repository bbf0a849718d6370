// Real-time evidence: a CloudTrail denial or an ECS task that stopped. Denials are stored (with a TTL) and the
// role is recomputed so its findings carry them; a denial inside a post-apply watch window asks for a rollback.
import { roleNameOf } from '../engine/arn.js';
import { classifyStoppedTask, denialFromCloudTrail, isIgnored, type Denial } from '../engine/evidence/index.js';
import { requestRollbackOnDenial } from './apply/watch-window.js';
import type { EvidenceStore, RemediationQueue, RoleIndex, Watches } from './ports.js';
import { recomputeRole, type RecomputeDeps, type RoleSummary } from './recompute-role.js';

export interface EvidenceDeps extends RecomputeDeps {
  index: Pick<RoleIndex, 'allRoles' | 'entriesForRole'>;
  evidence: Pick<EvidenceStore, 'putDenial' | 'forRole'>;
  /** Post-apply watch windows (read only): a denial inside one asks the remediation function to roll back. */
  watches?: Pick<Watches, 'get'>;
  queue?: RemediationQueue;
}

export interface EvidenceSummary {
  event: string;
  skipped?: string;
  denial?: Denial;
  network?: { service?: string; detail: string };
  rolledBack?: boolean;
  role?: RoleSummary;
}

/** An EventBridge event as the edge parsed it: the evidence engine reads the record inside. */
export interface EvidenceEvent {
  id?: string;
  'detail-type': string;
  detail: Record<string, unknown>;
}

async function record(id: string, denial: Denial, deps: EvidenceDeps): Promise<EvidenceSummary> {
  await deps.evidence.putDenial(denial);
  const watched = deps.watches
    ? await requestRollbackOnDenial(denial.roleArn, denial.at, { watches: deps.watches, queue: deps.queue })
    : undefined;
  const role = await recomputeRole(denial.roleArn, deps);
  return { event: id, denial, ...(watched?.rolledBack ? { rolledBack: true } : {}), role };
}

export async function onDenialEvent(event: EvidenceEvent, deps: EvidenceDeps): Promise<EvidenceSummary> {
  const id = event.id ?? 'event';
  const roles = new Set(await deps.index.allRoles());
  const result = denialFromCloudTrail(event, { roles });
  if (isIgnored(result)) return { event: id, skipped: result.ignored };
  return record(id, result, deps);
}

export async function onTaskStopped(event: EvidenceEvent, deps: EvidenceDeps): Promise<EvidenceSummary> {
  const id = event.id ?? 'event';
  const result = classifyStoppedTask(event);
  if (isIgnored(result)) return { event: id, skipped: result.ignored };
  if (result.kind === 'network') {
    // A network failure (no route to ECR / Secrets Manager / SSM) is not a missing permission: report it as is.
    return { event: id, network: { ...(result.service ? { service: result.service } : {}), detail: result.detail } };
  }
  if (result.kind === 'other') return { event: id, skipped: `not a permission failure: ${result.detail}` };
  const roles = await deps.index.allRoles();
  if (!roles.includes(result.denial.roleArn)) {
    // Stop reasons drop the role path; match the indexed role by name.
    const match = roles.find((r) => roleNameOf(r) === roleNameOf(result.denial.roleArn));
    if (!match) return { event: id, skipped: `role ${result.denial.roleArn} is not an indexed execution role`, denial: result.denial };
    result.denial.roleArn = match;
  }
  return record(id, result.denial, deps);
}
