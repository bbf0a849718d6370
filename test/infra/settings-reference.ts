// Reads docs/settings.md (the settings reference) and the LEASH_* variables the code reads, for the tests that keep
// the reference, the code, serverless.yml and the packaged template in agreement.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from '../support/corpus.js';

export const FUNCTION_KEYS = ['taskDefinitionChange', 'iamChange', 'denial', 'taskStopped', 'reconcile', 'remediate', 'approvals', 'watch'];

export interface VariableRow {
  variable: string;
  /** A serverless param name, or how the variable is set otherwise. */
  source: { param: string } | 'stack' | 'local';
  default: string;
  /** serverless function keys whose environment carries the variable ([] for local-only variables). */
  readBy: string[];
}

export interface ParamRow {
  param: string;
  default: string;
}

const cells = (line: string) =>
  line
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((c) => c.trim());
const unquote = (cell: string) => /^`([^`]*)`$/.exec(cell)?.[1] ?? cell;

/** The rows of the table whose header row starts with `firstHeader`. */
function table(text: string, firstHeader: string): string[][] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`| ${firstHeader} |`));
  if (start < 0) throw new Error(`docs/settings.md: no table with header "${firstHeader}"`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(cells(line));
  }
  return rows;
}

export function settingsReference(): { variables: VariableRow[]; params: ParamRow[] } {
  const text = readFileSync(join(repoRoot, 'docs/settings.md'), 'utf8');
  const variables = table(text, 'variable').map(([variable, param, def, readBy]) => {
    const p = unquote(param!);
    const source: VariableRow['source'] = p === 'stack' || p === 'local' ? p : { param: p };
    const by = readBy === 'all' ? FUNCTION_KEYS : readBy === 'none' ? [] : readBy!.split(',').map((s) => s.trim());
    for (const fn of by) if (!FUNCTION_KEYS.includes(fn)) throw new Error(`docs/settings.md: ${variable}: unknown function "${fn}"`);
    return { variable: unquote(variable!), source, default: unquote(def!), readBy: by };
  });
  const params = table(text, 'param').map(([param, def]) => ({ param: unquote(param!), default: unquote(def!) }));
  return { variables, params };
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|mjs|js)$/.test(name) ? [path] : [];
  });
}

/**
 * Every LEASH_* environment variable read under lib/ and functions/: `env.X`, `env['X']`, `process.env.X`, or a
 * quoted 'X' handed to a reader (int(env, 'X', …)). Words in comments or heredoc markers (LEASH_POLICY in a
 * Terraform snippet, preceded by `<<-` or spaces) do not count.
 */
export function variablesReadByCode(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const file of [...sourceFiles(join(repoRoot, 'lib')), ...sourceFiles(join(repoRoot, 'functions'))]) {
    const code = readFileSync(file, 'utf8');
    for (const m of code.matchAll(/(?:\benv\??\.|\benv\[['"]|['"`])(LEASH_[A-Z0-9_]+)\b/g)) {
      const where = found.get(m[1]!) ?? [];
      where.push(relative(repoRoot, file));
      found.set(m[1]!, where);
    }
  }
  return found;
}

/** `maxChangesPerWindow` → `MaxChangesPerWindow`: the CloudFormation parameter behind a serverless param. */
export const cfnParameter = (param: string) => param[0]!.toUpperCase() + param.slice(1);
