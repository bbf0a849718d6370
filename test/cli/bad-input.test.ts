// Bad input to the `leash` CLI: exit code 2 and one message naming the file (or the command line) and the JSON path;
// never a stack trace. Exit code 0 on success.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { leash } from '../support/cli.js';
import { corpusPath, repoRoot } from '../support/corpus.js';

const dir = mkdtempSync(join(tmpdir(), 'leash-cli-bad-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const A12 = corpusPath('task-definitions', 'A12_c7n-placebo_test-delete-definition_2.json');
const MANAGED = corpusPath('managed-policies', 'AmazonECSTaskExecutionRolePolicy.MAMIP.json');

/** Exit 2, nothing on stdout, one line on stderr that starts with `leash <command>: <where>: <path>: `. */
async function rejected(argv: string[], where: string, path: string): Promise<string> {
  const r = await leash(...argv);
  expect(r.code).toBe(2);
  expect(r.out).toBe('');
  expect(r.err.trim().split('\n')).toHaveLength(1);
  expect(r.err.startsWith(`leash ${argv[0]}: ${where}: ${path}: `), r.err).toBe(true);
  expect(r.err).not.toMatch(/\n\s+at /);
  return r.err;
}

describe('leash CLI on bad input', () => {
  it('invalid JSON: the line and column of the error', async () => {
    // Line 5 is `  ]`: the trailing comma on line 4 makes `]` unexpected at column 3.
    const f = file(
      'trailing-comma.json',
      '{\n  "family": "web",\n  "containerDefinitions": [\n    { "name": "app", "image": "nginx" },\n  ]\n}\n',
    );
    const err = await rejected(['plan', f], f, '$');
    expect(err).toContain('line 5, column 3');
  });

  it('a CloudFormation YAML template (corpus A17) is recognised and refused', async () => {
    const a17 = corpusPath('task-definitions', 'A17_copilot-cli_job-test.stack.yml');
    const err = await rejected(['plan', '--json', a17], a17, '$');
    expect(err).toMatch(/CloudFormation/);
  });

  it.each([
    ['an image that is a number', '{"family":"x","containerDefinitions":[{"name":"a","image":5}]}', '$.containerDefinitions[0].image'],
    ['containerDefinitions that is an object', '{"family":"x","containerDefinitions":{"name":"a"}}', '$.containerDefinitions'],
    [
      'a secret whose valueFrom is an object',
      '{"family":"x","containerDefinitions":[{"name":"a","image":"nginx","secrets":[{"name":"S","valueFrom":{}}]}]}',
      '$.containerDefinitions[0].secrets[0].valueFrom',
    ],
    ['an array of numbers', '[1, 2]', '$[0]'],
  ])('wrong types: %s', async (_what, text, path) => {
    const f = file(`wrong-${path.replace(/\W+/g, '_')}.json`, text);
    await rejected(['plan', f], f, path);
  });

  it('a policy whose Effect is neither Allow nor Deny', async () => {
    const f = file('permit.json', '{"Version":"2012-10-17","Statement":[{"Effect":"Permit","Action":"s3:GetObject","Resource":"*"}]}');
    await rejected(['diff', '--policy', f, A12], f, '$.Statement[0].Effect');
  });

  it('a missing file', async () => {
    const f = join(dir, 'no-such-task-definition.json');
    const err = await rejected(['plan', f], f, '$');
    expect(err).toContain('no such file');
  });

  it('a recorded API response given as CloudTrail (corpus EA08)', async () => {
    const ea08 = corpusPath('events', 'EA08_c7n-placebo_ecs-RegisterTaskDefinition-response.json');
    await rejected(['audit', '--cloudtrail', ea08, A12], ea08, '$');
  });

  it('an unknown flag, a bad --account, a bad --region, no file', async () => {
    expect(await rejected(['plan', '--bogus', A12], 'command line', '$')).toContain('--bogus');
    expect(await rejected(['plan', '--account', '12345', A12], 'command line', '--account')).toContain('12-digit');
    expect(await rejected(['diff', '--account', 'acct-123456789012', '--policy', MANAGED, A12], 'command line', '--account')).toContain(
      '12-digit',
    );
    await rejected(['plan', '--region', 'Ireland', A12], 'command line', '--region');
    await rejected(['plan'], 'command line', 'FILE');
    await rejected(['audit', A12], 'command line', '--cloudtrail');
  });

  it('an unknown command exits 2 with the usage', async () => {
    const r = await leash('frobnicate');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^leash: unknown command "frobnicate"/);
    expect(r.err).toContain('usage: leash plan');
  });

  // Deliberate change (issue 13): diff exits 1 for urgent findings (A12 lacks CreateLogGroup in the managed policy).
  it('success exits 0; urgent findings exit 1', async () => {
    expect((await leash('plan', A12)).code).toBe(0);
    expect((await leash('diff', '--policy', MANAGED, A12)).code).toBe(1);
    expect((await leash('diff', '--fail-on', 'never', '--policy', MANAGED, A12)).code).toBe(0);
  });

  it('the installed binary exits 2 on bad input, with the message on stderr', () => {
    const f = join(dir, 'no-such-file.json');
    const r = spawnSync(process.execPath, [join(repoRoot, 'lib/cli/leash.mjs'), 'plan', f], { cwd: repoRoot, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`leash plan: ${f}: $: no such file\n`);
  });
});
