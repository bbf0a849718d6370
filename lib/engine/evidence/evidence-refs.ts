// Denials and uses as the shared EvidenceRef, plus the wording findings reuse.
import type { EvidenceRef } from '../types.js';
import type { Denial, DenialKind, Use } from './types.js';

export function denialRef(d: Denial): EvidenceRef {
  const source = d.eventId ? `cloudtrail:${d.eventId}` : d.taskArn ? `ecs-task:${d.taskArn}` : d.source;
  const notes = [d.kind, d.errorCode];
  if (d.region) notes.push(`in ${d.region}`);
  if (d.truncated) notes.push('message truncated');
  if (d.rolePathUnknown) notes.push('role path unknown');
  return {
    kind: d.source === 'stop-reason' ? 'stop-reason' : 'denial',
    at: d.at,
    source,
    detail: `${d.action ?? '(action unknown)'} on ${d.resource ?? '(resource unknown)'}: ${notes.join(', ')}`,
  };
}

export function useRef(u: Use): EvidenceRef {
  return {
    kind: u.source === 'last-accessed' ? 'last-accessed' : 'use',
    at: u.at,
    source: u.source,
    detail: u.resource ? `${u.action} on ${u.resource}` : u.action,
  };
}

export function compareRefs(a: EvidenceRef, b: EvidenceRef): number {
  return cmp(a.at, b.at) || cmp(a.kind, b.kind) || cmp(a.source, b.source) || cmp(a.detail ?? '', b.detail ?? '');
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Denials that an identity-policy change alone cannot fix say so. */
export function kindNote(kind: DenialKind): string | undefined {
  switch (kind) {
    case 'scp':
      return 'denied by a service control policy: the role policy alone cannot fix this';
    case 'permissions-boundary':
      return "denied by the role's permissions boundary: the boundary must allow it too";
    case 'session-policy':
      return 'denied by a session policy';
    case 'resource-policy':
      return 'denied by a resource-based policy (repository, secret or bucket policy): that policy must allow the role';
    case 'kms-key-policy':
      return 'denied by the KMS key policy: the key policy must allow the role (or delegate to IAM)';
    case 'vpc-endpoint':
      return 'denied by a VPC endpoint policy';
    case 'explicit-deny-identity':
      return "explicitly denied by one of the role's identity policies";
    default:
      return undefined;
  }
}
