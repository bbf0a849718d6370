// The declared scope: parsed exactly, compared as ARNs by path segment. Each block tries a class of escape.
import { describe, expect, it } from 'vitest';
import { outOfScope, parseScopeValue, pathCovers, readScope, scopeDecision, type Scope } from '../../../lib/engine/plan/scope.js';

const ACCT = '123456789012';
const OTHER = '210987654321';
const ROLE = `arn:aws:iam::${ACCT}:role/web-exec`;
const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';

function scopeOf(value: string, more: Record<string, string> = {}): Scope {
  const r = readScope({ 'leash:scope': value, ...more }, ROLE);
  if (r.finding) throw new Error(r.finding.reasons.join('; '));
  return r.scope;
}

const inside = (scope: Scope, action: string, resource: string, role = ROLE) => scopeDecision(scope, role, { action, resource }).inside;

const secret = (name: string, account = ACCT, region = 'eu-west-1', partition = 'aws') =>
  `arn:${partition}:secretsmanager:${region}:${account}:secret:${name}`;
const param = (name: string, account = ACCT) => `arn:aws:ssm:eu-west-1:${account}:parameter/${name}`;
const group = (name: string, account = ACCT) => `arn:aws:logs:eu-west-1:${account}:log-group:${name}`;
const repo = (name: string, account = ACCT) => `arn:aws:ecr:eu-west-1:${account}:repository/${name}`;
const key = (id: string, account = ACCT) => `arn:aws:kms:eu-west-1:${account}:key/${id}`;

describe('readScope: grammar', () => {
  it('reads entries separated by spaces or commas, in one tag or its continuation keys', () => {
    const r = readScope({ 'leash:scope': '  secret:web/  parameter/web/,log-group:/ecs/web ', 'leash:scope:2': 'repository/web/' }, ROLE);
    expect(r.finding).toBeUndefined();
    expect(r.declared).toBe(true);
    expect(r.scope.entries.map((e) => [e.kind, e.name])).toEqual([
      ['secret', 'web/'],
      ['parameter', 'web/'],
      ['log-group', '/ecs/web'],
      ['repository', 'web/'],
    ]);
  });

  it('no scope tag: nothing declared, empty scope, no finding', () => {
    expect(readScope({ 'leash:mode': 'auto' }, ROLE)).toEqual({ scope: { entries: [] }, declared: false });
    expect(readScope(undefined, ROLE)).toEqual({ scope: { entries: [] }, declared: false });
  });

  it('an empty value declares an empty scope', () => {
    expect(readScope({ 'leash:scope': '' }, ROLE)).toEqual({ scope: { entries: [] }, declared: true });
  });

  it('S3 entries name a bucket and an optional key prefix; KMS entries one key ID', () => {
    const s = scopeOf(`s3:::web-config/prod/ s3:::web-assets key/${KEY_ID} key/mrk-0123456789abcdef0123456789abcdef`);
    expect(s.entries.map((e) => [e.kind, e.bucket ?? '', e.name])).toEqual([
      ['s3', 'web-config', 'prod/'],
      ['s3', 'web-assets', ''],
      ['key', '', KEY_ID],
      ['key', '', 'mrk-0123456789abcdef0123456789abcdef'],
    ]);
  });

  it.each<[string, Record<string, string>, RegExp]>([
    ['an unknown kind', { 'leash:scope': 'secrets:web/' }, /does not start with one of/],
    ['a full ARN', { 'leash:scope': `arn:aws:secretsmanager:eu-west-1:${ACCT}:secret:web/` }, /does not start with one of/],
    ['an empty name', { 'leash:scope': 'secret:' }, /not a valid secret name/],
    ['only a separator', { 'leash:scope': 'parameter/' }, /not a valid parameter name|names no path segment/],
    ['a root-only log group', { 'leash:scope': 'log-group:/' }, /names no path segment/],
    ['an empty path segment', { 'leash:scope': 'secret:web//db' }, /empty path segment/],
    ['a parameter written as its name', { 'leash:scope': 'parameter//web/' }, /empty path segment|without a second/],
    ['a wildcard', { 'leash:scope': 'secret:web/*' }, /characters outside/],
    ['a question mark', { 'leash:scope': 'secret:web/?' }, /characters outside/],
    ['a Cyrillic look-alike', { 'leash:scope': 'secret:wеb/' }, /U\+0435/],
    ['a fullwidth letter', { 'leash:scope': 'secret:ｗeb/' }, /U\+ff57/],
    ['a zero-width space', { 'leash:scope': 'secret:web/\u200b' }, /U\+200b/],
    ['a tab separator', { 'leash:scope': 'secret:web/\tparameter/web/' }, /U\+0009/],
    ['an upper-case repository', { 'leash:scope': 'repository/Web/' }, /not a valid repository name/],
    ['a key alias', { 'leash:scope': 'key/alias/web' }, /not a valid key name/],
    ['a key wildcard-ish ID', { 'leash:scope': 'key/1234' }, /not a valid key name/],
    ['a bad bucket', { 'leash:scope': 's3:::Web_Config/x' }, /not a valid s3 name/],
    ['a value longer than IAM allows', { 'leash:scope': `secret:${'a/'.repeat(130)}` }, /IAM allows 256/],
    ['a key in another case', { 'Leash:Scope': 'secret:web/' }, /is not one of leash:scope/],
    ['a continuation key beyond 9', { 'leash:scope:10': 'secret:web/' }, /is not one of leash:scope/],
    ['a named continuation key', { 'leash:scope:extra': 'secret:web/' }, /is not one of leash:scope/],
  ])('%s is an invalid-scope-tag finding and an empty scope', (_label, tags, why) => {
    const r = readScope({ ...tags, 'leash:scope:2': 'secret:ok/' }, ROLE);
    expect(r.scope.entries).toEqual([]);
    expect(r.declared).toBe(true);
    expect(r.finding).toMatchObject({ kind: 'invalid-scope-tag', severity: 'review', action: 'leash:scope', resource: ROLE });
    expect(r.finding!.reasons.join('\n')).toMatch(why);
  });

  it('parseScopeValue reports every bad entry, not only the first', () => {
    const r = parseScopeValue('secret:web/ nope:x other:y');
    expect(r).toHaveLength(2);
  });
});

