// `leash plan --json` over every JSON task definition in the corpus (issue 2 acceptance): the real binary for a
// few files, main() in-process for all; the requirements of ten of them written from the spec (§2.3, §11).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { leash } from '../support/cli.js';
import { corpusPath, listCorpus, repoRoot } from '../support/corpus.js';

interface PlanJson {
  complete: boolean;
  policy: { Version: string; Statement: unknown[] };
  requirements: { action: string; resource: string; reason: string; crossAccount?: boolean }[];
  unresolved: { kind: string; resource: string; reason: string; fields: string[] }[];
  warnings: { code: string; message: string }[];
}

const td = (name: string) => corpusPath('task-definitions', name);
const JSON_FILES = listCorpus('task-definitions', '.json');

// Deliberate change (issue 13): exit 3 when the plan is incomplete (something other than a KMS key unresolved).
async function plan(...argv: string[]): Promise<PlanJson> {
  const r = await leash('plan', '--json', ...argv);
  expect(r.err).toBe('');
  const p = JSON.parse(r.out) as PlanJson;
  const open = p.unresolved.filter((u) => !u.kind.startsWith('kms-'));
  expect(p.complete).toBe(open.length === 0);
  expect(r.code).toBe(p.complete ? 0 : 3);
  return p;
}

const needs = (p: PlanJson) => p.requirements.map((r) => `${r.action} ${r.resource}`).sort();
const PULL = ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'];
/** Spec §2.3 rows 1/1b: the token on *, the three pull actions on the registry account's repository. */
const ecr = (region: string, account: string, repo: string) => [
  'ecr:GetAuthorizationToken *',
  ...PULL.map((a) => `${a} arn:aws:ecr:${region}:${account}:repository/${repo}`),
];
/** Row 7 (stream actions on `log-group:G:*`) and, with awslogs-create-group, row 7b (CreateLogGroup on both forms). */
const logs = (region: string, account: string, group: string, create = false) => {
  const g = `arn:aws:logs:${region}:${account}:log-group:${group}`;
  return [
    `logs:CreateLogStream ${g}:*`,
    `logs:PutLogEvents ${g}:*`,
    ...(create ? [`logs:CreateLogGroup ${g}`, `logs:CreateLogGroup ${g}:*`] : []),
  ];
};
const ssm = (region: string, account: string, names: string[]) =>
  names.map((n) => `ssm:GetParameters arn:aws:ssm:${region}:${account}:parameter/${n.replace(/^\//, '')}`);
const sm = (region: string, account: string, names: string[]) =>
  names.map((n) => `secretsmanager:GetSecretValue arn:aws:secretsmanager:${region}:${account}:secret:${n}`);

