import { describe, expect, it } from 'vitest';
import { InputError, PolicyError } from '../../../lib/errors.js';
import { parsePolicyDocument, parsePolicyFile } from '../../../lib/engine/policy/parse.js';
import { corpusPath, readCorpusText } from '../../support/corpus.js';
import { thrown } from '../../support/thrown.js';

// Spec §1: v1 of the managed policy, six actions on "*", no logs:CreateLogGroup.
const MANAGED_ACTIONS = [
  'ecr:GetAuthorizationToken',
  'ecr:BatchCheckLayerAvailability',
  'ecr:GetDownloadUrlForLayer',
  'ecr:BatchGetImage',
  'logs:CreateLogStream',
  'logs:PutLogEvents',
];

const policyErrorOf = (fn: () => unknown): PolicyError => thrown(fn, PolicyError);

describe('parsePolicyFile on the corpus', () => {
  it('reads `aws iam get-policy-version` output (MAMIP copy of AmazonECSTaskExecutionRolePolicy)', () => {
    const file = 'managed-policies/AmazonECSTaskExecutionRolePolicy.MAMIP.json';
    const [policy, ...rest] = parsePolicyFile(readCorpusText(file), corpusPath(file));
    expect(rest).toEqual([]);
    expect(policy!.name).toBe('AmazonECSTaskExecutionRolePolicy');
    expect(policy!.kind).toBe('managed'); // no ARN in get-policy-version output
    expect(policy!.document.Statement).toHaveLength(1);
    expect(policy!.document.Statement[0]).toEqual({ Effect: 'Allow', Action: MANAGED_ACTIONS, Resource: '*' });
  });

  it('reads the iam-dataset record and infers aws-managed from the ARN', () => {
    const file = 'managed-policies/AmazonECSTaskExecutionRolePolicy.iam-dataset.json';
    const [policy] = parsePolicyFile(readCorpusText(file), corpusPath(file));
    expect(policy).toEqual({
      name: 'AmazonECSTaskExecutionRolePolicy',
      kind: 'aws-managed',
      arn: 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy',
      document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: MANAGED_ACTIONS, Resource: '*' }] },
    });
    expect(JSON.stringify(policy!.document)).not.toContain('CreateLogGroup');
  });
});

describe('parsePolicyFile shapes', () => {
  const doc = {
    Version: '2012-10-17',
    Statement: { Effect: 'Allow', Action: 'ssm:GetParameters', Resource: 'arn:aws:ssm:us-east-1:123456789012:parameter/a' },
  };

  it('reads get-role-policy output with a URL-encoded document (as the IAM API returns it)', () => {
    const text = JSON.stringify({ RoleName: 'exec', PolicyName: 'ssm-read', PolicyDocument: encodeURIComponent(JSON.stringify(doc)) });
    const [p] = parsePolicyFile(text, 'get-role-policy.json');
    expect(p!.name).toBe('ssm-read');
    expect(p!.kind).toBe('inline');
    expect(p!.document.Statement).toEqual([doc.Statement]);
  });

  it('reads a bare document (named after the file) and arrays of records', () => {
    expect(parsePolicyFile(JSON.stringify(doc), '/tmp/my-policy.json')[0]!.name).toBe('my-policy');
    const arr = [
      { PolicyName: 'a', PolicyDocument: doc },
      { PolicyName: 'b', PolicyArn: 'arn:aws:iam::123456789012:policy/team/b', PolicyDocument: doc },
    ];
    expect(parsePolicyFile(JSON.stringify(arr), 'x.json').map((p) => [p.name, p.kind])).toEqual([
      ['a', 'inline'],
      ['b', 'managed'],
    ]);
  });

  it('reports errors with the full JSON path inside the record', () => {
    const bad = [
      { PolicyName: 'a', PolicyDocument: doc },
      { PolicyName: 'b', PolicyDocument: { Statement: [doc.Statement, { ...doc.Statement, Effect: 'allow' }] } },
    ];
    const err = policyErrorOf(() => parsePolicyFile(JSON.stringify(bad), 'bad.json'));
    expect(err.jsonPath).toBe('$[1].PolicyDocument.Statement[1].Effect');
    expect(err.source).toBe('bad.json');
  });
});

