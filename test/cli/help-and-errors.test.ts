// The command line as a person meets it (issue 12 item 6, issue 13 item 3): --help for leash and for each command
// describes every option with an example, --version works, commands that read AWS say what to set when there are no
// credentials, hostile shapes get exit 2 with a JSON path, and text output wraps, keeps notes and places warnings.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../lib/cli/help.js';
import { main } from '../../lib/cli/main.js';
import { leash } from '../support/cli.js';
import { corpusPath, repoRoot } from '../support/corpus.js';

const dir = mkdtempSync(join(tmpdir(), 'leash-cli-help-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const BIN = join(repoRoot, 'lib/cli/leash.mjs');
const A12 = corpusPath('task-definitions', 'A12_c7n-placebo_test-delete-definition_2.json');

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function run(argv: string[], width: number) {
  let out = '';
  let err = '';
  const sink = (add: (s: string) => void) => new Writable({ write: (c, _e, cb) => (add(String(c)), cb()) });
  const code = await main(argv, { stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)), width });
  return { code, out, err };
}

describe('--help and --version', () => {
  it('leash --help lists every command with its usage, the exit codes and examples', async () => {
    const r = await leash('--help');
    expect(r.code).toBe(0);
    for (const c of ['plan', 'diff', 'audit', 'check', 'rollback', 'history', 'redrive'])
      expect(r.out).toMatch(new RegExp(`^  ${c}\\s`, 'm'));
    expect(r.out).toContain('usage: leash plan');
    expect(r.out).toMatch(/Exit codes: 0 success, 1 .*, 2 bad input, 3 /);
    expect(r.out).toMatch(/examples:\n {2}leash /);
  });

  it.each(COMMANDS.map((c) => c.name))('leash %s --help describes every option and gives an example', async (name) => {
    const r = await leash(name, '--help');
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out.startsWith(`leash ${name}: `)).toBe(true);
    const help = COMMANDS.find((c) => c.name === name)!;
    for (const [flag] of help.options) expect(r.out).toContain(flag);
    // Every flag the command accepts is documented: an undocumented one would be refused as unknown here.
    for (const [flag] of help.options) {
      const long = flag.split(/[ ,]/).find((w) => w.startsWith('--'))!;
      expect(r.out, long).toMatch(new RegExp(`\\n  (-h, )?${long.replace(/[-]/g, '\\-')}\\b`));
    }
    expect(r.out).toMatch(/\nexit codes:\n {2}\d /);
    expect(r.out).toMatch(/\nexamples?:\n {2}([A-Z_]+=\S+ )?leash /);
    // `leash help <command>` says the same.
    expect((await leash('help', name)).out).toBe(r.out);
  });

  it('--version prints the package version, from the binary too', () => {
    const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
    const r = spawnSync(process.execPath, [BIN, '--version'], { cwd: repoRoot, encoding: 'utf8' });
    expect([r.status, r.stdout, r.stderr]).toEqual([0, `leash ${version}\n`, '']);
  });
});

