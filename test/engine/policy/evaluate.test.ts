import { describe, expect, it } from 'vitest';
import { coversRequirement, evaluate } from '../../../lib/engine/policy/evaluate.js';
import { parsePolicyFile } from '../../../lib/engine/policy/parse.js';
import type { NamedPolicy, PolicyStatement } from '../../../lib/engine/types.js';
import { corpusPath, readCorpusText } from '../../support/corpus.js';

const ACCT = '123456789012';
const REPO = `arn:aws:ecr:us-east-1:${ACCT}:repository/team/web`;
const GROUP = `arn:aws:logs:us-east-1:${ACCT}:log-group:/ecs/web`;
const SECRET = `arn:aws:secretsmanager:us-east-1:${ACCT}:secret:`;

const policy = (name: string, ...Statement: PolicyStatement[]): NamedPolicy => ({
  name,
  kind: 'inline',
  document: { Version: '2012-10-17', Statement },
});
const managedFile = 'managed-policies/AmazonECSTaskExecutionRolePolicy.iam-dataset.json';
const managed = parsePolicyFile(readCorpusText(managedFile), corpusPath(managedFile));

describe('evaluate with the real AmazonECSTaskExecutionRolePolicy', () => {
  it('allows the six actions it lists, on any resource', () => {
    expect(evaluate(managed, { action: 'ecr:GetAuthorizationToken', resource: '*' }).decision).toBe('allowed');
    expect(evaluate(managed, { action: 'ecr:BatchGetImage', resource: REPO }).decision).toBe('allowed');
    expect(evaluate(managed, { action: 'logs:CreateLogStream', resource: `${GROUP}:log-stream:ecs/web/abc` }).decision).toBe('allowed');
    const ev = evaluate(managed, { action: 'logs:PutLogEvents', resource: `${GROUP}:log-stream:x` });
    expect(ev.matched).toEqual([{ policy: 'AmazonECSTaskExecutionRolePolicy', statement: 0 }]);
  });

  it('does not allow logs:CreateLogGroup, secrets or KMS (spec §1)', () => {
    for (const [action, resource] of [
      ['logs:CreateLogGroup', GROUP],
      ['secretsmanager:GetSecretValue', `${SECRET}db-AbCdEf`],
      ['ssm:GetParameters', `arn:aws:ssm:us-east-1:${ACCT}:parameter/a`],
      ['kms:Decrypt', `arn:aws:kms:us-east-1:${ACCT}:key/k`],
      ['ecr:PutImage', REPO],
    ]) {
      expect(evaluate(managed, { action: action!, resource: resource! })).toEqual({ decision: 'implicit-deny', matched: [] });
    }
  });
});

describe('evaluate: IAM identity-policy semantics', () => {
  it('lets an explicit Deny win over an Allow and reports the denying statement', () => {
    const ps = [
      managed[0]!,
      policy('guard', { Sid: 'NoPull', Effect: 'Deny', Action: 'ecr:BatchGetImage', Resource: `arn:aws:ecr:*:${ACCT}:repository/team/*` }),
    ];
    expect(evaluate(ps, { action: 'ecr:BatchGetImage', resource: REPO })).toEqual({
      decision: 'explicit-deny',
      matched: [{ policy: 'guard', statement: 0, sid: 'NoPull' }],
    });
    expect(evaluate(ps, { action: 'ecr:BatchGetImage', resource: `arn:aws:ecr:us-east-1:${ACCT}:repository/other` }).decision).toBe(
      'allowed',
    );
  });

  it('applies NotAction and NotResource as complements', () => {
    const p = policy('p', { Effect: 'Allow', NotAction: ['iam:*', 'ecr:Put*'], NotResource: `${SECRET}prod-*` });
    expect(evaluate([p], { action: 'ecr:BatchGetImage', resource: REPO }).decision).toBe('allowed');
    expect(evaluate([p], { action: 'ecr:PutImage', resource: REPO }).decision).toBe('implicit-deny');
    expect(evaluate([p], { action: 'secretsmanager:GetSecretValue', resource: `${SECRET}prod-db-AbCdEf` }).decision).toBe('implicit-deny');
    expect(evaluate([p], { action: 'secretsmanager:GetSecretValue', resource: `${SECRET}dev-db-AbCdEf` }).decision).toBe('allowed');
  });

  it('treats a short ARN in NotResource like its padded form (trailing * expands beyond colons)', () => {
    for (const nr of ['arn:aws:logs:*', 'arn:aws:logs:*:*:*']) {
      const p = policy('p', { Effect: 'Allow', Action: '*', NotResource: nr });
      expect(evaluate([p], { action: 'secretsmanager:GetSecretValue', resource: `${SECRET}a-AbCdEf` }).decision).toBe('allowed');
      expect(evaluate([p], { action: 'logs:CreateLogGroup', resource: GROUP }).decision).toBe('implicit-deny');
    }
  });

  it('matches actions case-insensitively but resources case-sensitively', () => {
    const p = policy('p', { Effect: 'Allow', Action: 'ECR:batchgetimage', Resource: REPO });
    expect(evaluate([p], { action: 'ecr:BatchGetImage', resource: REPO }).decision).toBe('allowed');
    expect(evaluate([p], { action: 'ecr:BatchGetImage', resource: REPO.replace('web', 'Web') }).decision).toBe('implicit-deny');
  });
});

