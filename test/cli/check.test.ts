// `leash check` offline (--policy files): the verdict and exit code, the exact statements to add (which, once added,
// pass), templates filled with --var, and the four output forms. Live IAM reads are in check-moto.test.ts.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { leash } from '../support/cli.js';
import { corpusPath } from '../support/corpus.js';

const dir = mkdtempSync(join(tmpdir(), 'leash-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  return path;
}

const A12 = corpusPath('task-definitions', 'A12_c7n-placebo_test-delete-definition_2.json');
const A20 = corpusPath('task-definitions', 'A20_where-is-the-power_task-definition.json');
const MAMIP = corpusPath('managed-policies', 'AmazonECSTaskExecutionRolePolicy.MAMIP.json');
const GROUP = 'arn:aws:logs:us-east-1:644160558196:log-group:/ecs/test-delete-definition';

interface CheckJson {
  verdict: string;
  exitCode: number;
  role?: string;
  blocking: { kind: string; action: string; resource: string }[];
  add?: { Statement: { Action: string | string[]; Resource: string | string[] }[] };
  findings: { kind: string; severity: string }[];
  unresolved: { kind: string; resource: string; fields: string[] }[];
}

async function check(...argv: string[]): Promise<{ code: number; json: CheckJson; err: string }> {
  const r = await leash('check', '--format', 'json', ...argv);
  return { code: r.code, json: JSON.parse(r.out) as CheckJson, err: r.err };
}

/** 1-based line of the first line of `path` that contains `text`. */
function lineOf(path: string, text: string): number {
  return (
    readFileSync(path, 'utf8')
      .split('\n')
      .findIndex((l) => l.includes(text)) + 1
  );
}

describe('leash check with policy files', () => {
  it('A12 against the AWS managed policy: blocked (exit 1), with exactly the two CreateLogGroup grants to add', async () => {
    const { code, json } = await check('--policy', MAMIP, A12);
    expect(code).toBe(1);
    expect(json.verdict).toBe('blocked');
    expect(json.role).toBe('arn:aws:iam::644160558196:role/ecsTaskExecutionRole');
    expect(json.blocking.map((f) => `${f.kind} ${f.action} ${f.resource}`).sort()).toEqual([
      `missing logs:CreateLogGroup ${GROUP}`,
      `missing logs:CreateLogGroup ${GROUP}:*`,
    ]);
    expect(json.add!.Statement.map((s) => [s.Action, s.Resource])).toEqual([['logs:CreateLogGroup', [GROUP, `${GROUP}:*`]]]);
    // The five actions granted on * are too broad, but they only block with --fail-on.
    expect(json.findings.filter((f) => f.kind === 'too-broad')).toHaveLength(5);

    // Once the printed statements are added, the task starts: exit 0.
    const added = file('a12-add.json', { Version: '2012-10-17', Statement: json.add!.Statement });
    const again = await check('--policy', MAMIP, '--policy', added, A12);
    expect([again.code, again.json.verdict, again.json.blocking]).toEqual([0, 'pass', []]);
    // …unless over-grants are to block too.
    const strict = await check('--fail-on', 'too-broad', '--policy', MAMIP, '--policy', added, A12);
    expect([strict.code, strict.json.blocking.map((f) => f.kind)]).toEqual([1, Array(5).fill('too-broad')]);
  });

  it("the plan's own policy passes, also with --fail-on too-broad", async () => {
    const plan = JSON.parse((await leash('plan', '--json', A20)).out) as { policy: unknown };
    const exact = file('a20-plan.json', plan.policy);
    expect((await check('--policy', exact, A20)).code).toBe(0);
    expect((await check('--fail-on', 'too-broad,excess', '--policy', exact, A20)).code).toBe(0);
  });

  it('text output: the verdict first, the fields that ask, the statements to add', async () => {
    const r = await leash('check', '--policy', MAMIP, A12);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^BLOCKED: role arn:aws:iam::644160558196:role\/ecsTaskExecutionRole/);
    expect(r.out).toContain(`[${A12}:${lineOf(A12, '"awslogs-create-group"')}]`);
    expect(r.out).toContain('Add these statements to the role');
    expect(r.out).toContain('"logs:CreateLogGroup"');
  });
});

