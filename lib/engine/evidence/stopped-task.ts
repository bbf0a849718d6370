// A stopped task as evidence, authenticated: it is evidence only about its own task definition's execution role
// (a fact the index holds, from ECS's own answer), in the event's own account, and only when the task failed to
// start. The stop reason is free text (`ecs:StopTask --reason` writes it verbatim): it supplies details (action,
// resource) of a denial of the authenticated role, never the role. Text that names another principal is untrusted.
import { isAccountId, parseArn } from '../arn.js';
import { claimIsRole, inertText, principalClaims } from './principal-claims.js';
import { ignored, obj, parseRoleArn, str } from './record-fields.js';
import { classifyStopTexts, FAILED_START_STOP_CODE, permissionDetails, stopTexts } from './stop-reason.js';
import type { Denial, Ignored, UntrustedEvidence } from './types.js';

/** The parts of an ECS Task State Change (STOPPED) event that authentication uses. */
export interface StoppedTask {
  /** The event's account (EventBridge sets it; for a bare DescribeTasks task, the task ARN's account). */
  account: string;
  region?: string;
  taskArn?: string;
  taskDefinitionArn: string;
  stopCode?: string;
  at: string;
  /** stoppedReason, then each container's reason: free text. */
  texts: string[];
  /**
   * `overrides.executionRoleArn` as RunTask/StartTask set it (ECS puts the task's overrides in the event): the task
   * then ran with that role, not its task definition's; `null` when the field is there but not a string.
   */
  executionRoleOverride?: string | null;
}

/** What the app knows, from sources an attacker cannot write, when it authenticates a stopped task. */
export interface StoppedTaskFacts {
  /** Accounts Leash is configured to serve. */
  servedAccounts: ReadonlySet<string>;
  /**
   * The execution role of `taskDefinitionArn` as the index holds it (from DescribeTaskDefinition or the
   * RegisterTaskDefinition response): a role ARN; `null` when the task definition has none; `undefined` when the
   * task definition is unknown to the index.
   */
  executionRoleArn: string | null | undefined;
}

export type StoppedTaskEvidence =
  | { kind: 'denial'; denial: Denial }
  | { kind: 'untrusted'; untrusted: UntrustedEvidence }
  | { kind: 'network'; service?: string; detail: string }
  | { kind: 'ignored'; why: string };

const ignore = (why: string): StoppedTaskEvidence => ({ kind: 'ignored', why });

/**
 * Reads the fields authentication needs from the EventBridge event (or a bare DescribeTasks task). The event must
 * be a STOPPED task whose task and task definition ARNs are in the event's account.
 */
export function parseStoppedTask(event: unknown): StoppedTask | Ignored {
  const e = obj(event);
  if (!e) return ignored('malformed: event is not a JSON object');
  const envelope = e['detail-type'] !== undefined;
  if (envelope) {
    if (e['detail-type'] !== 'ECS Task State Change')
      return ignored(`detail-type ${String(e['detail-type'])} is not ECS Task State Change`);
    if (e.source !== 'aws.ecs') return ignored(`source ${String(e.source)} is not aws.ecs`);
  }
  const detail = envelope ? obj(e.detail) : e;
  if (!detail) return ignored('malformed: no detail object');
  if (detail.lastStatus !== 'STOPPED') return ignored(`lastStatus ${String(detail.lastStatus)} is not STOPPED`);
  const taskArn = str(detail.taskArn);
  const task = taskArn ? parseArn(taskArn) : undefined;
  const account = envelope ? str(e.account) : task?.account;
  if (!isAccountId(account)) return ignored(`malformed: event account ${JSON.stringify(account ?? null)} is not an account ID`);
  if (taskArn && (task?.service !== 'ecs' || task.account !== account)) {
    return ignored(`task ${taskArn} is not an ECS task of account ${account}`);
  }
  const taskDefinitionArn = str(detail.taskDefinitionArn);
  if (!taskDefinitionArn) return ignored('malformed: no taskDefinitionArn');
  const at = str(detail.stoppedAt) ?? str(e.time) ?? str(detail.updatedAt);
  if (!at || Number.isNaN(Date.parse(at))) return ignored('malformed: no valid stoppedAt/time');
  const region = str(e.region) ?? task?.region;
  const out: StoppedTask = { account, taskDefinitionArn, at, texts: stopTexts(detail) };
  if (region) out.region = region;
  if (taskArn) out.taskArn = taskArn;
  const stopCode = str(detail.stopCode);
  if (stopCode) out.stopCode = stopCode;
  const overrides = obj(detail.overrides);
  if (overrides && overrides.executionRoleArn !== undefined) out.executionRoleOverride = str(overrides.executionRoleArn) ?? null;
  return out;
}

/** An override naming the task definition's own role (by ARN, or by name in its account) changes nothing. */
function sameExecutionRole(override: string | null, role: string): boolean {
  if (override === null) return false;
  if (override === role) return true;
  const ref = parseRoleArn(role);
  return ref !== undefined && !override.includes(':') && !override.includes('/') && override === ref.roleName;
}