describe('leash plan --json over the corpus', () => {
  it('the installed binary runs (exit 0, plan JSON on stdout) for a few files', () => {
    for (const file of [
      'A12_c7n-placebo_test-delete-definition_2.json',
      'A20_where-is-the-power_task-definition.json',
      'A27_the-floor2_task-definition.json',
    ]) {
      const r = spawnSync(process.execPath, [join(repoRoot, 'lib/cli/leash.mjs'), 'plan', '--json', td(file)], {
        cwd: repoRoot,
        encoding: 'utf8',
      });
      expect(r.stderr, file).toBe('');
      expect(r.status, file).toBe(0);
      const p = JSON.parse(r.stdout) as PlanJson;
      expect(p.policy.Version).toBe('2012-10-17');
      expect(p.requirements.length, file).toBeGreaterThan(0);
    }
  });

  it(`succeeds for every JSON task definition (${JSON_FILES.length} files) with the documented shape`, async () => {
    expect(JSON_FILES).toHaveLength(29);
    for (const file of JSON_FILES) {
      const p = await plan(td(file));
      expect(Object.keys(p), file).toEqual(expect.arrayContaining(['policy', 'requirements', 'unresolved', 'warnings']));
      expect(p.policy.Version, file).toBe('2012-10-17');
      expect(Array.isArray(p.policy.Statement), file).toBe(true);
      const placeholders = p.unresolved.filter((u) => u.kind === 'placeholder').map((u) => u.resource);
      for (const r of p.requirements) {
        expect(r.action, file).toMatch(/^[a-z0-9-]+:[A-Za-z]+$/);
        // A partition is real, or a placeholder the plan lists (A06: arn:${Partition}:…).
        const partition = r.resource.split(':')[1] ?? '';
        if (!placeholders.includes(partition)) expect(r.resource, file).toMatch(/^(\*|arn:aws[a-z-]*:[a-z0-9-]+:)/);
        expect(r.reason.length, file).toBeGreaterThan(0);
        // Never the doubled slash of a naive SSM ARN (spec §11.4), never an alias as a KMS resource (§11.6).
        expect(r.resource, file).not.toContain('parameter//');
        expect(r.resource, file).not.toMatch(/:alias\//);
      }
      for (const u of p.unresolved)
        expect(['kms-key-for-secret', 'kms-key-for-parameter', 'needs-account', 'needs-region', 'placeholder'], file).toContain(u.kind);
      for (const w of p.warnings) expect(typeof w.code === 'string' && w.message.length > 0, file).toBe(true);
      // Every requirement the policy must allow appears in it (the full check is in policy-evaluate.test.ts).
      if (p.requirements.length === 0) expect(p.policy.Statement, file).toEqual([]);
    }
  });

  it('A11: task in us-east-2 pulling from us-east-1 (cross-Region pull), SSM by ARN, KMS keys left unresolved', async () => {
    const p = await plan(td('A11_c7n-placebo_dev-redash-server_75.json'));
    expect(needs(p)).toEqual(
      [
        ...ecr('us-east-1', '644160558196', 'stacklet-redash'),
        ...logs('us-east-2', '644160558196', '/fargate/tasks/dev-redash-server'),
        ...ssm('us-east-2', '644160558196', ['dev/redash/cookie_secret', 'dev/redash/secret']),
      ].sort(),
    );
    // The key behind a SecureString is not in the task definition (spec §11.6): a lookup, never a guess.
    expect(p.unresolved.map((u) => `${u.kind} ${u.resource}`).sort()).toEqual(
      ssm('us-east-2', '644160558196', ['dev/redash/cookie_secret', 'dev/redash/secret']).map((s) =>
        s.replace('ssm:GetParameters', 'kms-key-for-parameter'),
      ),
    );
  });

  it('A12: same-account private ECR (repository name with a slash) and awslogs-create-group', async () => {
    const p = await plan(td('A12_c7n-placebo_test-delete-definition_2.json'));
    expect(needs(p)).toEqual(
      [
        ...ecr('us-east-1', '644160558196', 'docker-on-aws/nodejs'),
        ...logs('us-east-1', '644160558196', '/ecs/test-delete-definition', true),
      ].sort(),
    );
  });

  it('A13: a Docker Hub image needs no ECR permission; awslogs without create-group needs no CreateLogGroup', async () => {
    const p = await plan(td('A13_c7n-placebo_ecs-read-only-root_1.json'));
    expect(needs(p)).toEqual(logs('us-east-1', '644160558196', '/ecs/ecs-read-only-root').sort());
  });

  it('A27: seventeen JSON-key references into one secret → a single GetSecretValue on its full ARN', async () => {
    const p = await plan(td('A27_the-floor2_task-definition.json'));
    expect(needs(p)).toEqual(
      [
        ...ecr('us-east-1', '967512078853', 'the-floor-api'),
        ...logs('us-east-1', '967512078853', '/ecs/the-floor-api'),
        ...sm('us-east-1', '967512078853', ['the-floor/prod-48goq3']),
      ].sort(),
    );
  });

  it('A18: a hyphenated secret name with its 6-character suffix and JSON keys → one exact ARN', async () => {
    const p = await plan(td('A18_core-saida-middleware_task-definition_prod.json'));
    const group = 'CoreSaidaInfrastructure-OrchestratorAppOrchestratorTaskDefOrchestratorContainerLogGroup04CFDDB9-KMpK1WFaeGv0';
    expect(needs(p)).toEqual(
      [
        ...ecr('us-east-1', '796973514473', 'core-saida/orchestrator'),
        ...logs('us-east-1', '796973514473', group),
        ...sm('us-east-1', '796973514473', ['OrchestratorAppOrchestrator-bZlF7A4UwmC1-OdkoP3']),
      ].sort(),
    );
  });

  it('A20: six full secret ARNs with names containing "/", eu-central-1, create-group', async () => {
    const p = await plan(td('A20_where-is-the-power_task-definition.json'));
    const secrets = [
      'dev/witp/dns-WUWoov',
      'prod/witp/db_uri-MzD5WF',
      'prod/witp/jwt_private_key-xYT66g',
      'prod/witp/ssl_cert-goNKWL',
      'prod/witp/ssl_key-hFFsNc',
      'prod/witp/mapbox_api_key-mwOLL1',
    ];
    expect(needs(p)).toEqual(
      [
        ...ecr('eu-central-1', '147882094138', 'witp'),
        ...logs('eu-central-1', '147882094138', '/ecs/witp-server', true),
        ...sm('eu-central-1', '147882094138', secrets),
      ].sort(),
    );
  });

  it('A21: no task definition ARN, the account comes from the execution role; SSM parameters by full ARN', async () => {
    const p = await plan(td('A21_moikai_aws-task-definition.json'));
    const params = [
      'secret-key',
      'database-url',
      'redis-url',
      'aws-access-key',
      'aws-secret-key',
      'stripe-secret-key',
      'stripe-webhook-secret',
    ].map((n) => `moikai/${n}`);
    expect(needs(p)).toEqual(
      [
        ...ecr('us-east-1', '465535123942', 'moikai'),
        ...logs('us-east-1', '465535123942', '/ecs/moikai'),
        ...ssm('us-east-1', '465535123942', params),
      ].sort(),
    );
  });

  it('A26: parameters by name need the task’s Region: unresolved without --region, exact with it', async () => {
    const params = [
      '/amesa/prod/JwtSettings/SecretKey',
      '/amesa/prod/ConnectionStrings/Payment',
      '/amesa/prod/ConnectionStrings/Redis',
      '/amesa/prod/ServiceAuth/ApiKey',
    ];
    const without = await plan(td('A26_amesaBE_payment-service-task.json'));
    expect(needs(without).filter((n) => n.startsWith('ssm:'))).toEqual([]);
    expect(
      without.unresolved
        .filter((u) => u.kind === 'needs-region')
        .map((u) => u.resource)
        .sort(),
    ).toEqual(params.map((n) => `parameter${n}`).sort());

    const p = await plan('--region', 'eu-north-1', td('A26_amesaBE_payment-service-task.json'));
    expect(needs(p)).toEqual(
      [
        ...ecr('eu-north-1', '129394705401', 'amesa-payment-service'),
        ...logs('eu-north-1', '129394705401', '/ecs/amesa-payment-service'),
        ...ssm('eu-north-1', '129394705401', params),
        ...sm('eu-north-1', '129394705401', ['amesa/payment/stripe-keys-hZZEUq']),
      ].sort(),
    );
  });

  it('A29: ten SSM parameters by ARN in ap-northeast-1, create-group', async () => {
    const p = await plan(td('A29_girok-server_task-definition-prod.json'));
    const params = [
      'DB_HOST',
      'DB_PASSWORD',
      'DB_USERNAME',
      'JWT_ACCESS_TOKEN_EXPIRATION_MS',
      'JWT_REFRESH_TOKEN_EXPIRATION_MS',
      'JWT_SECRET',
      'MAILGUN_API_KEY',
      'MAILGUN_DOMAIN',
      'SPRING_PROFILES_ACTIVE',
      'VERIFICATION_EXPIRE_SECONDS',
    ];
    expect(needs(p)).toEqual(
      [
        ...ecr('ap-northeast-1', '844790362879', 'girok-server-prod'),
        ...logs('ap-northeast-1', '844790362879', '/ecs/girok-server-prod', true),
        ...ssm('ap-northeast-1', '844790362879', params),
      ].sort(),
    );
  });

  // Deliberate change (issue 13): the role's account is the placeholder XXXXXXXXXXXX, kept in the log group's ARN
  // (the pipeline's substitution fills the policy as it fills the task definition); --account no longer overrides it.
  it('A04: AWS-owned cross-account image in us-east-1, logs in awslogs-region us-west-2 under the role’s (placeholder) account', async () => {
    const file = td('A04_firelens-examples_cloudwatch.json');
    for (const p of [await plan(file), await plan('--account', '111122223333', file)]) {
      expect(needs(p)).toEqual(
        [
          ...ecr('us-east-1', '906394416424', 'aws-for-fluent-bit'),
          ...logs('us-west-2', 'XXXXXXXXXXXX', 'firelens-container', true),
        ].sort(),
      );
      expect(p.complete).toBe(false);
      expect(p.unresolved.map((u) => [u.kind, u.resource])).toEqual([['placeholder', 'XXXXXXXXXXXX']]);
      expect(p.unresolved[0]!.fields).toEqual(['executionRoleArn', 'containerDefinitions[0].logConfiguration.options["awslogs-group"]']);
      // The app container's awsfirelens → CloudWatch destination is the task role's business (row 12).
      expect(JSON.stringify(p.requirements)).not.toContain('containerinsights');
    }
  });

  it('A01: public image, awslogs, no executionRoleArn → a warning that the task cannot start', async () => {
    const p = await plan('--account', '111122223333', td('A01_aws-containers-task-definitions_nginx_fargate.json'));
    expect(needs(p)).toEqual(logs('us-east-1', '111122223333', 'awslogs-nginx-ecs').sort());
    expect(p.warnings.map((w) => w.code)).toContain('no-execution-role');
  });
});
