// Entry point of the GitHub Action (action.yml at the repository root): `leash check` on the task definition a
// workflow is about to register, with the inputs the composite action passes as INPUT_* environment variables.
// Annotations go to the log (GitHub shows them on the pull request), the verdict and exit code to $GITHUB_OUTPUT,
// a summary with the statements to add to $GITHUB_STEP_SUMMARY, SARIF to the file asked for. The exit code is
// check's: 0 pass, 1 blocked, 2 bad input or AWS unreadable, 3 cannot tell.
import { appendFileSync, writeFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import { runCheck } from './commands/check.js';
import type { CliIo } from './io.js';
import { reportError } from './main.js';

/** Multi-line inputs: one item per line (or comma-separated), blank lines ignored. */
function items(value: string | undefined, splitCommas = false): string[] {
  return (value ?? '')
    .split(splitCommas ? /[\n,]/ : /\n/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export function checkArgs(env: NodeJS.ProcessEnv): string[] {
  const files = items(env.INPUT_TASK_DEFINITION);
  if (!files.length) throw new InputError('the task-definition input is required', 'action inputs', 'task-definition');
  const args = ['check', '--format', 'github'];
  if (env.INPUT_ROLE?.trim()) args.push('--role', env.INPUT_ROLE.trim());
  for (const p of items(env.INPUT_POLICIES)) args.push('--policy', p);
  for (const v of items(env.INPUT_VARS)) args.push('--var', v);
  if (env.INPUT_FAIL_ON?.trim()) args.push('--fail-on', env.INPUT_FAIL_ON.trim());
  if (env.INPUT_ACCOUNT?.trim()) args.push('--account', env.INPUT_ACCOUNT.trim());
  if (env.INPUT_REGION?.trim()) args.push('--region', env.INPUT_REGION.trim());
  if (env.INPUT_SARIF_FILE?.trim()) args.push('--sarif', env.INPUT_SARIF_FILE.trim());
  if (env.INPUT_KMS_LOOKUPS?.trim().toLowerCase() === 'false') args.push('--no-kms');
  return [...args, ...files];
}

/** A value for $GITHUB_OUTPUT: single-line values only (the verdict and codes are). */
function output(env: NodeJS.ProcessEnv, name: string, value: string): void {
  if (env.GITHUB_OUTPUT) appendFileSync(env.GITHUB_OUTPUT, `${name}=${value.replace(/[\r\n]/g, ' ')}\n`);
}

export async function runAction(env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  let argv: string[];
  try {
    argv = checkArgs(env);
  } catch (err) {
    io.stderr.write(`leash action: ${(err as Error).message}\n`);
    output(env, 'exit-code', '2');
    return 2;
  }
  const actionIo: CliIo = { ...io, env, width: 120 };
  let code: number;
  let summary: string | undefined;
  let verdict = 'error';
  try {
    const run = await runCheck(argv.slice(1), actionIo);
    if (!run) return 0;
    io.stdout.write(run.report.github());
    if (run.sarif) writeFileSync(run.sarif, run.report.sarif());
    code = run.result.exitCode;
    verdict = run.result.verdict;
    summary = ['## Leash check', '', run.report.text().split('\n')[0] ?? '', ''].join('\n');
    if (run.result.add)
      summary += `\nAdd to \`${run.result.role ?? 'the role'}\`:\n\n\`\`\`json\n${JSON.stringify(run.result.add, null, 2)}\n\`\`\`\n`;
  } catch (err) {
    code = reportError('check', err, io);
  }
  output(env, 'verdict', verdict);
  output(env, 'exit-code', String(code));
  if (env.INPUT_SARIF_FILE?.trim()) output(env, 'sarif-file', env.INPUT_SARIF_FILE.trim());
  if (summary && env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, summary);
  return code;
}
