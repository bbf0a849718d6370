// The GitHub Action (action.yml): its check step is run as GitHub would run it (the step's env with `${{ inputs.* }}`
// expanded, its `run:` line through bash with GITHUB_ACTION_PATH at the repository), on corpus files.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { leash } from '../support/cli.js';
import { corpusPath, repoRoot } from '../support/corpus.js';

const dir = mkdtempSync(join(tmpdir(), 'leash-action-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ACTION = readFileSync(join(repoRoot, 'action.yml'), 'utf8');
const A12 = corpusPath('task-definitions', 'A12_c7n-placebo_test-delete-definition_2.json');
const MAMIP = corpusPath('managed-policies', 'AmazonECSTaskExecutionRolePolicy.MAMIP.json');

/** Input names and defaults, from the `inputs:` block. */
function inputs(): Map<string, string> {
  const block = ACTION.slice(ACTION.indexOf('\ninputs:\n'), ACTION.indexOf('\noutputs:\n'));
  const out = new Map<string, string>();
  for (const m of block.matchAll(/\n {2}([a-z-]+):\n(?:(?: {4}.*)\n)*?(?: {4}default: '([^']*)')?/g)) out.set(m[1]!, m[2] ?? '');
  return out;
}

/** The check step: its env (name → expression) and its run line. */
function checkStep(): { env: [string, string][]; run: string } {
  const step = ACTION.slice(ACTION.indexOf('      id: check'));
  const env = [...step.matchAll(/\n {8}([A-Z_]+): (\$\{\{ inputs\.[a-z-]+ \}\})/g)].map((m) => [m[1]!, m[2]!] as [string, string]);
  const run = /\n {6}run: (.+)\n?/.exec(step)![1]!;
  return { env, run };
}

let exact: string | undefined;
/** The plan's own policy for A12, as a policy file. */
async function exactPolicy(): Promise<string> {
  if (!exact) {
    const plan = await leash('plan', '--json', A12);
    exact = join(dir, 'exact.json');
    writeFileSync(exact, JSON.stringify((JSON.parse(plan.out) as { policy: unknown }).policy));
  }
  return exact;
}

function runAction(given: Record<string, string>) {
  const defaults = inputs();
  for (const name of Object.keys(given)) expect(defaults.has(name), `input ${name} is declared`).toBe(true);
  const githubOutput = join(dir, `output-${Math.random().toString(36).slice(2)}`);
  const summary = join(dir, `summary-${Math.random().toString(36).slice(2)}`);
  writeFileSync(githubOutput, '');
  writeFileSync(summary, '');
  const { env, run } = checkStep();
  const stepEnv: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    GITHUB_ACTION_PATH: repoRoot,
    GITHUB_OUTPUT: githubOutput,
    GITHUB_STEP_SUMMARY: summary,
  };
  for (const [name, expr] of env) {
    const input = /inputs\.([a-z-]+)/.exec(expr)![1]!;
    stepEnv[name] = given[input] ?? defaults.get(input) ?? '';
  }
  const r = spawnSync('bash', ['-c', run], { cwd: repoRoot, env: stepEnv, encoding: 'utf8', timeout: 60_000 });
  const outputs = Object.fromEntries(
    readFileSync(githubOutput, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, outputs, summary: readFileSync(summary, 'utf8') };
}

describe('action.yml', () => {
  it('is a composite action whose check step passes every input to the entry point', () => {
    expect(ACTION).toMatch(/\nruns:\n {2}using: composite\n/);
    const declared = [...inputs().keys()].sort();
    expect(declared).toEqual(['account', 'fail-on', 'kms-lookups', 'policies', 'region', 'role', 'sarif-file', 'task-definition', 'vars']);
    const { env, run } = checkStep();
    expect(env.map(([, e]) => /inputs\.([a-z-]+)/.exec(e)![1]).sort()).toEqual(declared);
    expect(run).toBe('node "$GITHUB_ACTION_PATH/lib/cli/action.mjs"');
    // The install step needs tsx at run time: it is a dependency, not a devDependency.
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(pkg.dependencies.tsx).toBeDefined();
  });

  it('on A12 with the AWS managed policy: fails the step (exit 1), annotates the field, outputs, summary and SARIF', () => {
    const sarif = join(dir, 'leash.sarif');
    const r = runAction({ 'task-definition': A12, policies: MAMIP, 'sarif-file': sarif });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const line =
      readFileSync(A12, 'utf8')
        .split('\n')
        .findIndex((l) => l.includes('"awslogs-create-group"')) + 1;
    const errors = r.stdout.split('\n').filter((l) => l.startsWith('::error '));
    expect(errors).toHaveLength(2);
    expect(errors.every((e) => e.includes(`,line=${line},`) && e.includes('title=Leash%3A missing logs%3ACreateLogGroup'))).toBe(true);
    expect(r.outputs).toEqual({ verdict: 'blocked', 'exit-code': '1', 'sarif-file': sarif });
    expect(r.summary).toContain('## Leash check');
    expect(r.summary).toContain('BLOCKED');
    expect(r.summary).toContain('"logs:CreateLogGroup"');
    expect((JSON.parse(readFileSync(sarif, 'utf8')) as { version: string }).version).toBe('2.1.0');
  });

  it('passes (exit 0) once the role grants what the plan says, and fails on over-grants when asked to', async () => {
    const pass = runAction({ 'task-definition': A12, policies: await exactPolicy() });
    expect([pass.code, pass.outputs.verdict, pass.summary]).toEqual([0, 'pass', expect.stringContaining('PASS')]);
    const strict = runAction({ 'task-definition': A12, policies: `${MAMIP}\n${await exactPolicy()}`, 'fail-on': 'too-broad' });
    expect([strict.code, strict.outputs.verdict]).toEqual([1, 'blocked']);
  });

  it('a template: cannot tell (exit 3) until vars fill it, then passes; no task definition is bad input', async () => {
    const template = join(dir, 'template.json');
    writeFileSync(template, readFileSync(A12, 'utf8').replace('docker-on-aws/nodejs:latest', 'docker-on-aws/nodejs:${IMAGE_TAG}'));
    const open = runAction({ 'task-definition': template, policies: await exactPolicy() });
    expect([open.code, open.outputs.verdict]).toEqual([3, 'incomplete']);
    expect(open.stdout).toMatch(/^::warning file=.*title=Leash%3A unresolved placeholder::placeholder \$\{IMAGE_TAG\}/m);
    const filled = runAction({ 'task-definition': template, policies: await exactPolicy(), vars: 'IMAGE_TAG=1.4.2' });
    expect([filled.code, filled.outputs.verdict]).toEqual([0, 'pass']);
    const none = runAction({ 'task-definition': '' });
    expect([none.code, none.outputs['exit-code']]).toEqual([2, '2']);
    expect(none.stderr).toMatch(/task-definition input is required/);
  });
});
