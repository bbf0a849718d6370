// `leash diff` against the real AmazonECSTaskExecutionRolePolicy (spec §1) and `leash audit` over the corpus
// CloudTrail records, the denials in events/, and a JSON-lines export (issue 2 acceptance).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { demoTaskDefinitions } from '../../lib/dev/demo/seed.js';
import { leash } from '../support/cli.js';
import { corpusPath, repoRoot } from '../support/corpus.js';

interface Finding {
  kind: string;
  severity: string;
  action: string;
  resource: string;
  reasons: string[];
  evidence?: { kind: string; source: string }[];
}

// Deliberate change (issue 13): diff and audit exit 1 when a finding is at or above --fail-on (default urgent).
async function json<T>(...argv: string[]): Promise<T> {
  const r = await leash(...argv);
  expect(r.err).toBe('');
  const out = JSON.parse(r.out) as T & { findings?: Finding[] };
  expect(r.code).toBe(out.findings?.some((f) => f.severity === 'urgent') ? 1 : 0);
  return out;
}

const keys = (fs: Finding[]) => fs.map((f) => `${f.kind} ${f.severity} ${f.action} ${f.resource}`).sort();
const A12 = corpusPath('task-definitions', 'A12_c7n-placebo_test-delete-definition_2.json');
const GROUP = 'arn:aws:logs:us-east-1:644160558196:log-group:/ecs/test-delete-definition';

describe('leash diff --policy with the AWS managed policy', () => {
  it.each(['AmazonECSTaskExecutionRolePolicy.MAMIP.json', 'AmazonECSTaskExecutionRolePolicy.iam-dataset.json'])(
    '%s vs A12 (private ECR, awslogs-create-group): ECR and logs too broad, CreateLogGroup missing',
    async (policyFile) => {
      const { findings } = await json<{ findings: Finding[] }>(
        'diff',
        '--json',
        '--policy',
        corpusPath('managed-policies', policyFile),
        A12,
      );
      expect(keys(findings)).toEqual(
        [
          // The managed policy grants the six actions on * (spec §1): GetAuthorizationToken must be *, the rest need not.
          ...[
            'ecr:BatchCheckLayerAvailability',
            'ecr:BatchGetImage',
            'ecr:GetDownloadUrlForLayer',
            'logs:CreateLogStream',
            'logs:PutLogEvents',
          ].map((a) => `too-broad review ${a} *`),
          // …and has no logs:CreateLogGroup, which awslogs-create-group needs on both ARN forms (§2.3 row 7b).
          `missing urgent logs:CreateLogGroup ${GROUP}`,
          `missing urgent logs:CreateLogGroup ${GROUP}:*`,
        ].sort(),
      );
    },
  );

  it('prints a readable table without --json', async () => {
    const r = await leash('diff', '--policy', corpusPath('managed-policies', 'AmazonECSTaskExecutionRolePolicy.MAMIP.json'), A12);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^Findings \(7\):/);
    expect(r.out).toMatch(/urgent\s+missing\s+logs:CreateLogGroup/);
  });
});