describe('no AWS credentials: what to set, not an SDK stack', () => {
  // A clean environment: no keys, no profile files, no instance metadata to fall back on.
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    AWS_CONFIG_FILE: join(dir, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_REGION: 'us-east-1',
    LEASH_TABLE: 'leash-test',
  };
  const role = 'arn:aws:iam::123456789012:role/web-exec';

  it.each([
    ['check', A12],
    ['history', role],
    ['rollback', role],
    ['redrive', '--queue=leash-test-events-dlq'],
  ])('leash %s', (command, arg) => {
    const r = spawnSync(process.execPath, [BIN, command, arg], { cwd: repoRoot, encoding: 'utf8', env, timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(
      new RegExp(`^leash ${command}: no usable AWS credentials: set AWS_PROFILE .* AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`),
    );
    expect(r.stderr).not.toMatch(/\n\s+at |CredentialsProviderError/);
  });
});

describe('hostile shapes: exit 2 with a JSON path, never a crash', () => {
  it.each(['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf'])('command name %s is an unknown command', async (name) => {
    const r = await leash(name, A12);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`^leash: unknown command "${name}"`));
  });

  it('a deeply nested value inside a policy Condition', async () => {
    const deep = '['.repeat(50_000) + '"x"' + ']'.repeat(50_000);
    const policy = file(
      'deep-condition.json',
      `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:*","Resource":"*","Condition":{"StringEquals":{"aws:SourceVpc":${deep}}}}]}`,
    );
    for (const command of ['diff', 'check']) {
      const r = await leash(command, '--policy', policy, A12);
      expect(r.code).toBe(2);
      expect(r.err).toBe(
        `leash ${command}: ${policy}: $.Statement[0].Condition.StringEquals["aws:SourceVpc"][0]: must be a string, number or boolean (lists do not nest)\n`,
      );
    }
  });

  it('a principal nested inside a policy, a deeply nested unclosed task definition, duplicate containers', async () => {
    const principal = file(
      'deep-principal.json',
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Principal":{"AWS":[[["x"]]]}}]}',
    );
    expect((await leash('diff', '--policy', principal, A12)).err).toMatch(
      /\$\.Statement\[0\]\.Principal: an identity policy cannot name a Principal|Principal\.AWS\[0\]/,
    );
    const unclosed = file('unclosed.json', '{"containerDefinitions":' + '['.repeat(100_000));
    const r = await leash('plan', unclosed);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^leash plan: .*unclosed\.json: \$: invalid JSON at line 1, column \d+\n$/);
    const dup = file(
      'dup.json',
      JSON.stringify({
        family: 'x',
        containerDefinitions: [
          { name: 'a', image: 'nginx' },
          { name: 'a', image: 'httpd' },
        ],
      }),
    );
    const d = await leash('plan', dup);
    expect(d.code).toBe(2);
    expect(d.err).toMatch(/^leash plan: .*dup\.json: \$\.containerDefinitions\[1\]\.name: duplicate container name "a"/);
  });
});

describe('text output', () => {
  const td = file(
    'ec2-template.json',
    JSON.stringify({
      family: 'worker',
      executionRoleArn: 'arn:aws:iam::123456789012:role/worker-exec',
      requiresCompatibilities: ['EC2'],
      containerDefinitions: [
        {
          name: 'worker',
          image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/worker:${TAG}',
          secrets: [{ name: 'TOKEN', valueFrom: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:worker/api-secret' }],
          logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/worker', 'awslogs-region': '${AWS_REGION}' } },
        },
      ],
    }),
  );

  it('keeps the notes of the reasons (EC2 caveat, suffix guess, placeholders), and exits 3 for the template', async () => {
    const r = await run(['plan', td], 200);
    expect(r.code).toBe(3);
    expect(r.out).toContain('ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE');
    expect(r.out).toContain('a complete ARN or a partial one, both granted');
    expect(r.out).toContain('arn:aws:logs:${AWS_REGION}:123456789012:log-group:/ecs/worker:*');
    expect(r.out).toMatch(/INCOMPLETE: 2 placeholder\(s\)/);
  });

  it('prints each warning with its task definition, container and field', async () => {
    const r = await run(['plan', td], 200);
    const warnings = r.out.slice(r.out.indexOf('Warnings ('), r.out.indexOf('\nINCOMPLETE'));
    expect(warnings).toContain('[ambiguous-secret-suffix]');
    expect(warnings).toContain('worker container worker containerDefinitions[0].secrets[0].valueFrom');
    expect(warnings).toContain('[placeholder] placeholder ${AWS_REGION}');
    expect(warnings).toContain('containerDefinitions[0].logConfiguration.options["awslogs-region"]');
  });

  it('wraps at the terminal width, never breaking an ARN', async () => {
    for (const width of [60, 100]) {
      const r = await run(['plan', td], width);
      const text = r.out.slice(0, r.out.indexOf('\nPolicy ('));
      for (const line of text.split('\n')) {
        if (line.length > width) expect(line.trim(), `width ${width}`).toMatch(/^(\S+\s+)?(arn:\S+|\*)(\s+\(.*)?$|^\S+$/);
      }
      expect(text.split('\n').filter((l) => l.length > width).length).toBeLessThan(text.split('\n').length / 2);
    }
  });
});
