// Evidence vocabulary: what CloudTrail and ECS say a role was denied or used. Kept apart from the shared
// types.ts on purpose; only the fold step turns it into shared `Finding`s.

/** Which policy (type) refused the call, as far as the error message tells. */
export type DenialKind =
  | 'no-identity-policy'
  | 'explicit-deny-identity'
  | 'resource-policy'
  | 'scp'
  | 'permissions-boundary'
  | 'session-policy'
  | 'kms-key-policy'
  | 'vpc-endpoint'
  | 'unknown';

export interface Denial {
  /** The IAM role ARN (from `sessionIssuer.arn`, or rebuilt from an assumed-role ARN for stop reasons). */
  roleArn: string;
  action?: string;
  resource?: string;
  kind: DenialKind;
  errorCode: string;
  errorMessage?: string;
  at: string;
  eventId?: string;
  region?: string;
  source: 'cloudtrail' | 'stop-reason';
  taskArn?: string;
  /** The message hit CloudTrail's 1 KB cap (or was cut) and may lack its tail. */
  truncated?: boolean;
  /** The role ARN was rebuilt from `assumed-role/<name>/…`, which drops the role path: the path is unknown. */
  rolePathUnknown?: boolean;
}

export interface Use {
  roleArn: string;
  action: string;
  resource?: string;
  at: string;
  source: 'cloudtrail' | 'last-accessed';
}

export type StopClass =
  { kind: 'permission'; denial: Denial } | { kind: 'network'; service?: string; detail: string } | { kind: 'other'; detail: string };

/** Why a record was ignored (for tests and logs). */
export type Ignored = { ignored: string };

export function isIgnored(x: unknown): x is Ignored {
  return typeof x === 'object' && x !== null && typeof (x as Ignored).ignored === 'string';
}

/**
 * Evidence Leash refused to believe: free text that names a principal other than the one the facts say the
 * event is about, or a denial-looking text on a stop that was not a failed start. Recorded for people (it may be
 * an attack); never stored as a denial of any role.
 */
export interface UntrustedEvidence {
  source: 'stop-reason';
  at: string;
  /** The account the event came from (EventBridge `account`). */
  account: string;
  taskArn?: string;
  taskDefinitionArn: string;
  stopCode?: string;
  /** The task definition's execution role, as the index knows it (the only role this event can be about). */
  authenticatedRole?: string;
  /** Principals the text names, rendered inert. */
  claimed: string[];
  why: string;
  /** The text, rendered inert (see `inertText`). */
  text: string;
}
