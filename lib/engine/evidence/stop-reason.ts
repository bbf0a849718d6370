// ECS "Task State Change" (STOPPED) text → a permission failure, a network failure, or something else.
// Network failures reaching ECR/Secrets Manager/SSM/Logs look alike at first sight but are not missing
// permissions; telling them apart keeps Leash from "fixing" a role when the VPC is at fault.
//
// The text is free text (`ecs:StopTask --reason` lands verbatim in stoppedReason): this module only classifies
// it. Who the evidence is about comes from authenticated facts (stopped-task.ts), never from the text.
import { parseDenialMessage } from './error-message.js';
import { ignored, obj, parseRoleArn, str } from './record-fields.js';
import type { Denial, DenialKind, Ignored, StopClass } from './types.js';

/** The only stop code that means "the task failed to start", i.e. the agent (not a person) wrote the reason. */
export const FAILED_START_STOP_CODE = 'TaskFailedToStart';

const PERMISSION = /not authorized to perform|AccessDenied|Access to KMS is not allowed/i;
const NETWORK = [
  /i\/o timeout/i,
  /context deadline exceeded/i,
  /no such host/i,
  /connection refused/i,
  /connection reset by peer/i,
  /network is unreachable/i,
  /RequestError: send request failed/i,
  /RequestCanceled: request context canceled/i,
  /Client\.Timeout exceeded/i,
  /request canceled while waiting for connection/i,
  /TLS handshake timeout/i,
  /connection issue between the task and/i,
];
const ASSUMED_ROLE = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/;

interface Context {
  service?: string;
  action?: string;
}

/** What the agent was doing, from the fixed prefixes of its messages. */
function contextOf(text: string): Context {
  if (/Access to KMS is not allowed/i.test(text)) return { service: 'kms', action: 'kms:Decrypt' };
  if (/from asm|secrets ?manager/i.test(text)) return { service: 'secretsmanager', action: 'secretsmanager:GetSecretValue' };
  if (/from ssm\b|secrets from ssm/i.test(text)) return { service: 'ssm', action: 'ssm:GetParameters' };
  if (/ecr registry auth|registry auth from Amazon ECR/i.test(text)) return { service: 'ecr', action: 'ecr:GetAuthorizationToken' };
  if (/logger args|log stream/i.test(text)) return { service: 'logs', action: 'logs:CreateLogStream' };
  if (/log group/i.test(text)) return { service: 'logs', action: 'logs:CreateLogGroup' };
  if (/CannotPull(ECR)?ContainerError|pull image manifest/i.test(text)) return { service: 'ecr' };
  if (/environment ?files?|envfile/i.test(text)) return { service: 's3', action: 's3:GetObject' };
  return {};
}

function serviceOfHost(host: string): string {
  const h = host.toLowerCase();
  if (/(^|\.)(api\.)?ecr(-fips)?\./.test(h) || h.includes('.dkr.ecr.')) return 'ecr';
  if (/(^|\.)s3[.-]/.test(h) || h.startsWith('s3.')) return 's3';
  const first = h.split('.')[0]!;
  if (['secretsmanager', 'ssm', 'logs', 'kms', 'sts'].includes(first.replace(/-fips$/, ''))) return first.replace(/-fips$/, '');
  return h;
}

function networkService(text: string): string | undefined {
  const url = /https?:\/\/([a-z0-9.-]+)/i.exec(text);
  if (url) return serviceOfHost(url[1]!);
  const host = /lookup ([a-z0-9.-]+\.amazonaws\.com)/i.exec(text);
  if (host) return serviceOfHost(host[1]!);
  return contextOf(text).service;
}

/** What a stop text is, before anyone asks whom it is about. */
export type StopText =
  { kind: 'permission'; text: string } | { kind: 'network'; service?: string; detail: string } | { kind: 'other'; detail: string };

/** Classifies the stoppedReason and container reasons (in that order); a permission failure wins over a network one. */
export function classifyStopTexts(reasons: string[]): StopText {
  const permission = reasons.find((t) => PERMISSION.test(t));
  if (permission) return { kind: 'permission', text: permission };
  const network = reasons.find((t) => NETWORK.some((re) => re.test(t)));
  if (network) {
    const service = networkService(network);
    return service ? { kind: 'network', service, detail: network } : { kind: 'network', detail: network };
  }
  return { kind: 'other', detail: reasons.join('; ') };
}

/** Details a permission text gives: action, resource, which policy refused. Never who was refused. */
export interface PermissionDetails {
  action?: string;
  resource?: string;
  kind: DenialKind;
  errorCode: string;
  truncated: boolean;
  /** The principal the text names (free text: a claim, not a fact). */
  claimedPrincipal?: string;
}

