// Tolerant parser for IAM authorization failure messages ("User: … is not authorized to perform: …").
import type { DenialKind } from './types.js';

export interface ParsedDenialMessage {
  /** The calling principal named by the message (an assumed-role ARN for roles). */
  principal?: string;
  action?: string;
  resource?: string;
  kind: DenialKind;
  /** Cut by CloudTrail's 1 KB cap (or by ECS's stoppedReason limit); the tail may be missing. */
  truncated: boolean;
  /** EC2-style message with an encoded authorization failure (only `sts:DecodeAuthorizationMessage` can read it). */
  encoded: boolean;
}

/** CloudTrail keeps at most 1 KB of errorMessage. */
export const CLOUDTRAIL_MESSAGE_CAP = 1024;

const PRINCIPAL = /\bUser:\s+(arn:\S+?)(?=\s|$)/;
const ACTION = /not authorized to perform:?\s+([a-z0-9-]+:[A-Za-z0-9*]+)/i;
const RESOURCE = /\bon resource:?\s+(\S+)/;
const EXPLICIT =
  /with an explicit deny in (?:an? |the )?(identity-based|resource-based|service control|resource control|permissions boundary|session|vpc endpoint|role trust)\b/i;
const IMPLICIT =
  /because no (identity-based|resource-based|service control|resource control|permissions boundary|session|vpc endpoint)\b(?: polic(?:y|ies))? allows?\b/i;
const CUT_TAIL = /(?:\.\.\.|…)\s*$/;

function kindOf(policyType: string, explicit: boolean, action: string | undefined): DenialKind {
  switch (policyType.toLowerCase()) {
    case 'identity-based':
      return explicit ? 'explicit-deny-identity' : 'no-identity-policy';
    case 'resource-based':
      // KMS key policies are the resource-based policy of a key; they must allow the role themselves.
      return action?.toLowerCase().startsWith('kms:') ? 'kms-key-policy' : 'resource-policy';
    case 'service control':
      return 'scp';
    case 'permissions boundary':
      return 'permissions-boundary';
    case 'session':
      return 'session-policy';
    case 'vpc endpoint':
      return 'vpc-endpoint';
    default:
      // Resource control policies and role trust policies have no kind of their own.
      return 'unknown';
  }
}

function byteLength(s: string): number {
  return new TextEncoder().encode(s).length;
}

/**
 * Parses what the message says. Tokens that end exactly where a cut message ends are dropped (an ARN or
 * action cut in the middle would match the wrong thing), so a truncated message may yield no resource.
 */
export function parseDenialMessage(message: string | undefined, cap = CLOUDTRAIL_MESSAGE_CAP): ParsedDenialMessage {
  if (!message) return { kind: 'unknown', truncated: false, encoded: false };
  const cutMarker = CUT_TAIL.test(message);
  const text = message.replace(CUT_TAIL, '');
  const encoded = /Encoded authorization failure message:/i.test(text);
  const explicit = EXPLICIT.exec(text);
  const implicit = explicit ? null : IMPLICIT.exec(text);
  const clauseStarted = /\b(because no|with an explicit deny)\b/i.test(text);
  const truncated = cutMarker || byteLength(message) >= cap || (clauseStarted && !explicit && !implicit);
  const atEnd = (m: RegExpExecArray | null, group: string): boolean =>
    m !== null && truncated && m.index + m[0].length >= text.length && text.endsWith(group);

  const out: ParsedDenialMessage = { kind: 'unknown', truncated, encoded };
  const p = PRINCIPAL.exec(text);
  if (p) out.principal = p[1];
  const a = ACTION.exec(text);
  if (a && !atEnd(a, a[1]!)) out.action = a[1];
  const r = RESOURCE.exec(text);
  if (r) {
    const resource = r[1]!.replace(/[.,;]+$/, '');
    if (!atEnd(r, r[1]!)) out.resource = resource;
  }
  if (explicit) out.kind = kindOf(explicit[1]!, true, out.action);
  else if (implicit) out.kind = kindOf(implicit[1]!, false, out.action);
  return out;
}
