import { describe, expect, it } from 'vitest';
import { diffGrant } from '../../../lib/engine/diff/diff.js';
import { parsePolicyFile } from '../../../lib/engine/policy/parse.js';
import { synthesize } from '../../../lib/engine/synth/synthesize.js';
import type { Finding, NamedPolicy, PolicyStatement, Requirement } from '../../../lib/engine/types.js';
import { corpusPath, readCorpusText } from '../../support/corpus.js';
import { ECR_PULL, awslogs, ecrImage, groupArn, paramArn, repoArn, secret, secretArn, shuffled } from '../synth/fixtures.js';

const file = 'managed-policies/AmazonECSTaskExecutionRolePolicy.MAMIP.json';
const managed = parsePolicyFile(readCorpusText(file), corpusPath(file));
const inline = (name: string, ...Statement: PolicyStatement[]): NamedPolicy => ({
  name,
  kind: 'inline',
  document: { Version: '2012-10-17', Statement },
});
const MANAGED_REF = { policy: 'AmazonECSTaskExecutionRolePolicy', statement: 0 };

const summary = (fs: Finding[]) => fs.map((f) => [f.kind, f.severity, f.action, f.resource]);

describe('diffGrant: the AWS managed policy against a specific intent', () => {
  const intent: Requirement[] = [...ecrImage('team/web'), ...awslogs('/ecs/web')];

  it('reports the repository actions and the log actions on * as too-broad, never the token', () => {
    const findings = diffGrant(intent, managed);
    expect(summary(findings)).toEqual([
      ['too-broad', 'review', 'ecr:BatchCheckLayerAvailability', '*'],
      ['too-broad', 'review', 'ecr:BatchGetImage', '*'],
      ['too-broad', 'review', 'ecr:GetDownloadUrlForLayer', '*'],
      ['too-broad', 'review', 'logs:CreateLogStream', '*'],
      ['too-broad', 'review', 'logs:PutLogEvents', '*'],
    ]);
    const pull = findings.find((f) => f.action === 'ecr:BatchGetImage')!;
    expect(pull.grantedBy).toEqual([MANAGED_REF]);
    expect(pull.requiredBy).toEqual(intent.find((r) => r.action === 'ecr:BatchGetImage')!.reasons);
    expect(pull.reasons[0]).toContain(repoArn('team/web'));
  });

  it('adds an urgent missing finding for logs:CreateLogGroup when awslogs-create-group is set', () => {
    const findings = diffGrant([...ecrImage('team/web'), ...awslogs('/ecs/web', true)], managed);
    const missing = findings.filter((f) => f.kind === 'missing');
    expect(summary(missing)).toEqual([
      ['missing', 'urgent', 'logs:CreateLogGroup', groupArn('/ecs/web')],
      ['missing', 'urgent', 'logs:CreateLogGroup', `${groupArn('/ecs/web')}:*`],
    ]);
    expect(missing[0]!.reasons[0]).toMatch(/No statement allows logs:CreateLogGroup/);
    expect(missing[0]!.requiredBy?.length).toBe(1);
  });

  it('reports ECR actions as excess when no image comes from ECR', () => {
    const findings = diffGrant(awslogs('/ecs/web'), managed);
    expect(summary(findings.filter((f) => f.kind === 'excess'))).toEqual([
      ['excess', 'review', 'ecr:BatchCheckLayerAvailability', '*'],
      ['excess', 'review', 'ecr:BatchGetImage', '*'],
      ['excess', 'review', 'ecr:GetAuthorizationToken', '*'],
      ['excess', 'review', 'ecr:GetDownloadUrlForLayer', '*'],
    ]);
  });
});