describe('evaluate: conditions', () => {
  const cond = { StringEquals: { 'aws:SourceVpce': 'vpce-1' } };
  const allow: PolicyStatement = { Effect: 'Allow', Action: 'ecr:BatchGetImage', Resource: '*' };
  const req = { action: 'ecr:BatchGetImage', resource: REPO };

  it('unconditional Allow + conditional Deny → conditional, naming the condition', () => {
    const ev = evaluate([policy('p', allow, { Sid: 'Vpce', Effect: 'Deny', Action: 'ecr:*', Resource: '*', Condition: cond })], req);
    expect(ev).toEqual({ decision: 'conditional', matched: [{ policy: 'p', statement: 1, sid: 'Vpce' }], conditions: [cond] });
  });

  it('conditional Allow only → conditional', () => {
    const ev = evaluate([policy('p', { ...allow, Condition: cond })], req);
    expect(ev.decision).toBe('conditional');
    expect(ev.conditions).toEqual([cond]);
  });

  it('conditional Deny and no Allow → implicit-deny; unconditional Deny beats a conditional Allow', () => {
    expect(evaluate([policy('p', { Effect: 'Deny', Action: '*', Resource: '*', Condition: cond })], req).decision).toBe('implicit-deny');
    expect(evaluate([policy('p', { ...allow, Condition: cond }, { Effect: 'Deny', Action: '*', Resource: REPO })], req).decision).toBe(
      'explicit-deny',
    );
  });

  it('an empty Condition block is no condition; a policy variable in Resource is context-dependent', () => {
    expect(evaluate([policy('p', { ...allow, Condition: {} })], req).decision).toBe('allowed');
    const v = policy('p', { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/${aws:PrincipalTag/team}/*' });
    expect(evaluate([v], { action: 's3:GetObject', resource: 'arn:aws:s3:::b/web/x.env' }).decision).toBe('conditional');
  });
});

describe('evaluate: permissions boundary', () => {
  const identity = [policy('id', { Effect: 'Allow', Action: ['ecr:*', 'logs:*'], Resource: '*' })];
  const boundary = policy(
    'boundary',
    { Effect: 'Allow', Action: 'ecr:*', Resource: '*' },
    { Effect: 'Deny', Action: 'ecr:PutImage', Resource: '*' },
  );

  it('allows only what both allow', () => {
    expect(evaluate(identity, { action: 'ecr:BatchGetImage', resource: REPO }, { boundary }).decision).toBe('allowed');
    expect(evaluate(identity, { action: 'logs:CreateLogGroup', resource: GROUP }, { boundary }).decision).toBe('implicit-deny');
    expect(evaluate(identity, { action: 'ecr:PutImage', resource: REPO }, { boundary })).toEqual({
      decision: 'explicit-deny',
      matched: [{ policy: 'boundary', statement: 1 }],
    });
    // Without identity allow, the boundary alone grants nothing.
    expect(evaluate([], { action: 'ecr:BatchGetImage', resource: REPO }, { boundary }).decision).toBe('implicit-deny');
  });

  it('is conditional when the boundary allows only conditionally', () => {
    const b = policy('b', { Effect: 'Allow', Action: '*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'true' } } });
    expect(evaluate(identity, { action: 'ecr:BatchGetImage', resource: REPO }, { boundary: b }).decision).toBe('conditional');
  });
});

describe('coversRequirement: every resource of the requirement pattern', () => {
  const need = (action: string, resource: string) => ({ action, resource, reasons: [] });

  it('covers a -?????? secret only with a grant that includes all six-character suffixes', () => {
    const r = need('secretsmanager:GetSecretValue', `${SECRET}db-??????`);
    expect(
      coversRequirement([policy('p', { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: `${SECRET}db-??????` })], r)
        .decision,
    ).toBe('allowed');
    expect(coversRequirement([policy('p', { Effect: 'Allow', Action: 'secretsmanager:*', Resource: `${SECRET}db-*` })], r).decision).toBe(
      'allowed',
    );
    expect(
      coversRequirement([policy('p', { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: `${SECRET}db-AbCdEf` })], r)
        .decision,
    ).toBe('implicit-deny');
  });

  it('covers log-group:G:* and repository/prefix/* only with wider or equal grants', () => {
    const logs = need('logs:CreateLogStream', `${GROUP}:*`);
    const grant = (Resource: string) => [policy('p', { Effect: 'Allow', Action: 'logs:CreateLogStream', Resource })];
    expect(coversRequirement(grant(`arn:aws:logs:us-east-1:${ACCT}:log-group:/ecs/*`), logs).decision).toBe('allowed');
    // Only some of the group's streams: not enough (every stream of G is; see 'log streams' below).
    expect(coversRequirement(grant(`${GROUP}:log-stream:web-*`), logs).decision).toBe('implicit-deny');
    const repos = need('ecr:BatchGetImage', `arn:aws:ecr:us-east-1:${ACCT}:repository/cache/*`);
    const ecr = (Resource: string) => [policy('p', { Effect: 'Allow', Action: 'ecr:BatchGetImage', Resource })];
    expect(coversRequirement(ecr(`arn:aws:ecr:us-east-1:${ACCT}:repository/*`), repos).decision).toBe('allowed');
    expect(coversRequirement(ecr(`arn:aws:ecr:us-east-1:${ACCT}:repository/cache/nginx`), repos).decision).toBe('implicit-deny');
  });

  it('counts a Deny that overlaps part of the requirement as a deny', () => {
    const r = need('secretsmanager:GetSecretValue', `${SECRET}db-??????`);
    const allowAll: PolicyStatement = { Effect: 'Allow', Action: '*', Resource: '*' };
    expect(
      coversRequirement(
        [policy('p', allowAll, { Effect: 'Deny', Action: 'secretsmanager:GetSecretValue', Resource: `${SECRET}db-AbCdEf` })],
        r,
      ).decision,
    ).toBe('explicit-deny');
    expect(
      coversRequirement(
        [policy('p', allowAll, { Effect: 'Deny', Action: 'secretsmanager:GetSecretValue', Resource: `${SECRET}other-*` })],
        r,
      ).decision,
    ).toBe('allowed');
  });

  it('reads the * of ecr:GetAuthorizationToken as the literal request resource', () => {
    const r = need('ecr:GetAuthorizationToken', '*');
    const ps = [managed[0]!, policy('guard', { Effect: 'Deny', Action: 'ecr:*', Resource: REPO })];
    expect(coversRequirement(ps, r).decision).toBe('allowed');
    expect(
      coversRequirement([policy('p', { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: `arn:aws:ecr:*:${ACCT}:*` })], r)
        .decision,
    ).toBe('implicit-deny');
  });
});

describe('log streams', () => {
  const group = 'arn:aws:logs:us-east-1:111122223333:log-group:/ecs/app';
  const policy = (Resource: string): NamedPolicy => ({
    name: 'p',
    kind: 'inline',
    document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource }] },
  });
  const req = (action: string) => ({ action, resource: `${group}:*`, reasons: [] });

  it('a grant on log-group:G:log-stream:* covers the stream requirement log-group:G:*', () => {
    expect(coversRequirement([policy(`${group}:log-stream:*`)], req('logs:CreateLogStream')).decision).toBe('allowed');
    expect(coversRequirement([policy(`${group}:log-stream:*`)], req('logs:PutLogEvents')).decision).toBe('allowed');
  });

  it('but not another group, a single stream, or another action', () => {
    expect(
      coversRequirement([policy('arn:aws:logs:us-east-1:111122223333:log-group:/ecs/other:log-stream:*')], req('logs:CreateLogStream'))
        .decision,
    ).toBe('implicit-deny');
    expect(coversRequirement([policy(`${group}:log-stream:one`)], req('logs:PutLogEvents')).decision).toBe('implicit-deny');
    expect(coversRequirement([policy(`${group}:log-stream:*`)], req('logs:CreateLogGroup')).decision).toBe('implicit-deny');
  });
});
