// Small builders for hand-written task definitions and views of an Intent that are easy to assert on.
import type { ContainerDefinition, Intent, SourcedTaskDefinition, TaskDefinition } from '../../../lib/engine/types.js';

export const ACCT = '111122223333';
export const OTHER = '444455556666';
export const ROLE = `arn:aws:iam::${ACCT}:role/exec`;
export const TD_ARN = `arn:aws:ecs:us-east-1:${ACCT}:task-definition/app:3`;

/** A task definition in us-east-1, account ACCT (from both ARNs), unless `extra` overrides. */
export function td(containers: ContainerDefinition[], extra: Partial<TaskDefinition> = {}, source = 'td.json'): SourcedTaskDefinition {
  return {
    source,
    taskDefinition: {
      family: 'app',
      revision: 3,
      taskDefinitionArn: TD_ARN,
      executionRoleArn: ROLE,
      ...extra,
      containerDefinitions: containers,
    },
  };
}

/** Sorted `action resource` lines. */
export function pairs(intent: Intent): string[] {
  return intent.requirements.map((r) => `${r.action} ${r.resource}`).sort();
}

export function actions(intent: Intent): string[] {
  return [...new Set(intent.requirements.map((r) => r.action))].sort();
}

export function codes(intent: Intent): string[] {
  return intent.warnings.map((w) => w.code);
}

export function unresolved(intent: Intent): string[] {
  return intent.unresolved.map((l) => `${l.kind} ${l.resource}`).sort();
}

export function find(intent: Intent, action: string, resource: string) {
  return intent.requirements.find((r) => r.action === action && r.resource === resource);
}
