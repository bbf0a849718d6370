// Helpers to read a packaged CloudFormation template in the infra tests: resources by type, the IAM
// statements each role ends up with (inline + attached managed policies), and references.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../support/corpus.js';

export type Json = unknown;
export interface Resource {
  Type: string;
  Condition?: string;
  DependsOn?: string | string[];
  Properties: Record<string, Json>;
}
export interface Template {
  Resources: Record<string, Resource>;
  Parameters?: Record<string, Json>;
  Conditions?: Record<string, Json>;
}
export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: Json;
  NotResource?: Json;
  Condition?: Record<string, Record<string, Json>>;
}

export const run = promisify(execFile);

/** `serverless package` into `outDir`, offline and without AWS credentials, with this process's Node (22). */
export async function packageService(outDir: string): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_SESSION_TOKEN: '' };
  delete env.AWS_PROFILE;
  const sls = join(repoRoot, 'node_modules/osls/bin/serverless.js');
  // stdin must not be a TTY/pipe left open: the framework waits on it otherwise.
  const child = run(process.execPath, [sls, 'package', '--package', outDir], { cwd: repoRoot, env, timeout: 200_000, maxBuffer: 32 << 20 });
  child.child.stdin?.end();
  await child;
}

export const ofType = (t: Template, type: string) => Object.entries(t.Resources).filter(([, r]) => r.Type === type);

export const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export const getAtt = (logicalId: string, attr = 'Arn') => ({ 'Fn::GetAtt': [logicalId, attr] });

/** Logical id of the role behind `Role: { Fn::Sub: '${X.Arn}' }` or `{ Fn::GetAtt: [X, Arn] }`. */
export function roleOf(fn: Resource): string | undefined {
  const role = fn.Properties.Role as Record<string, Json>;
  const sub = role?.['Fn::Sub'];
  if (typeof sub === 'string') return /^\$\{(\w+)\.Arn\}$/.exec(sub)?.[1];
  const att = role?.['Fn::GetAtt'];
  return Array.isArray(att) ? String(att[0]) : undefined;
}

function refsIn(value: Json): string[] {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (value && typeof value === 'object') {
    const o = value as Record<string, Json>;
    if (typeof o.Ref === 'string') return [o.Ref];
    return Object.values(o).flatMap(refsIn);
  }
  return [];
}

/** Every statement a role gets: its inline policies, plus the managed policies it attaches (also under Fn::If). */
export function statementsOf(t: Template, roleId: string): Statement[] {
  const role = t.Resources[roleId];
  if (!role) throw new Error(`no role ${roleId}`);
  const inline = asList(role.Properties.Policies as Array<{ PolicyDocument: { Statement: Statement[] } }>).flatMap((p) =>
    asList(p.PolicyDocument.Statement),
  );
  const managed = refsIn(role.Properties.ManagedPolicyArns)
    .map((id) => t.Resources[id])
    .filter((r): r is Resource => r?.Type === 'AWS::IAM::ManagedPolicy')
    .flatMap((r) => asList((r.Properties.PolicyDocument as { Statement: Statement[] }).Statement));
  return [...inline, ...managed];
}

export const actionsOf = (s: Statement) => asList(s.Action);

/** IAM actions that change something (everything but reads). */
export const isIamWrite = (action: string) => /^iam:/i.test(action) && !/^iam:(Get|List|Generate|Simulate)/i.test(action);

/** Parameter values: the overrides given, else each parameter's Default. */
function parameterValues(t: Template, overrides: Record<string, string>): Record<string, string> {
  const params = (t.Parameters ?? {}) as Record<string, { Default?: unknown }>;
  const values = Object.fromEntries(Object.entries(params).map(([k, p]) => [k, String(p.Default ?? '')]));
  for (const k of Object.keys(overrides)) if (!(k in params)) throw new Error(`no parameter ${k}`);
  return { ...values, ...overrides };
}