function untrusted(task: StoppedTask, why: string, text: string, claims: string[], role?: string): StoppedTaskEvidence {
  const u: UntrustedEvidence = {
    source: 'stop-reason',
    at: task.at,
    account: task.account,
    taskDefinitionArn: task.taskDefinitionArn,
    claimed: claims.map((c) => inertText(c, 200)),
    why,
    text: inertText(text),
  };
  if (task.taskArn) u.taskArn = task.taskArn;
  if (task.stopCode) u.stopCode = task.stopCode;
  if (role) u.authenticatedRole = role;
  return { kind: 'untrusted', untrusted: u };
}

/**
 * Decides what a stopped task is evidence of. A `denial` is always of `facts.executionRoleArn` (the text gives only
 * its action and resource); `untrusted` when the text claims another principal, or claims a denial on a stop that
 * is not a failed start; `network` for a failed start that could not reach a service; `ignored` otherwise.
 */
export function authenticateStoppedTask(task: StoppedTask, facts: StoppedTaskFacts): StoppedTaskEvidence {
  if (!facts.servedAccounts.has(task.account)) return ignore(`account ${task.account} is not served by Leash`);
  const td = parseArn(task.taskDefinitionArn);
  if (!td || td.service !== 'ecs' || !td.resource.startsWith('task-definition/')) {
    return ignore(`${task.taskDefinitionArn} is not a task definition ARN`);
  }
  if (td.account !== task.account) {
    return ignore(`task definition ${task.taskDefinitionArn} is not in the event's account ${task.account}`);
  }
  if (task.region && td.region !== task.region) {
    return ignore(`task definition ${task.taskDefinitionArn} is not in the event's region ${task.region}`);
  }
  if (task.texts.length === 0) return ignore('stopped task without stoppedReason or container reasons');
  const c = classifyStopTexts(task.texts);
  const role = facts.executionRoleArn ?? undefined;

  if (task.stopCode !== FAILED_START_STOP_CODE) {
    const code = task.stopCode ?? '(none)';
    if (c.kind !== 'permission') return ignore(`stop code ${code} is not ${FAILED_START_STOP_CODE}`);
    // A person (or anything with ecs:StopTask) wrote this reason: record the attempt, believe nothing.
    const { claims } = principalClaims(c.text);
    return untrusted(task, `stop code ${code}: only ${FAILED_START_STOP_CODE} is evidence; this reason is free text`, c.text, claims, role);
  }
  if (c.kind === 'network')
    return c.service ? { kind: 'network', service: c.service, detail: c.detail } : { kind: 'network', detail: c.detail };
  if (c.kind === 'other') return ignore(`not a permission failure: ${inertText(c.detail, 300)}`);

  const { claims, disguised } = principalClaims(c.text);
  if (facts.executionRoleArn === undefined) {
    return ignore(`task definition ${task.taskDefinitionArn} is not in the index: its execution role is unknown`);
  }
  if (role === undefined) {
    // No execution role: whatever failed is not an execution-role permission.
    return claims.length > 0
      ? untrusted(task, 'the task definition has no execution role, yet the text names a principal', c.text, claims)
      : ignore(`task definition ${task.taskDefinitionArn} has no execution role`);
  }
  const ref = parseRoleArn(role);
  if (!ref || ref.account !== task.account || ref.partition !== td.partition) {
    return ignore(`execution role ${role} is not a role of account ${task.account} in partition ${td.partition}`);
  }
  if (task.executionRoleOverride !== undefined && !sameExecutionRole(task.executionRoleOverride, role)) {
    // RunTask --overrides executionRoleArn: the failure is about the override role, whose intent is not this task
    // definition's, and not about the role the index holds (whose plan would otherwise be rolled back for it).
    return ignore(
      `the task ran with the execution role override ${inertText(String(task.executionRoleOverride), 200)}, not its task definition's ${role}`,
    );
  }
  const details = permissionDetails(c.text);
  const cut = details.truncated;
  const others = claims.filter((claim) => !claimIsRole(claim, role, cut));
  if (disguised || others.length > 0) {
    const why = disguised
      ? 'the text names a principal in disguise (look-alike or invisible characters)'
      : `the text names ${others.length === 1 ? 'a principal' : 'principals'} other than the task definition's execution role`;
    return untrusted(task, why, c.text, claims, role);
  }
  const d: Denial = {
    roleArn: role,
    kind: details.kind,
    errorCode: details.errorCode,
    errorMessage: inertText(c.text),
    at: task.at,
    source: 'stop-reason',
  };
  if (details.action) d.action = details.action;
  if (details.resource) d.resource = details.resource;
  d.region = td.region;
  if (task.taskArn) d.taskArn = task.taskArn;
  if (details.truncated) d.truncated = true;
  return { kind: 'denial', denial: d };
}
