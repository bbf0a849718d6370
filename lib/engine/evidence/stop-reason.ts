// ECS "Task State Change" (STOPPED) → a permission denial, a network failure, or something else.
// Network failures reaching ECR/Secrets Manager/SSM/Logs look alike at first sight but are not missing
// permissions; telling them apart keeps Leash from "fixing" a role when the VPC is at fault.
import { parseDenialMessage } from './error-message.js';
import { ignored, obj, parseRoleArn, str, type Json } from './record-fields.js';
import type { Denial, Ignored, StopClass } from './types.js';

export interface StopOptions {
  /** The task's execution role, when the caller knows it: restores the role path, names the role when the message does not. */
  executionRoleArn?: string;
}

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

function roleFrom(principal: string | undefined, opts: StopOptions | undefined): { roleArn: string; pathUnknown: boolean } {
  const known = opts?.executionRoleArn ? parseRoleArn(opts.executionRoleArn) : undefined;
  const m = principal ? ASSUMED_ROLE.exec(principal) : null;
  if (m) {
    const [, partition, account, name] = m;
    if (known && known.roleName === name && known.account === account) return { roleArn: known.roleArn, pathUnknown: false };
    // assumed-role ARNs carry the role name only: the path (role/<path>/<name>) is lost.
    return { roleArn: `arn:${partition}:iam::${account}:role/${name}`, pathUnknown: true };
  }
  if (principal && parseRoleArn(principal)) return { roleArn: principal, pathUnknown: false };
  return { roleArn: known?.roleArn ?? '', pathUnknown: false };
}

function permissionDenial(text: string, detail: Json, at: string, region: string | undefined, opts?: StopOptions): Denial {
  // ECS shortens long reasons with "..."; no byte cap applies here.
  const parsed = parseDenialMessage(text, Number.POSITIVE_INFINITY);
  const ctx = contextOf(text);
  const role = roleFrom(parsed.principal, opts);
  const d: Denial = {
    roleArn: role.roleArn,
    kind: parsed.kind,
    errorCode: /AccessDeniedException/.test(text) ? 'AccessDeniedException' : 'AccessDenied',
    errorMessage: text,
    at,
    source: 'stop-reason',
  };
  const action = parsed.action ?? ctx.action;
  if (action) d.action = action;
  const secret = /failed to fetch secret (arn:\S+) from secrets manager/i.exec(text)?.[1];
  const resource = parsed.resource ?? (action === 'secretsmanager:GetSecretValue' ? secret : undefined);
  if (resource) d.resource = resource;
  if (region) d.region = region;
  const taskArn = str(detail.taskArn);
  if (taskArn) d.taskArn = taskArn;
  if (parsed.truncated) d.truncated = true;
  if (role.pathUnknown) d.rolePathUnknown = true;
  return d;
}

/**
 * Accepts the EventBridge event (`detail-type: ECS Task State Change`) or a bare task (its `detail`, or a
 * DescribeTasks task). Only STOPPED tasks are classified.
 */
export function classifyStoppedTask(event: unknown, opts?: StopOptions): StopClass | Ignored {
  const e = obj(event);
  if (!e) return ignored('malformed: event is not a JSON object');
  const detailType = e['detail-type'];
  if (detailType !== undefined && detailType !== 'ECS Task State Change') {
    return ignored(`detail-type ${String(detailType)} is not ECS Task State Change`);
  }
  const detail = detailType === undefined ? e : obj(e.detail);
  if (!detail) return ignored('malformed: no detail object');
  if (detail.lastStatus !== 'STOPPED') return ignored(`lastStatus ${String(detail.lastStatus)} is not STOPPED`);
  const texts = [str(detail.stoppedReason)];
  for (const c of Array.isArray(detail.containers) ? detail.containers : []) texts.push(str(obj(c)?.reason));
  const reasons = texts.filter((t): t is string => t !== undefined);
  if (reasons.length === 0) return ignored('stopped task without stoppedReason or container reasons');

  const permission = reasons.find((t) => PERMISSION.test(t));
  if (permission) {
    const at = str(detail.stoppedAt) ?? str(e.time) ?? str(detail.updatedAt);
    if (!at) return ignored('malformed: permission failure without stoppedAt/time');
    const region = str(e.region) ?? /^arn:[^:]+:ecs:([^:]+):/.exec(str(detail.taskArn) ?? '')?.[1];
    return { kind: 'permission', denial: permissionDenial(permission, detail, at, region, opts) };
  }
  const network = reasons.find((t) => NETWORK.some((re) => re.test(t)));
  if (network) {
    const service = networkService(network);
    return service ? { kind: 'network', service, detail: network } : { kind: 'network', detail: network };
  }
  return { kind: 'other', detail: reasons.join('; ') };
}