describe('templates and --var', () => {
  const template = {
    family: 'web',
    executionRoleArn: 'arn:aws:iam::${AWS_ACCOUNT_ID}:role/web-exec',
    requiresCompatibilities: ['FARGATE'],
    containerDefinitions: [
      {
        name: 'web',
        image: '${AWS_ACCOUNT_ID}.dkr.ecr.eu-west-1.amazonaws.com/web:${IMAGE_TAG}',
        secrets: [{ name: 'DB', valueFrom: 'arn:aws:ssm:eu-west-1:${AWS_ACCOUNT_ID}:parameter/web/db' }],
        logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/web', 'awslogs-region': '{{region}}' } },
      },
    ],
  };
  const td = file('web.template.json', template);
  const repo = 'arn:aws:ecr:eu-west-1:123456789012:repository/web';
  const role = file('web-exec.json', {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
      { Effect: 'Allow', Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], Resource: repo },
      { Effect: 'Allow', Action: 'ssm:GetParameters', Resource: 'arn:aws:ssm:eu-west-1:123456789012:parameter/web/db' },
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: 'arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/web:*',
      },
    ],
  });

  it('unfilled placeholders: cannot tell (exit 3), each listed with its fields', async () => {
    const { code, json } = await check('--policy', role, td);
    expect([code, json.verdict]).toEqual([3, 'incomplete']);
    expect(json.unresolved.map((u) => u.resource).sort()).toEqual(['${AWS_ACCOUNT_ID}', '${IMAGE_TAG}', '{{region}}']);
    expect(json.unresolved.find((u) => u.resource === '{{region}}')!.fields).toEqual([
      'containerDefinitions[0].logConfiguration.options["awslogs-region"]',
    ]);
  });

  it('filled with --var (by name, for every syntax): pass (exit 0)', async () => {
    const { code, json, err } = await check(
      '--var',
      'AWS_ACCOUNT_ID=123456789012',
      '--var',
      'IMAGE_TAG=1.4.2',
      '--var',
      'region=eu-west-1',
      '--policy',
      role,
      td,
    );
    expect(err).toBe('');
    expect([code, json.verdict]).toEqual([0, 'pass']);
    // Offline, the key behind the parameter stays a lookup; it never makes the answer incomplete.
    expect(json.unresolved.map((u) => u.kind)).toEqual(['kms-key-for-parameter']);
  });

  it('filled with the wrong account: blocked (exit 1), the statements to add name the filled account', async () => {
    const { code, json } = await check(
      '--var',
      'AWS_ACCOUNT_ID=210987654321',
      '--var',
      'IMAGE_TAG=1',
      '--var',
      'region=eu-west-1',
      '--policy',
      role,
      td,
    );
    expect(code).toBe(1);
    expect(JSON.stringify(json.add)).toContain('arn:aws:ecr:eu-west-1:210987654321:repository/web');
  });

  it('a --var that matches nothing is said on stderr', async () => {
    const r = await leash(
      'check',
      '--var',
      'AWS_ACCOUNT_ID=123456789012',
      '--var',
      'IMAGE_TAG=1',
      '--var',
      'region=eu-west-1',
      '--var',
      'TYPO=x',
      '--policy',
      role,
      td,
    );
    expect(r.code).toBe(0);
    expect(r.err).toBe('leash check: --var TYPO matched no placeholder\n');
  });

  it('a role that is still a placeholder cannot be read from IAM: bad input saying which --var', async () => {
    const r = await leash('check', td);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^leash check: command line: --role: the execution role .* is a placeholder: fill it with --var AWS_ACCOUNT_ID=/);
  });
});

