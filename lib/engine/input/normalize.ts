// Type-checks the task-definition fields Leash reads and returns a clean TaskDefinition. `null` (as written by
// some exports, e.g. `"secrets": null`) means "absent"; any other wrong type is an InputError with its JSON path.
import { InputError } from '../../errors.js';
import type { ContainerDefinition, LogConfiguration, SecretRef, TaskDefinition } from '../types.js';

type Obj = Record<string, unknown>;

export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class Checker {
  constructor(readonly source: string) {}

  fail(path: string, expected: string, value: unknown): never {
    throw new InputError(`expected ${expected}, got ${typeName(value)}`, this.source, path);
  }

  object(value: unknown, path: string): Obj {
    if (!isObj(value)) this.fail(path, 'an object', value);
    return value;
  }

  optString(value: unknown, path: string): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') this.fail(path, 'a string', value);
    return value;
  }

  optNumber(value: unknown, path: string): number | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number') this.fail(path, 'a number', value);
    return value;
  }

  optArray(value: unknown, path: string): unknown[] | undefined {
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) this.fail(path, 'an array', value);
    return value;
  }

  optStringArray(value: unknown, path: string): string[] | undefined {
    return this.optArray(value, path)?.map((v, i) => {
      if (typeof v !== 'string') this.fail(`${path}[${i}]`, 'a string', v);
      return v;
    });
  }

  optStringMap(value: unknown, path: string): Record<string, string> | undefined {
    if (value === undefined || value === null) return undefined;
    const obj = this.object(value, path);
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(obj)) {
      if (typeof v !== 'string') this.fail(`${path}${member(k)}`, 'a string', v);
      out[k] = v;
    }
    return out;
  }

  optObject(value: unknown, path: string): Obj | undefined {
    if (value === undefined || value === null) return undefined;
    return this.object(value, path);
  }
}