describe('parsePolicyDocument', () => {
  const stmt = { Effect: 'Allow', Action: 'ecr:BatchGetImage', Resource: '*' };

  it('accepts objects, JSON strings and URL-encoded JSON strings alike', () => {
    const doc = { Version: '2012-10-17', Statement: [stmt] };
    const expected = { Version: '2012-10-17', Statement: [stmt] };
    expect(parsePolicyDocument(doc, 's')).toEqual(expected);
    expect(parsePolicyDocument(JSON.stringify(doc), 's')).toEqual(expected);
    expect(parsePolicyDocument(encodeURIComponent(JSON.stringify(doc)), 's')).toEqual(expected);
  });

  it('normalizes a single Statement object to a list and does not alias the input', () => {
    const raw = { Statement: { ...stmt, Action: ['ecr:BatchGetImage'] } };
    const out = parsePolicyDocument(raw, 's');
    expect(out.Statement).toEqual([{ ...stmt, Action: ['ecr:BatchGetImage'] }]);
    (out.Statement[0]!.Action as string[]).push('x:y');
    expect(raw.Statement.Action).toEqual(['ecr:BatchGetImage']);
  });

  it.each([
    [{ Statement: [stmt, { ...stmt, Effect: 'Maybe' }] }, '$.Statement[1].Effect'],
    [{ Statement: [{ Effect: 'Allow', Action: 'a:b', NotAction: 'c:d', Resource: '*' }] }, '$.Statement[0].NotAction'],
    [{ Statement: [{ Effect: 'Allow', Resource: '*' }] }, '$.Statement[0].Action'],
    [{ Statement: [{ Effect: 'Allow', Action: 'a:b' }] }, '$.Statement[0].Resource'],
    [{ Statement: [{ Effect: 'Allow', Action: 'a:b', Resource: '*', NotResource: 'x' }] }, '$.Statement[0].NotResource'],
    [{ Statement: [{ Effect: 'Allow', Action: [], Resource: '*' }] }, '$.Statement[0].Action'],
    [{ Statement: [{ Effect: 'Allow', Action: ['ecr:BatchGetImage', 'GetObject'], Resource: '*' }] }, '$.Statement[0].Action[1]'],
    [{ Statement: [{ Effect: 'Allow', Action: 'a:b', Resource: ['*', 3] }] }, '$.Statement[0].Resource[1]'],
    [{ Statement: [{ ...stmt, Principal: '*' }] }, '$.Statement[0].Principal'],
    [{ Statement: [{ ...stmt, Effects: 'Allow' }] }, '$.Statement[0].Effects'],
    [{ Statement: [{ ...stmt, Condition: 'yes' }] }, '$.Statement[0].Condition'],
    [{ Version: '2020-01-01', Statement: [stmt] }, '$.Version'],
    [{ Version: '2012-10-17' }, '$.Statement'],
  ])('rejects %j at %s', (raw, path) => {
    const err = policyErrorOf(() => parsePolicyDocument(raw, 'inline:test'));
    expect(err.jsonPath).toBe(path);
    expect(err.name).toBe('PolicyError');
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toContain(`inline:test: ${path}:`);
  });

  it('rejects text that is neither JSON nor URL-encoded JSON, keeping the cause', () => {
    const err = policyErrorOf(() => parsePolicyDocument('%7Bnot json', 's'));
    expect(err.jsonPath).toBe('$');
    expect(err.cause).toBeInstanceOf(SyntaxError);
  });

  it('accepts a trust policy (Principal, no Resource) when asked to', () => {
    const trust = { Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
    expect(parsePolicyDocument(trust, 's', { kind: 'trust' }).Statement[0]!.Principal).toEqual({ Service: 'ecs-tasks.amazonaws.com' });
    expect(policyErrorOf(() => parsePolicyDocument(trust, 's')).jsonPath).toBe('$.Statement[0].Resource');
  });
});