describe('pathCovers: path segments, never substrings', () => {
  it.each([
    ['web/', 'web/db', true],
    ['web/', 'web/a/b', true],
    ['web/', 'web', false],
    ['web/', 'web-admin', false],
    ['web/', 'web2/x', false],
    ['web', 'web', true],
    ['web', 'web/db', true],
    ['web', 'web-admin', false],
    ['web', 'web2', false],
    ['web', 'we', false],
    ['web/', 'web/*', true],
    ['web', 'web/*', true],
    ['web', 'web*', false],
    ['web/', 'web*', false],
    ['web/', 'we?/x', false],
    ['web/', '*', false],
    ['/ecs/web', '/ecs/web', true],
    ['/ecs/web', '/ecs/web-admin', false],
  ])('%s covers %s: %s', (prefix, name, ok) => {
    expect(pathCovers(prefix, name)).toBe(ok);
  });
});

describe('scopeDecision: secrets', () => {
  const tree = scopeOf('secret:web/');
  const exact = scopeOf('secret:web');
  const get = 'secretsmanager:GetSecretValue';

  it.each([
    [tree, secret('web/db-AbCdEf'), true],
    [tree, secret('web/db-??????'), true],
    [tree, secret('web/*'), true],
    [tree, secret('web-admin-AbCdEf'), false],
    [tree, secret('web-admin/db-??????'), false],
    [tree, secret('web2/db-AbCdEf'), false],
    [tree, secret('Web/db-AbCdEf'), false],
    [tree, secret('web*'), false],
    [tree, secret('billing/db-XyZ123'), false],
    [exact, secret('web-AbCdEf'), true],
    [exact, secret('web-??????'), true],
    [exact, secret('web/db-AbCdEf'), true],
    [exact, secret('web-admin-AbCdEf'), false],
    [exact, secret('web2-AbCdEf'), false],
    [exact, secret('we-AbCdEf'), false],
  ])('%#: %s → %s', (scope, resource, ok) => {
    expect(inside(scope, get, resource)).toBe(ok);
  });

  it.each([
    ['another account', secret('web/db-AbCdEf', OTHER)],
    ['no account', secret('web/db-AbCdEf', '')],
    ['a wildcard account', secret('web/db-AbCdEf', '*')],
    ['a wildcard Region', secret('web/db-AbCdEf', ACCT, '*')],
    ['no Region', secret('web/db-AbCdEf', ACCT, '')],
    ['a Region of another partition', secret('web/db-AbCdEf', ACCT, 'cn-north-1')],
    ['another partition', secret('web/db-AbCdEf', ACCT, 'cn-north-1', 'aws-cn')],
    ['a made-up Region', secret('web/db-AbCdEf', ACCT, 'eu-evil')],
  ])('a secret in %s is outside', (_label, resource) => {
    expect(inside(tree, get, resource)).toBe(false);
  });

  it('the action must belong to the resource’s service', () => {
    expect(inside(tree, 'ssm:GetParameters', secret('web/db-AbCdEf'))).toBe(false);
    expect(scopeDecision(tree, ROLE, { action: 'ssm:GetParameters', resource: secret('web/db-AbCdEf') })).toMatchObject({
      why: 'the resource belongs to secretsmanager, the action to ssm',
    });
  });

  it('the role must be a real role ARN (its account is the scope’s account)', () => {
    expect(inside(tree, get, secret('web/db-AbCdEf'), 'arn:aws:iam::ACCOUNT:role/x')).toBe(false);
    expect(inside(tree, get, secret('web/db-AbCdEf', OTHER), `arn:aws:iam::${OTHER}:role/x`)).toBe(true);
  });
});

