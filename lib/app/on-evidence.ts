// Real-time evidence: a CloudTrail denial or an ECS task that stopped. Denials are stored (with a TTL) and the
// role is recomputed so its findings carry them; a denial inside a post-apply watch window triggers rollback.
import { classifyStoppedTask, denialFromCloudTrail, isIgnored, type Denial } from '../engine/evidence/index.js';
import { EventError } from '../errors.js';
import type { RoleIndexPort } from './ports.js';
import { recomputeRole, type RecomputeDeps, type RoleSummary } from './recompute-role.js';

export interface EvidenceDeps extends RecomputeDeps {
  index: RoleIndexPort;
  evidenceStore: { putDenial(d: Denial): Promise<void> };
  /** Post-apply watch: rolls the role back when a denial arrives inside its window. */
  watch?: { onDenial(roleArn: string, denialAt: string): Promise<{ rolledBack: boolean; notice?: string } | undefined> };
}

export interface EvidenceSummary {
  event: string;
  skipped?: string;
  denial?: Denial;
  network?: { service?: string; detail: string };
  rolledBack?: boolean;
  role?: RoleSummary;
}

const idOf = (e: unknown) => String((e as { id?: unknown } | null)?.id ?? 'event');

async function record(event: unknown, denial: Denial, deps: EvidenceDeps): Promise<EvidenceSummary> {
  await deps.evidenceStore.putDenial(denial);
  const watched = await deps.watch?.onDenial(denial.roleArn, denial.at);
  const role = await recomputeRole(denial.roleArn, deps);
  return { event: idOf(event), denial, ...(watched?.rolledBack ? { rolledBack: true } : {}), role };
}

/** An event another rule should have routed elsewhere is rejected (so it reaches the DLQ), not skipped in silence. */
function expectDetailType(event: object, detailType: string): void {
  const got = (event as { 'detail-type'?: unknown })['detail-type'];
  if (got !== detailType)
    throw new EventError(`expected detail-type "${detailType}", got ${JSON.stringify(got)}`, idOf(event), '$.detail-type');
}

export async function onDenialEvent(event: unknown, deps: EvidenceDeps): Promise<EvidenceSummary> {
  if (typeof event !== 'object' || event === null || !('detail' in event)) {
    throw new EventError('expected an EventBridge event with a CloudTrail record in detail', idOf(event), '$.detail');
  }
  expectDetailType(event, 'AWS API Call via CloudTrail');
  const roles = new Set(await deps.index.allRoles());
  const result = denialFromCloudTrail(event, { roles });
  if (isIgnored(result)) return { event: idOf(event), skipped: result.ignored };
  return record(event, result, deps);
}

export async function onTaskStopped(event: unknown, deps: EvidenceDeps): Promise<EvidenceSummary> {
  if (typeof event !== 'object' || event === null || !('detail' in event)) {
    throw new EventError('expected an ECS Task State Change event', idOf(event), '$.detail');
  }
  expectDetailType(event, 'ECS Task State Change');
  const result = classifyStoppedTask(event);
  if (isIgnored(result)) return { event: idOf(event), skipped: result.ignored };
  if (result.kind === 'network') {
    // A network failure (no route to ECR / Secrets Manager / SSM) is not a missing permission: report it as is.
    return { event: idOf(event), network: { ...(result.service ? { service: result.service } : {}), detail: result.detail } };
  }
  if (result.kind === 'other') return { event: idOf(event), skipped: `not a permission failure: ${result.detail}` };
  const roles = await deps.index.allRoles();
  if (!roles.includes(result.denial.roleArn)) {
    // Stop reasons drop the role path; match the indexed role by name.
    const name = result.denial.roleArn.split('/').pop();
    const match = roles.find((r) => r.split('/').pop() === name);
    if (!match)
      return { event: idOf(event), skipped: `role ${result.denial.roleArn} is not an indexed execution role`, denial: result.denial };
    result.denial.roleArn = match;
  }
  return record(event, result.denial, deps);
}