describe('output forms', () => {
  it('github: one ::error per field asking for missing access, at its line; warnings for the rest', async () => {
    const r = await leash('check', '--format', 'github', '--policy', MAMIP, A12);
    expect(r.code).toBe(1);
    const rel = relative(process.cwd(), A12);
    const line = lineOf(A12, '"awslogs-create-group"');
    const errors = r.out.split('\n').filter((l) => l.startsWith('::error '));
    expect(errors).toHaveLength(2);
    for (const e of errors)
      expect(e).toMatch(
        new RegExp(
          `^::error file=${rel.replace(/[.]/g, '\\.')},line=${line},col=\\d+,title=Leash%3A missing logs%3ACreateLogGroup::logs:CreateLogGroup on `,
        ),
      );
    expect(r.out.split('\n').filter((l) => l.startsWith('::warning '))).toHaveLength(5);
    expect(r.out).toContain('::group::Statements to add');
  });

  it('github: text from the task definition and the file name cannot start a workflow command of its own', async () => {
    const evil = file('a,b:c.json', {
      family: 'x',
      executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
      containerDefinitions: [
        {
          name: 'app',
          image: 'nginx',
          secrets: [{ name: 'A', valueFrom: 'arn:aws:ssm:us-east-1:123456789012:parameter/x\n::error file=evil::pwned' }],
        },
        { name: 'b', image: 'nginx', secrets: [{ name: 'B', valueFrom: 'arn:aws:ssm:us-east-1:123456789012:parameter/y%0A::warning::z' }] },
      ],
    });
    const none = file('none.json', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'sts:GetCallerIdentity', Resource: '*' }],
    });
    const r = await leash('check', '--format', 'github', '--policy', none, evil);
    expect(r.code).toBe(1);
    for (const line of r.out.split('\n').filter((l) => l.startsWith('::'))) {
      expect(line).toMatch(/^::(error|warning|group|endgroup)/);
      expect(line).not.toContain('pwned');
    }
    // The parameter with a literal "%0A" in its name is escaped as %250A: it stays one annotation.
    expect(r.out).toContain('parameter/y%250A::warning::z');
    const rel = relative(process.cwd(), evil);
    expect(r.out).toContain(`file=${(rel.startsWith('..') ? evil : rel).replace(/,/g, '%2C').replace(/:/g, '%3A')},`);
  });

  it('sarif: a SARIF 2.1.0 log on stdout and with --sarif FILE, results located in the task definition', async () => {
    const sarifFile = join(dir, 'out.sarif');
    const r = await leash('check', '--format', 'sarif', '--sarif', sarifFile, '--policy', MAMIP, A12);
    expect(r.code).toBe(1);
    const log = JSON.parse(r.out) as {
      version: string;
      runs: {
        tool: { driver: { name: string; rules: { id: string }[] } };
        results: {
          ruleId: string;
          level: string;
          locations?: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[];
        }[];
      }[];
    };
    expect(JSON.parse(readFileSync(sarifFile, 'utf8'))).toEqual(log);
    expect(log.version).toBe('2.1.0');
    const run = log.runs[0]!;
    expect(run.tool.driver.name).toBe('leash');
    expect(run.tool.driver.rules.map((x) => x.id).sort()).toEqual(['missing', 'too-broad']);
    const errors = run.results.filter((x) => x.level === 'error');
    expect(errors.map((x) => x.ruleId)).toEqual(['missing', 'missing']);
    expect(errors[0]!.locations![0]!.physicalLocation).toEqual({
      artifactLocation: { uri: relative(process.cwd(), A12) },
      region: { startLine: lineOf(A12, '"awslogs-create-group"'), startColumn: expect.any(Number) },
    });
  });
});

describe('what stops a task that no permission fixes', () => {
  it('no executionRoleArn on Fargate: blocked at the executionRoleArn field', async () => {
    const td = file('no-role.json', {
      family: 'x',
      requiresCompatibilities: ['FARGATE'],
      containerDefinitions: [{ name: 'app', image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1' }],
    });
    const { code, json } = await check('--account', '123456789012', td);
    expect(code).toBe(1);
    expect(json.blocking[0]).toMatchObject({ kind: 'missing', action: 'sts:AssumeRole', resource: 'executionRoleArn' });
  });

  it('EC2 only, no execution role, nothing but a pull and awslogs: the instance role does both, pass', async () => {
    const td = file('ec2.json', {
      family: 'x',
      requiresCompatibilities: ['EC2'],
      networkMode: 'bridge',
      containerDefinitions: [
        {
          name: 'app',
          image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1',
          logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': 'g', 'awslogs-region': 'us-east-1' } },
        },
      ],
    });
    const r = await leash('check', td);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^PASS/);
    expect(r.out).toContain('[instance-role]');
  });
});

describe('bad input to check', () => {
  it.each([
    [['--format', 'xml', A12], '--format'],
    [['--var', 'NOEQUALS', A12], '--var'],
    [['--fail-on', 'sometimes', A12], '--fail-on'],
    [[], 'TASKDEF'],
  ])('%j → exit 2 naming %s', async (argv, where) => {
    const r = await leash('check', ...argv);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(new RegExp(`^leash check: command line: ${where}: `));
  });

  it('task definitions naming two roles are checked one role at a time', async () => {
    const other = file('other-role.json', {
      ...JSON.parse(readFileSync(A12, 'utf8')).data.taskDefinition,
      executionRoleArn: 'arn:aws:iam::644160558196:role/other',
    });
    const r = await leash('check', '--policy', MAMIP, A12, other);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/different execution roles/);
  });
});
