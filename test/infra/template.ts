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