/** `.name` for identifier-like keys, `["awslogs-group"]` otherwise. */
export function member(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/** Sets `key` on `target` only when defined, so normalized objects carry no `undefined` or `null` members. */
function put<T extends object>(target: T, key: string, value: unknown): void {
  const rec = target as Record<string, unknown>;
  if (value === undefined) delete rec[key];
  else rec[key] = value;
}

function secretRefs(c: Checker, value: unknown, path: string): SecretRef[] | undefined {
  return c.optArray(value, path)?.map((item, i) => {
    const p = `${path}[${i}]`;
    const o = c.object(item, p);
    const ref: SecretRef = {};
    put(ref, 'name', c.optString(o.name, `${p}.name`));
    put(ref, 'valueFrom', c.optString(o.valueFrom, `${p}.valueFrom`));
    return ref;
  });
}

function logConfiguration(c: Checker, value: unknown, path: string): LogConfiguration | undefined {
  const o = c.optObject(value, path);
  if (!o) return undefined;
  const out: LogConfiguration = { ...o };
  put(out, 'logDriver', c.optString(o.logDriver, `${path}.logDriver`));
  put(out, 'options', c.optStringMap(o.options, `${path}.options`));
  put(out, 'secretOptions', secretRefs(c, o.secretOptions, `${path}.secretOptions`));
  return out;
}

function container(c: Checker, value: unknown, path: string): ContainerDefinition {
  const o = c.object(value, path);
  const out: ContainerDefinition = { ...o };
  put(out, 'name', c.optString(o.name, `${path}.name`));
  put(out, 'image', c.optString(o.image, `${path}.image`));
  const rc = c.optObject(o.repositoryCredentials, `${path}.repositoryCredentials`);
  if (rc) {
    const creds: { credentialsParameter?: string } = { ...rc };
    put(creds, 'credentialsParameter', c.optString(rc.credentialsParameter, `${path}.repositoryCredentials.credentialsParameter`));
    out.repositoryCredentials = creds;
  } else put(out, 'repositoryCredentials', undefined);
  put(out, 'secrets', secretRefs(c, o.secrets, `${path}.secrets`));
  put(out, 'logConfiguration', logConfiguration(c, o.logConfiguration, `${path}.logConfiguration`));
  put(
    out,
    'environmentFiles',
    c.optArray(o.environmentFiles, `${path}.environmentFiles`)?.map((item, i) => {
      const p = `${path}.environmentFiles[${i}]`;
      const f = c.object(item, p);
      const file: { type?: string; value?: string } = {};
      put(file, 'type', c.optString(f.type, `${p}.type`));
      put(file, 'value', c.optString(f.value, `${p}.value`));
      return file;
    }),
  );
  const fl = c.optObject(o.firelensConfiguration, `${path}.firelensConfiguration`);
  if (fl) {
    const firelens: { type?: string; options?: Record<string, string> } = { ...fl };
    put(firelens, 'type', c.optString(fl.type, `${path}.firelensConfiguration.type`));
    put(firelens, 'options', c.optStringMap(fl.options, `${path}.firelensConfiguration.options`));
    out.firelensConfiguration = firelens;
  } else put(out, 'firelensConfiguration', undefined);
  put(out, 'credentialSpecs', c.optStringArray(o.credentialSpecs, `${path}.credentialSpecs`));
  put(out, 'dockerSecurityOptions', c.optStringArray(o.dockerSecurityOptions, `${path}.dockerSecurityOptions`));
  return out;
}

/** Every container checked, and names unique: ECS refuses a task definition whose container names repeat. */
function containerList(c: Checker, values: unknown[], path: string): ContainerDefinition[] {
  const seen = new Map<string, number>();
  return values.map((v, i) => {
    const out = container(c, v, `${path}[${i}]`);
    if (out.name !== undefined) {
      const first = seen.get(out.name);
      if (first !== undefined) {
        throw new InputError(
          `duplicate container name ${JSON.stringify(out.name)} (also ${path}[${first}].name): ECS rejects task definitions whose container names repeat`,
          c.source,
          `${path}[${i}].name`,
        );
      }
      seen.set(out.name, i);
    }
    return out;
  });
}

/** A bare array of container definitions (Terraform's `container_definitions`) as one task definition. */
export function normalizeContainers(values: unknown[], source: string): TaskDefinition {
  return { containerDefinitions: containerList(new Checker(source), values, '$') };
}

/**
 * Validates an object shaped like an ECS TaskDefinition (from a file, an event or an SDK call: the field names are
 * the same) and returns a normalized copy. Unknown fields are kept as they are.
 */
export function normalizeTaskDefinition(value: unknown, source: string, path = '$'): TaskDefinition {
  const c = new Checker(source);
  const o = c.object(value, path);
  if (o.containerDefinitions === undefined || o.containerDefinitions === null) {
    throw new InputError('not a task definition: it has no containerDefinitions', source, path);
  }
  const containers = c.optArray(o.containerDefinitions, `${path}.containerDefinitions`) ?? [];
  const out: TaskDefinition = {
    ...o,
    containerDefinitions: containerList(c, containers, `${path}.containerDefinitions`),
  };
  put(out, 'family', c.optString(o.family, `${path}.family`));
  put(out, 'revision', c.optNumber(o.revision, `${path}.revision`));
  put(out, 'taskDefinitionArn', c.optString(o.taskDefinitionArn, `${path}.taskDefinitionArn`));
  put(out, 'status', c.optString(o.status, `${path}.status`));
  // Role ARNs keep an explicit null: the type allows it and "no role" is meaningful.
  if (o.executionRoleArn !== null) put(out, 'executionRoleArn', c.optString(o.executionRoleArn, `${path}.executionRoleArn`));
  if (o.taskRoleArn !== null) put(out, 'taskRoleArn', c.optString(o.taskRoleArn, `${path}.taskRoleArn`));
  put(out, 'requiresCompatibilities', c.optStringArray(o.requiresCompatibilities, `${path}.requiresCompatibilities`));
  put(out, 'compatibilities', c.optStringArray(o.compatibilities, `${path}.compatibilities`));
  return out;
}