export function permissionDetails(text: string): PermissionDetails {
  // ECS shortens long reasons with "..."; no byte cap applies here.
  const parsed = parseDenialMessage(text, Number.POSITIVE_INFINITY);
  const ctx = contextOf(text);
  const out: PermissionDetails = {
    kind: parsed.kind,
    errorCode: /AccessDeniedException/.test(text) ? 'AccessDeniedException' : 'AccessDenied',
    truncated: parsed.truncated,
  };
  const action = parsed.action ?? ctx.action;
  if (action) out.action = action;
  const secret = /failed to fetch secret (arn:\S+) from secrets manager/i.exec(text)?.[1];
  const resource = parsed.resource ?? (action === 'secretsmanager:GetSecretValue' ? secret : undefined);
  if (resource) out.resource = resource;
  if (parsed.principal) out.claimedPrincipal = parsed.principal;
  return out;
}

/** The texts of a stopped task: stoppedReason, then each container's reason. */
export function stopTexts(detail: Record<string, unknown>): string[] {
  const texts = [str(detail.stoppedReason)];
  for (const c of Array.isArray(detail.containers) ? detail.containers : []) texts.push(str(obj(c)?.reason));
  return texts.filter((t): t is string => t !== undefined);
}

/**
 * @deprecated Attributes the denial to the role the free text names (same account as the event only): kept only
 * until the task-stopped use case calls `authenticateStoppedTask` (stopped-task.ts), which attributes a denial to
 * the task definition's own execution role. Only `TaskFailedToStart` stops are classified at all: any other stop
 * code (UserInitiated is what `ecs:StopTask --reason` produces) is "other".
 *
 * Accepts the EventBridge event (`detail-type: ECS Task State Change`) or a bare task (its `detail`, or a
 * DescribeTasks task). Only STOPPED tasks are classified.
 */
export function classifyStoppedTask(event: unknown): StopClass | Ignored {
  const e = obj(event);
  if (!e) return ignored('malformed: event is not a JSON object');
  const detailType = e['detail-type'];
  if (detailType !== undefined && detailType !== 'ECS Task State Change') {
    return ignored(`detail-type ${String(detailType)} is not ECS Task State Change`);
  }
  const detail = detailType === undefined ? e : obj(e.detail);
  if (!detail) return ignored('malformed: no detail object');
  if (detail.lastStatus !== 'STOPPED') return ignored(`lastStatus ${String(detail.lastStatus)} is not STOPPED`);
  const reasons = stopTexts(detail);
  if (reasons.length === 0) return ignored('stopped task without stoppedReason or container reasons');
  const stopCode = str(detail.stopCode);
  if (stopCode !== FAILED_START_STOP_CODE) {
    return { kind: 'other', detail: `stop code ${stopCode ?? '(none)'} is not ${FAILED_START_STOP_CODE}: ${reasons.join('; ')}` };
  }
  const c = classifyStopTexts(reasons);
  if (c.kind !== 'permission') return c;
  const at = str(detail.stoppedAt) ?? str(e.time) ?? str(detail.updatedAt);
  if (!at) return ignored('malformed: permission failure without stoppedAt/time');
  const taskArn = str(detail.taskArn);
  const region = str(e.region) ?? /^arn:[^:]+:ecs:([^:]+):/.exec(taskArn ?? '')?.[1];
  const account = str(e.account) ?? /^arn:[^:]+:ecs:[^:]*:(\d{12}):/.exec(taskArn ?? '')?.[1];
  const details = permissionDetails(c.text);
  const role = claimedRole(details.claimedPrincipal);
  // Text from one account is never evidence about a role in another.
  if (role && account && role.account !== account) {
    return { kind: 'other', detail: `untrusted: the reason names a role in account ${role.account}, the task runs in ${account}` };
  }
  const d: Denial = {
    roleArn: role?.roleArn ?? '',
    kind: details.kind,
    errorCode: details.errorCode,
    errorMessage: c.text,
    at,
    source: 'stop-reason',
  };
  if (details.action) d.action = details.action;
  if (details.resource) d.resource = details.resource;
  if (region) d.region = region;
  if (taskArn) d.taskArn = taskArn;
  if (details.truncated) d.truncated = true;
  if (role?.pathUnknown) d.rolePathUnknown = true;
  return { kind: 'permission', denial: d };
}

function claimedRole(principal: string | undefined): { roleArn: string; account: string; pathUnknown: boolean } | undefined {
  const m = principal ? ASSUMED_ROLE.exec(principal) : null;
  if (m) {
    const [, partition, account, name] = m;
    // assumed-role ARNs carry the role name only: the path (role/<path>/<name>) is lost.
    return { roleArn: `arn:${partition}:iam::${account}:role/${name}`, account: account!, pathUnknown: true };
  }
  const ref = principal ? parseRoleArn(principal) : undefined;
  return ref ? { roleArn: ref.roleArn, account: ref.account, pathUnknown: false } : undefined;
}
