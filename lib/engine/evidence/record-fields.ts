// Tolerant readers for CloudTrail records and the one attribution rule Leash trusts.
import type { Ignored } from './types.js';

export type Json = Record<string, unknown>;

export function obj(x: unknown): Json | undefined {
  return typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Json) : undefined;
}

/** A non-empty string, or undefined. */
export function str(x: unknown): string | undefined {
  return typeof x === 'string' && x.length > 0 ? x : undefined;
}

export function ignored(why: string): Ignored {
  return { ignored: why };
}

/** An EventBridge envelope (`detail-type` + `detail`) is unwrapped to its CloudTrail record. */
export function unwrapEnvelope(x: Json): Json {
  const detail = obj(x.detail);
  return typeof x['detail-type'] === 'string' && detail ? detail : x;
}

const ROLE_ARN = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:[^/]+\/)*([^/]+)$/;

export interface RoleRef {
  roleArn: string;
  partition: string;
  account: string;
  roleName: string;
}

export function parseRoleArn(arn: string): RoleRef | undefined {
  const m = ROLE_ARN.exec(arn);
  return m ? { roleArn: arn, partition: m[1]!, account: m[2]!, roleName: m[3]! } : undefined;
}

/**
 * The role behind an assumed-role call: `userIdentity.sessionContext.sessionIssuer.arn` and nothing else.
 * The session name is the task ID for both the task role and the execution role, so it cannot tell them apart.
 */
export function issuerRole(record: Json, roles?: Set<string>): RoleRef | Ignored {
  const ui = obj(record.userIdentity);
  if (!ui) return ignored('malformed: no userIdentity object');
  const type = str(ui.type);
  if (type !== 'AssumedRole') return ignored(`identity type ${type ?? '(none)'} is not an assumed role`);
  const issuer = obj(obj(ui.sessionContext)?.sessionIssuer);
  if (!issuer) return ignored('malformed: assumed-role identity without sessionContext.sessionIssuer');
  if (str(issuer.type) !== 'Role') return ignored(`session issuer type ${String(issuer.type)} is not Role`);
  const arn = str(issuer.arn);
  const ref = arn ? parseRoleArn(arn) : undefined;
  if (!ref) return ignored(`malformed: sessionIssuer.arn ${String(issuer.arn)} is not a role ARN`);
  if (roles && !roles.has(ref.roleArn)) return ignored(`role ${ref.roleArn} is not one of the roles asked for`);
  return ref;
}

/** The account that owns the call's resources by default (the caller's account for same-account calls). */
export function recordAccount(record: Json, role: RoleRef): string {
  return str(record.recipientAccountId) ?? str(obj(record.userIdentity)?.accountId) ?? role.account;
}
