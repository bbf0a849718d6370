// What a task-definition or IAM change event (parsed at the edge) is about. Only identifiers are taken from the payload:
// the handlers re-read the current state, because EventBridge delivers at least once and out of order.
import { EventError } from '../../errors.js';
import { isObj, optStr, type ApiCallEvent } from './cloudtrail-event.js';

export type Skip = { skip: string };

export interface TaskDefinitionChange {
  call: ApiCallEvent;
  kind: 'register' | 'deregister' | 'delete';
  /** Task definition ARNs or `family:revision` identifiers named by the call. */
  taskDefinitions: string[];
}

export interface IamChange {
  call: ApiCallEvent;
  eventName: string;
  roleName?: string;
  policyArn?: string;
}

const TD_EVENTS: Record<string, TaskDefinitionChange['kind']> = {
  RegisterTaskDefinition: 'register',
  DeregisterTaskDefinition: 'deregister',
  DeleteTaskDefinitions: 'delete',
};

export const ROLE_EVENTS = new Set([
  'PutRolePolicy',
  'DeleteRolePolicy',
  'AttachRolePolicy',
  'DetachRolePolicy',
  'UpdateAssumeRolePolicy',
  'CreateRole',
  'DeleteRole',
  'TagRole',
  'UntagRole',
  'PutRolePermissionsBoundary',
  'DeleteRolePermissionsBoundary',
]);
export const POLICY_EVENTS = new Set(['CreatePolicyVersion', 'SetDefaultPolicyVersion']);

function skipCommon(call: ApiCallEvent, selfRoleArns: string[]): Skip | undefined {
  if (call.errorCode) return { skip: `failed call (${call.errorCode}) changes nothing` };
  if (call.actorArn && selfRoleArns.includes(call.actorArn)) return { skip: `change made by Leash itself (${call.actorArn})` };
  return undefined;
}

export function taskDefinitionChange(call: ApiCallEvent, selfRoleArns: string[] = []): TaskDefinitionChange | Skip {
  const kind = TD_EVENTS[call.eventName];
  if (!kind) throw new EventError(`not a task definition change: ${call.eventName}`, `event ${call.id}`, '$.detail.eventName');
  const skip = skipCommon(call, selfRoleArns);
  if (skip) return skip;
  const ids: string[] = [];
  if (kind === 'register') {
    const td = call.responseElements.taskDefinition;
    const arn = isObj(td) ? optStr(td, 'taskDefinitionArn') : undefined;
    // The response may be truncated (100 KB cap): fall back to the family, whose latest revision is re-read.
    const family = optStr(call.requestParameters, 'family');
    if (arn) ids.push(arn);
    else if (family) ids.push(family);
  } else if (kind === 'deregister') {
    const id = optStr(call.requestParameters, 'taskDefinition');
    if (id) ids.push(id);
  } else {
    const list = call.requestParameters.taskDefinitions;
    if (Array.isArray(list)) ids.push(...list.filter((x): x is string => typeof x === 'string'));
  }
  if (!ids.length) throw new EventError('names no task definition', `event ${call.id}`, '$.detail.requestParameters');
  return { call, kind, taskDefinitions: ids };
}

export function iamChange(call: ApiCallEvent, selfRoleArns: string[] = []): IamChange | Skip {
  if (!ROLE_EVENTS.has(call.eventName) && !POLICY_EVENTS.has(call.eventName)) {
    return { skip: `IAM event ${call.eventName} does not change a role's permissions` };
  }
  const skip = skipCommon(call, selfRoleArns);
  if (skip) return skip;
  if (POLICY_EVENTS.has(call.eventName)) {
    const policyArn = optStr(call.requestParameters, 'policyArn');
    if (!policyArn) throw new EventError('expected policyArn', `event ${call.id}`, '$.detail.requestParameters.policyArn');
    return { call, eventName: call.eventName, policyArn };
  }
  const roleName = optStr(call.requestParameters, 'roleName');
  if (!roleName) throw new EventError('expected roleName', `event ${call.id}`, '$.detail.requestParameters.roleName');
  return { call, eventName: call.eventName, roleName, policyArn: optStr(call.requestParameters, 'policyArn') };
}

export function isSkip(x: object): x is Skip {
  return 'skip' in x;
}