describe('scopeDecision: parameters, log groups, repositories', () => {
  const s = scopeOf('parameter/web/ log-group:/ecs/web repository/web/');

  it.each([
    ['ssm:GetParameters', param('web/db'), true],
    ['ssm:GetParameters', param('web/a/b'), true],
    ['ssm:GetParameters', param('web'), false],
    ['ssm:GetParameters', param('web2/db'), false],
    ['ssm:GetParameters', param('webapp'), false],
    ['ssm:GetParameters', param('security/break-glass'), false],
    ['ssm:GetParameters', param('web/db', OTHER), false],
    ['logs:CreateLogStream', `${group('/ecs/web')}:*`, true],
    ['logs:CreateLogGroup', group('/ecs/web'), true],
    ['logs:PutLogEvents', `${group('/ecs/web')}:log-stream:*`, true],
    ['logs:PutLogEvents', `${group('/ecs/web/worker')}:*`, true],
    ['logs:CreateLogStream', `${group('/ecs/web-admin')}:*`, false],
    ['logs:CreateLogStream', `${group('/ecs/web*')}:*`, false],
    ['logs:CreateLogStream', `${group('/ecs/webapp')}:*`, false],
    ['logs:CreateLogStream', `${group('/ecs/web')}:destination:x`, false],
    ['logs:CreateLogStream', `${group('/ecs/web', OTHER)}:*`, false],
    ['ecr:BatchGetImage', repo('web/api'), true],
    ['ecr:BatchGetImage', repo('web/*'), true],
    ['ecr:BatchGetImage', repo('web'), false],
    ['ecr:BatchGetImage', repo('webapp'), false],
    ['ecr:BatchGetImage', repo('web/api', OTHER), false],
    ['ecr:BatchGetImage', repo('web*'), false],
  ])('%s on %s → %s', (action, resource, ok) => {
    expect(inside(s, action, resource)).toBe(ok);
  });

  it('ecr:GetAuthorizationToken on "*" is inside once a repository entry is; any other "*" never is', () => {
    expect(inside(s, 'ecr:GetAuthorizationToken', '*')).toBe(true);
    expect(inside(scopeOf('secret:web/'), 'ecr:GetAuthorizationToken', '*')).toBe(false);
    expect(inside(s, 'secretsmanager:GetSecretValue', '*')).toBe(false);
    expect(inside(s, 'kms:Decrypt', '*')).toBe(false);
  });
});