/** Evaluates every Condition of the template (Fn::Equals / Not / And / Or over parameter Refs and other Conditions). */
export function evaluateConditions(t: Template, overrides: Record<string, string> = {}): Record<string, boolean> {
  const params = parameterValues(t, overrides);
  const defs = (t.Conditions ?? {}) as Record<string, Json>;
  const done: Record<string, boolean> = {};
  const scalar = (v: Json): string => {
    if (typeof v === 'string') return v;
    const ref = (v as { Ref?: string })?.Ref;
    if (ref !== undefined && ref in params) return params[ref]!;
    if (ref === 'AWS::Region') return 'eu-west-1';
    throw new Error(`cannot evaluate ${JSON.stringify(v)} in a condition`);
  };
  const evalCond = (c: Json): boolean => {
    const o = c as Record<string, Json>;
    if (typeof o.Condition === 'string') return byName(o.Condition);
    if (o['Fn::Equals']) {
      const [a, b] = o['Fn::Equals'] as [Json, Json];
      return scalar(a) === scalar(b);
    }
    if (o['Fn::Not']) return !evalCond((o['Fn::Not'] as Json[])[0]!);
    if (o['Fn::And']) return (o['Fn::And'] as Json[]).every(evalCond);
    if (o['Fn::Or']) return (o['Fn::Or'] as Json[]).some(evalCond);
    throw new Error(`unsupported condition ${JSON.stringify(c)}`);
  };
  const byName = (name: string): boolean => {
    if (!(name in defs)) throw new Error(`no condition ${name}`);
    return (done[name] ??= evalCond(defs[name]!));
  };
  for (const name of Object.keys(defs)) byName(name);
  return done;
}

const NO_VALUE = Symbol('NoValue');

function resolveIfs(value: Json, conds: Record<string, boolean>): Json | typeof NO_VALUE {
  if (Array.isArray(value)) {
    return value.map((v) => resolveIfs(v, conds)).filter((v) => v !== NO_VALUE) as Json[];
  }
  if (value && typeof value === 'object') {
    const o = value as Record<string, Json>;
    if (o.Ref === 'AWS::NoValue') return NO_VALUE;
    if (Array.isArray(o['Fn::If'])) {
      const [name, yes, no] = o['Fn::If'] as [string, Json, Json];
      if (!(name in conds)) throw new Error(`no condition ${name}`);
      return resolveIfs(conds[name] ? yes : no, conds);
    }
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(o)) {
      const r = resolveIfs(v, conds);
      if (r !== NO_VALUE) out[k] = r;
    }
    return out;
  }
  return value;
}

/**
 * The template as CloudFormation would deploy it with these parameter values: resources whose Condition is false are
 * gone, every Fn::If is replaced by its branch and AWS::NoValue removed. Parameters keep their (overridden) values as
 * Default, so Refs to them can be read off the result.
 */
export function deployedAs(t: Template, overrides: Record<string, string> = {}): Template {
  const conds = evaluateConditions(t, overrides);
  const params = parameterValues(t, overrides);
  const resources = Object.fromEntries(
    Object.entries(t.Resources)
      .filter(([, r]) => r.Condition === undefined || conds[r.Condition])
      .map(([id, r]) => [id, resolveIfs(r, conds) as Resource]),
  );
  const parameters = Object.fromEntries(
    Object.entries((t.Parameters ?? {}) as Record<string, Record<string, Json>>).map(([k, p]) => [k, { ...p, Default: params[k] }]),
  );
  return { ...t, Resources: resources, Parameters: parameters, Conditions: {} };
}

/** Logical ids and parameter names an expression refers to (Ref, Fn::GetAtt, and ${X} / ${X.Attr} in Fn::Sub). */
export function referencesIn(value: Json): string[] {
  if (Array.isArray(value)) return value.flatMap(referencesIn);
  if (value && typeof value === 'object') {
    const o = value as Record<string, Json>;
    if (typeof o.Ref === 'string') return [o.Ref];
    if (Array.isArray(o['Fn::GetAtt'])) return [String(o['Fn::GetAtt'][0])];
    const sub = o['Fn::Sub'];
    const text = typeof sub === 'string' ? sub : Array.isArray(sub) ? String(sub[0]) : undefined;
    if (text !== undefined) {
      const vars = [...text.matchAll(/\$\{([^}!]+)\}/g)].map((m) => m[1]!.split('.')[0]!);
      return [...vars, ...(Array.isArray(sub) ? referencesIn(sub[1]) : [])];
    }
    return Object.values(o).flatMap(referencesIn);
  }
  return [];
}
