// Reads task definitions from the JSON shapes people actually have at hand and rejects everything else with a
// message that names the file and the JSON path (and says what to do for CloudFormation templates).
import { InputError } from '../../errors.js';
import type { SourcedTaskDefinition } from '../types.js';
import { findJsonErrorOffset, locate } from './json-location.js';
import { normalizeContainers, normalizeTaskDefinition, typeName } from './normalize.js';

export { normalizeTaskDefinition } from './normalize.js';

const CFN_HINT = 'export the task definition with aws ecs describe-task-definition';

function cloudFormationError(text: string, source: string): InputError {
  const what = text.includes('AWS::ECS::TaskDefinition')
    ? 'this is a CloudFormation template (AWS::ECS::TaskDefinition)'
    : 'this is a CloudFormation template, not a task definition';
  return new InputError(`${what}; ${CFN_HINT}`, source, '$');
}

function looksLikeCloudFormation(text: string): boolean {
  return /AWSTemplateFormatVersion|^\s*Resources\s*:|AWS::ECS::TaskDefinition/m.test(text);
}

function isObj(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Peels one accepted wrapper off `value` and returns the task-definition object with its path. */
function unwrap(value: unknown, source: string, path: string): { td: unknown; path: string } {
  if (!isObj(value)) throw new InputError(`expected a task definition object, got ${typeName(value)}`, source, path);
  // cloud-custodian placebo recordings: {"status_code": 200, "data": {...API response...}}
  if ('status_code' in value && 'data' in value) {
    if (value.status_code !== 200) {
      throw new InputError(`recorded API response has status_code ${String(value.status_code)}`, source, `${path}.status_code`);
    }
    return unwrap(value.data, source, `${path}.data`);
  }
  // describe-task-definition output and the RegisterTaskDefinition response both nest it under taskDefinition.
  if ('taskDefinition' in value && !('containerDefinitions' in value)) {
    return { td: value.taskDefinition, path: `${path}.taskDefinition` };
  }
  if ('Resources' in value || 'AWSTemplateFormatVersion' in value) {
    throw new InputError(`this is a CloudFormation template, not a task definition; ${CFN_HINT}`, source, path);
  }
  // register-task-definition --cli-input-json input and the bare TaskDefinition share their field names.
  return { td: value, path };
}

/** A JSON array of container definitions (Terraform's `container_definitions`, `jsonencode`d or in a
 *  `.json` file), not of task definitions: every element has container fields and none has task-definition ones. */
function isContainerArray(value: unknown[]): boolean {
  return (
    value.length > 0 &&
    value.every(
      (v) =>
        isObj(v) &&
        ('image' in v || 'name' in v) &&
        !('containerDefinitions' in v) &&
        !('taskDefinition' in v) &&
        !('status_code' in v) &&
        !('family' in v),
    )
  );
}

/**
 * Parses a file's text into task definitions. Accepts describe-task-definition output, a placebo-recorded
 * response, register-task-definition input, a bare task definition, a RegisterTaskDefinition response, or a JSON
 * array of any of these. Throws InputError (source + JSON path) for anything else.
 */
export function parseTaskDefinitions(text: string, source: string): SourcedTaskDefinition[] {
  return parseTaskDefinitionValue(parseJsonText(text, source), source);
}

/** The file's JSON value; invalid JSON (or a CloudFormation template) is an InputError with line and column. */
export function parseJsonText(text: string, source: string): unknown {
  const body = text.replace(/^\uFEFF/, '');
  try {
    return JSON.parse(body);
  } catch (cause) {
    if (looksLikeCloudFormation(body)) throw cloudFormationError(body, source);
    const at = locate(body, findJsonErrorOffset(body) ?? body.length);
    throw new InputError(`invalid JSON at line ${at.line}, column ${at.column}`, source, '$', { cause });
  }
}

/** As parseTaskDefinitions, for a value already parsed (and possibly substituted) from JSON. */
export function parseTaskDefinitionValue(value: unknown, source: string): SourcedTaskDefinition[] {
  if (Array.isArray(value) && value.length === 0) throw new InputError('empty array: no task definitions', source, '$');
  if (Array.isArray(value) && isContainerArray(value)) {
    // One task definition whose role, Region and launch type live elsewhere (the aws_ecs_task_definition resource).
    const taskDefinition = normalizeContainers(value, source);
    return [{ source, taskDefinition, path: '$', containersOnly: true }];
  }
  const items = Array.isArray(value) ? value.map((v, i) => ({ v, p: `$[${i}]` })) : [{ v: value, p: '$' }];
  return items.map(({ v, p }) => {
    const { td, path } = unwrap(v, source, p);
    return { source, taskDefinition: normalizeTaskDefinition(td, source, path), path };
  });
}