describe('scopeDecision: KMS keys only by explicit key/<id>', () => {
  it('a secret in scope does not put its KMS key in scope', () => {
    const d = scopeDecision(scopeOf('secret:web/'), ROLE, { action: 'kms:Decrypt', resource: key(KEY_ID) });
    expect(d).toEqual({ inside: false, why: expect.stringContaining('explicit key/<key-id> entry') });
  });

  it('an explicit key entry covers that key only, in the role’s account', () => {
    const s = scopeOf(`secret:web/ key/${KEY_ID}`);
    expect(inside(s, 'kms:Decrypt', key(KEY_ID))).toBe(true);
    expect(inside(s, 'kms:Decrypt', key('1234abcd-12ab-34cd-56ef-1234567890ac'))).toBe(false);
    expect(inside(s, 'kms:Decrypt', key(KEY_ID, OTHER))).toBe(false);
    expect(inside(s, 'kms:Decrypt', key('*'))).toBe(false);
    expect(inside(s, 'kms:Decrypt', `arn:aws:kms:eu-west-1:${ACCT}:alias/web`)).toBe(false);
    expect(inside(s, 'kms:Decrypt', key(`${KEY_ID}/x`))).toBe(false);
  });
});

describe('scopeDecision: S3 is never "same account"', () => {
  const s = scopeOf('s3:::web-config/prod/ s3:::web-assets');

  it.each([
    ['s3:GetObject', 'arn:aws:s3:::web-config/prod/app.env', true],
    ['s3:GetObject', 'arn:aws:s3:::web-config/prod/a/b.env', true],
    ['s3:GetBucketLocation', 'arn:aws:s3:::web-config', true],
    ['s3:GetObject', 'arn:aws:s3:::web-assets/anything', true],
    ['s3:GetObject', 'arn:aws:s3:::web-config/production/app.env', false],
    ['s3:GetObject', 'arn:aws:s3:::web-config/prod', false],
    ['s3:GetObject', 'arn:aws:s3:::web-config/*', false],
    ['s3:GetObject', 'arn:aws:s3:::web-config-evil/prod/app.env', false],
    ['s3:GetObject', 'arn:aws:s3:::web-confi*/prod/app.env', false],
    ['s3:GetObject', 'arn:aws:s3:::other-org-bucket/app.env', false],
    ['s3:GetBucketLocation', 'arn:aws:s3:::other-org-bucket', false],
    ['s3:GetObject', `arn:aws:s3:eu-west-1:${ACCT}:web-config/prod/app.env`, false],
    ['s3:GetObject', 'arn:aws-cn:s3:::web-config/prod/app.env', false],
  ])('%s on %s → %s', (action, resource, ok) => {
    expect(inside(s, action, resource)).toBe(ok);
  });

  it('without an s3 entry no S3 object is inside, whatever else is declared', () => {
    const d = scopeDecision(scopeOf('secret:web/ parameter/web/'), ROLE, { action: 's3:GetObject', resource: 'arn:aws:s3:::web/app.env' });
    expect(d).toEqual({ inside: false, why: 'no s3::: entry for bucket web (S3 objects are never "same account")' });
  });
});

describe('outOfScope: the issue’s example', () => {
  it('another team’s secret, its KMS key, an unknown bucket and a parameter outside the scope each go to a person', () => {
    const s = scopeOf('secret:web/ parameter/web/ log-group:/ecs/web repository/web/');
    const lines = outOfScope(s, ROLE, [
      { action: 'secretsmanager:GetSecretValue', resource: secret('web/db-AbCdEf') },
      { action: 'secretsmanager:GetSecretValue', resource: secret('billing/db-XyZ123') },
      { action: 'kms:Decrypt', resource: key(KEY_ID) },
      { action: 's3:GetObject', resource: 'arn:aws:s3:::another-org/env/app.env' },
      { action: 'ssm:GetParameters', resource: param('security/break-glass') },
      { action: 'logs:CreateLogStream', resource: `${group('/ecs/web')}:*` },
    ]);
    expect(lines).toHaveLength(4);
    for (const l of lines) expect(l).toContain('outside the declared scope');
    expect(lines.join('\n')).not.toContain('web/db');
  });
});