describe('diffGrant: realistic inline grants', () => {
  const intent = [...ecrImage('team/web'), ...awslogs('/ecs/web'), ...secret('prod/db')];
  const exact = synthesize(intent).document;

  it('finds nothing when the grant is exactly the synthesized policy', () => {
    expect(diffGrant(intent, [inline('leash', ...exact.Statement)])).toEqual([]);
  });

  it('flags secretsmanager:GetSecretValue on * as too-broad', () => {
    const grant = [
      inline('leash', ...exact.Statement.filter((s) => s.Sid !== 'Secrets')),
      inline('secrets', { Sid: 'All', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*' }),
    ];
    const findings = diffGrant(intent, grant);
    expect(summary(findings)).toEqual([['too-broad', 'review', 'secretsmanager:GetSecretValue', '*']]);
    expect(findings[0]!.grantedBy).toEqual([{ policy: 'secrets', statement: 0, sid: 'All' }]);
    expect(findings[0]!.reasons[0]).toContain(secretArn('prod/db-??????'));
  });

  it('reports an unrelated s3:* as one grouped excess finding', () => {
    const findings = diffGrant(intent, [
      inline('leash', ...exact.Statement),
      inline('data', { Effect: 'Allow', Action: 's3:*', Resource: '*' }),
    ]);
    expect(summary(findings)).toEqual([['excess', 'review', 's3:*', '*']]);
    expect(findings[0]!.reasons[0]).toMatch(/s3:PutObject|s3:DeleteObject|\d+ actions/);
  });

  it('splits logs:* on * into too-broad needed actions and one grouped excess', () => {
    const grant = [
      inline('leash', ...exact.Statement.filter((s) => !String(s.Sid).startsWith('Logs'))),
      inline('logs', { Effect: 'Allow', Action: 'logs:*', Resource: '*' }),
    ];
    expect(summary(diffGrant(intent, grant))).toEqual([
      ['excess', 'review', 'logs:*', '*'],
      ['too-broad', 'review', 'logs:CreateLogStream', '*'],
      ['too-broad', 'review', 'logs:PutLogEvents', '*'],
    ]);
  });

  it('reports an exact unneeded grant as excess on its resource', () => {
    const extra = inline('old', { Effect: 'Allow', Action: 'ssm:GetParameters', Resource: paramArn('/legacy/token') });
    expect(summary(diffGrant(intent, [inline('leash', ...exact.Statement), extra]))).toEqual([
      ['excess', 'review', 'ssm:GetParameters', paramArn('/legacy/token')],
    ]);
  });

  it('turns an explicit Deny into missing, naming the Deny', () => {
    const deny = inline('guard', { Sid: 'NoSecrets', Effect: 'Deny', Action: 'secretsmanager:*', Resource: secretArn('prod/*') });
    const findings = diffGrant(intent, [inline('leash', ...exact.Statement), deny]);
    expect(summary(findings)).toEqual([['missing', 'urgent', 'secretsmanager:GetSecretValue', secretArn('prod/db-??????')]]);
    expect(findings[0]!.reasons[0]).toContain('explicitly denied by guard statement 0 (NoSecrets)');
  });

  it('reports a grant that covers only one version of a -?????? secret as missing', () => {
    const grant = [
      inline('leash', ...exact.Statement.filter((s) => s.Sid !== 'Secrets')),
      inline('s', { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secretArn('prod/db-AbCdEf') }),
    ];
    const findings = diffGrant(intent, grant);
    expect(summary(findings)).toEqual([['missing', 'urgent', 'secretsmanager:GetSecretValue', secretArn('prod/db-??????')]]);
    expect(findings[0]!.reasons[0]).toMatch(/only partly granted/);
    // One statement: singular verb, so the sentence reads correctly to the person triaging it.
    expect(findings[0]!.reasons[0]).toContain('(s statement 0 covers some, not all, of the resources it names)');
  });

  it('reports conditional coverage with the condition keys', () => {
    const vpce = { StringEquals: { 'aws:SourceVpce': 'vpce-0123' } };
    const grant = [inline('leash', ...exact.Statement.map((s) => (s.Sid === 'EcrPull' ? { ...s, Condition: vpce } : s)))];
    const findings = diffGrant(intent, grant);
    expect(summary(findings)).toEqual(
      ECR_PULL.slice()
        .sort()
        .map((a) => ['conditional', 'review', a, repoArn('team/web')]),
    );
    expect(findings[0]!.reasons[0]).toContain('aws:SourceVpce');
    expect(findings[0]!.grantedBy).toEqual([{ policy: 'leash', statement: 1, sid: 'EcrPull' }]);
  });

  it('blames the permissions boundary when only it is missing the grant', () => {
    const boundary = inline('boundary', { Effect: 'Allow', Action: ['ecr:*', 'logs:*'], Resource: '*' });
    const findings = diffGrant(intent, [inline('leash', ...exact.Statement)], { boundary });
    expect(summary(findings)).toEqual([['missing', 'urgent', 'secretsmanager:GetSecretValue', secretArn('prod/db-??????')]]);
    expect(findings[0]!.reasons[0]).toContain('permissions boundary boundary');
  });

  it('groups a NotAction allow into one excess finding', () => {
    const grant = [inline('leash', ...exact.Statement), inline('broad', { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })];
    const findings = diffGrant(intent, grant);
    const excess = findings.filter((f) => f.kind === 'excess');
    expect(summary(excess)).toEqual([['excess', 'review', '*', '*']]);
    expect(excess[0]!.reasons[0]).toContain('every action except iam:*');
    // The needed actions it also grants, on *, are too broad.
    expect(findings.filter((f) => f.kind === 'too-broad').map((f) => f.action)).toContain('secretsmanager:GetSecretValue');
  });

  it('orders findings by kind, action, resource regardless of input order', () => {
    const grant = [
      managed[0]!,
      inline('data', { Effect: 'Allow', Action: 's3:*', Resource: '*' }),
      inline('secrets', { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*' }),
    ];
    const reqs = [...intent, ...awslogs('/ecs/web', true)];
    const reference = JSON.stringify(diffGrant(reqs, grant));
    for (let seed = 1; seed <= 10; seed++) expect(JSON.stringify(diffGrant(shuffled(reqs, seed), shuffled(grant, seed)))).toBe(reference);
    const kinds = (JSON.parse(reference) as Finding[]).map((f) => f.kind);
    expect(kinds).toEqual(
      [...kinds].sort((a, b) => ['missing', 'excess', 'too-broad'].indexOf(a) - ['missing', 'excess', 'too-broad'].indexOf(b)),
    );
  });
});