describe('--fail-on: which findings make diff and audit exit 1', () => {
  const MAMIP = corpusPath('managed-policies', 'AmazonECSTaskExecutionRolePolicy.MAMIP.json');
  // A12 against the managed policy: two urgent `missing` (CreateLogGroup) and five review `too-broad` findings.
  it.each([
    [[], 1],
    [['--fail-on', 'urgent'], 1],
    [['--fail-on', 'review'], 1],
    [['--fail-on', 'never'], 0],
    [['--fail-on', 'too-broad'], 1],
    [['--fail-on', 'excess,conditional'], 0],
    [['--fail-on', 'info'], 1],
  ])('diff %j → exit %i', async (flags, code) => {
    const r = await leash('diff', ...(flags as string[]), '--policy', MAMIP, A12);
    expect(r.err).toBe('');
    expect(r.code).toBe(code);
  });

  it('a role that grants everything exits 0 with the default', async () => {
    const plan = await leash('plan', '--json', A12);
    const dir = mkdtempSync(join(tmpdir(), 'leash-fail-on-'));
    try {
      const exact = join(dir, 'exact.json');
      writeFileSync(exact, JSON.stringify((JSON.parse(plan.out) as { policy: unknown }).policy));
      expect((await leash('diff', '--policy', exact, A12)).code).toBe(0);
      expect((await leash('diff', '--fail-on', 'info', '--policy', exact, A12)).code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an unknown word is bad input', async () => {
    const r = await leash('diff', '--fail-on', 'severe', '--policy', MAMIP, A12);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^leash diff: command line: --fail-on: /);
  });
});

describe('leash audit --cloudtrail', () => {
  const dir = mkdtempSync(join(tmpdir(), 'leash-cli-audit-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // reports-exec's revision of the demo account (lib/dev/demo/seed.ts), as DescribeTaskDefinition would return it.
  const reports = join(dir, 'reports.json');
  writeFileSync(
    reports,
    JSON.stringify({
      ...demoTaskDefinitions[4],
      taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/reports:1',
      revision: 1,
    }),
  );
  const DENIALS = ['denial-ecr.json', 'denial-kms.json', 'denial-logs.json', 'denial-secretsmanager.json', 'denial-ssm.json'].map((f) =>
    join(repoRoot, 'events', f),
  );
  const trail = (files: string[]) => files.flatMap((f) => ['--cloudtrail', f]);

  const REPORTS_DENIED = [
    'denied urgent ecr:BatchGetImage arn:aws:ecr:eu-west-1:210987654321:repository/shared/reports',
    'denied urgent logs:CreateLogGroup arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/reports:*',
    'denied urgent secretsmanager:GetSecretValue arn:aws:secretsmanager:eu-west-1:123456789012:secret:reports/smtp-QwErTy',
    'denied urgent ssm:GetParameters arn:aws:ssm:eu-west-1:123456789012:parameter/reports/api-token',
  ];

  it('the denials in events/ for reports-exec become `denied` findings; web-exec’s KMS denial is not its business', async () => {
    const out = await json<{ evidence: { denials: number; uses: number; ignored: number }; findings: Finding[] }>(
      'audit',
      '--json',
      ...trail(DENIALS),
      reports,
    );
    expect(out.evidence).toEqual({ denials: 4, uses: 0, ignored: 1 });
    expect(keys(out.findings)).toEqual(REPORTS_DENIED);
    expect(out.findings.every((f) => f.evidence?.length === 1 && f.evidence[0]!.kind === 'denial')).toBe(true);
  });

  it('the same records as one JSON-lines export give the same result', async () => {
    const lines = join(dir, 'denials.jsonl');
    const records = DENIALS.map((f) => JSON.stringify((JSON.parse(readFileSync(f, 'utf8')) as { detail: unknown }).detail));
    writeFileSync(lines, records.join('\n') + '\n');
    const fromFiles = await json<unknown>('audit', '--json', ...trail(DENIALS), reports);
    expect(await json<unknown>('audit', '--json', '--cloudtrail', lines, reports)).toEqual(fromFiles);
  });

  it('with the role’s policy: a denial of something the grant lacks stands beside the missing finding', async () => {
    const policy = join(dir, 'reports-base.json');
    writeFileSync(
      policy,
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
          {
            Effect: 'Allow',
            Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
            Resource: 'arn:aws:ecr:eu-west-1:210987654321:repository/shared/reports',
          },
          {
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: 'arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/reports:*',
          },
        ],
      }),
    );
    const { findings } = await json<{ findings: Finding[] }>('audit', '--json', '--policy', policy, '--cloudtrail', DENIALS[4]!, reports);
    expect(keys(findings)).toEqual(
      [
        'denied urgent ssm:GetParameters arn:aws:ssm:eu-west-1:123456789012:parameter/reports/api-token',
        'missing urgent logs:CreateLogGroup arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/reports',
        'missing urgent logs:CreateLogGroup arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/reports:*',
        'missing urgent secretsmanager:GetSecretValue arn:aws:secretsmanager:eu-west-1:123456789012:secret:reports/smtp-QwErTy',
        'missing urgent ssm:GetParameters arn:aws:ssm:eu-west-1:123456789012:parameter/reports/api-token',
      ].sort(),
    );
  });

  it('reads every corpus CloudTrail file (JSON arrays and .log lines); only assumed-role denials count', async () => {
    const files = [
      'EA01_stratus_iam-create-backdoor-role.json',
      'EA02_stratus_organizations-leave.json',
      'EA03_stratus_ssm-retrieve-securestring-parameters.json',
      'EA04_stratus_secretsmanager-retrieve-secrets.json',
      'EA05_stratus_iam-create-admin-user.json',
      'EA06_elastic_test-attach-role-policy-json.log',
      'EA07_elastic_test-get-secret-value-json.log',
      'EA10_elastic_test-get-parameters-json.log',
    ].map((f) => corpusPath('events', f));
    const records = files.reduce((n, f) => n + (f.endsWith('.log') ? 1 : (JSON.parse(readFileSync(f, 'utf8')) as unknown[]).length), 0);
    // A01 names no execution role, so evidence from any role is considered.
    const A01 = corpusPath('task-definitions', 'A01_aws-containers-task-definitions_nginx_fargate.json');
    const out = await json<{ evidence: { denials: number; uses: number; ignored: number }; findings: Finding[] }>(
      'audit',
      '--json',
      '--account',
      '111122223333',
      ...trail(files),
      A01,
    );
    expect(out.evidence.denials + out.evidence.uses + out.evidence.ignored).toBe(records);
    // The one AccessDenied by an assumed role (EA02: LeaveOrganization), explained by no requirement.
    expect(out.evidence.denials).toBe(1);
    expect(keys(out.findings)).toEqual(['unexplained-denial urgent organizations:LeaveOrganization *']);
  });
});
