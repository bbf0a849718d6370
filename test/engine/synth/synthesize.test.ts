import { describe, expect, it } from 'vitest';
import { LeashError } from '../../../lib/errors.js';
import { coversRequirement } from '../../../lib/engine/policy/evaluate.js';
import { policySize } from '../../../lib/engine/synth/size.js';
import { synthesize } from '../../../lib/engine/synth/synthesize.js';
import type { NamedPolicy, Requirement } from '../../../lib/engine/types.js';
import {
  ACCT,
  REGION,
  awslogs,
  ecrImage,
  envFile,
  groupArn,
  kmsKey,
  parameter,
  paramArn,
  repoArn,
  secret,
  secretArn,
  shuffled,
} from './fixtures.js';

const KEY = '1234abcd-12ab-34cd-56ef-1234567890ab';
const intent: Requirement[] = [
  ...ecrImage('team/web'),
  ...ecrImage('team/worker'),
  ...awslogs('/ecs/web', true),
  ...awslogs('/ecs/worker'),
  ...secret('prod/db'),
  ...parameter('/prod/web/api_key'),
  ...kmsKey(KEY),
  ...envFile('config-bucket', 'web/app.env'),
];

const asPolicy = (document: NamedPolicy['document']): NamedPolicy => ({ name: 'leash', kind: 'inline', document });

describe('synthesize: minimal statements', () => {
  it('groups resources by action set, ECR token alone on *, sorted, with content-derived Sids', () => {
    const { document, compaction, size } = synthesize(intent);
    expect(compaction).toEqual([]);
    expect(size).toBe(policySize(document));
    expect(document).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'EcrAuth', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
        {
          Sid: 'EcrPull',
          Effect: 'Allow',
          Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
          Resource: [repoArn('team/web'), repoArn('team/worker')],
        },
        {
          Sid: 'Logs1',
          Effect: 'Allow',
          Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: `${groupArn('/ecs/web')}:*`,
        },
        { Sid: 'Logs2', Effect: 'Allow', Action: 'logs:CreateLogGroup', Resource: groupArn('/ecs/web') },
        { Sid: 'Logs3', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: `${groupArn('/ecs/worker')}:*` },
        {
          Sid: 'SsmParameters',
          Effect: 'Allow',
          Action: 'ssm:GetParameters',
          Resource: `arn:aws:ssm:${REGION}:${ACCT}:parameter/prod/web/api_key`,
        },
        { Sid: 'Secrets', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secretArn('prod/db-??????') },
        { Sid: 'KmsDecrypt', Effect: 'Allow', Action: 'kms:Decrypt', Resource: `arn:aws:kms:${REGION}:${ACCT}:key/${KEY}` },
        { Sid: 'S3Buckets', Effect: 'Allow', Action: 's3:GetBucketLocation', Resource: 'arn:aws:s3:::config-bucket' },
        { Sid: 'S3Objects', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::config-bucket/web/app.env' },
      ],
    });
  });

  it('is byte-identical for any input order, duplicates and action case', () => {
    const reference = JSON.stringify(synthesize(intent));
    const noisy = [...intent, ...intent.slice(0, 5), { ...intent[1]!, action: 'ECR:batchcheckLAYERavailability' }];
    for (let seed = 1; seed <= 25; seed++) expect(JSON.stringify(synthesize(shuffled(noisy, seed)))).toBe(reference);
  });

  it('prefixes Sids with sidPrefix (alphanumerics only)', () => {
    const sids = synthesize(intent, { sidPrefix: 'Leash-' }).document.Statement.map((s) => s.Sid);
    expect(sids[0]).toBe('LeashEcrAuth');
    expect(sids.every((s) => /^Leash[A-Za-z0-9]+$/.test(s!))).toBe(true);
  });

  it('returns an empty statement list for no requirements', () => {
    expect(synthesize([]).document).toEqual({ Version: '2012-10-17', Statement: [] });
  });
});

describe('policySize', () => {
  it('counts the characters of the JSON without white space', () => {
    // {"Version":"2012-10-17","Statement":[]} is 39 characters.
    expect(policySize({ Version: '2012-10-17', Statement: [] })).toBe(39);
    const spaced = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow' as const, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/a b' }],
    };
    expect(policySize(spaced)).toBe(JSON.stringify(spaced).length - 1);
  });
});

describe('synthesize: compaction within the size budget', () => {
  const covered = (reqs: Requirement[], doc: NamedPolicy['document']) =>
    reqs.filter((r) => coversRequirement([asPolicy(doc)], r).decision !== 'allowed');

  it.each([
    ['log groups', (i: number) => awslogs(`/ecs/svc-${i}`, true), `${groupArn('/ecs/svc-')}*`],
    ['repositories', (i: number) => ecrImage(`team/service-${i}`), `${repoArn('team/service-')}*`],
    ['secrets', (i: number) => secret(`prod/app-${i}`), `${secretArn('prod/app-')}*`],
    ['parameters', (i: number) => parameter(`/prod/svc${i}/password`), `${paramArn('prod/')}*`],
  ])('fits 500 %s into 10,240 characters, says what it added, and still covers all', (_what, make, pattern) => {
    const reqs = Array.from({ length: 500 }, (_, i) => make(i)).flat();
    const out = synthesize(reqs);
    expect(policySize(synthesize(reqs, { maxSize: 1e9 }).document)).toBeGreaterThan(10_240);
    expect(out.size).toBeLessThanOrEqual(10_240);
    expect(out.compaction.length).toBeGreaterThan(0);
    const note = out.compaction.find((n) => n.to === pattern);
    expect(note).toBeDefined();
    expect(note!.from.length).toBeGreaterThan(1);
    expect(note!.extraAccess).toContain(pattern);
    expect(covered(reqs, out.document)).toEqual([]);
  });

  it('fits 500 log groups, 500 repositories and 500 secrets together', () => {
    const reqs = Array.from({ length: 500 }, (_, i) => [
      ...awslogs(`/ecs/svc-${i}`),
      ...ecrImage(`team/service-${i}`),
      ...secret(`prod/app-${i}`),
    ]).flat();
    const out = synthesize(reqs);
    expect(out.size).toBeLessThanOrEqual(10_240);
    expect(covered(reqs, out.document)).toEqual([]);
    expect(JSON.stringify(synthesize(shuffled(reqs, 7)))).toBe(JSON.stringify(out));
  });

  it('prefers the longest shared prefix (least extra access) first', () => {
    const reqs = [...['/ecs/a/1', '/ecs/a/2', '/ecs/b/1'].flatMap((g) => awslogs(g))];
    const full = policySize(synthesize(reqs, { maxSize: 1e9 }).document);
    const out = synthesize(reqs, { maxSize: full - 1 });
    expect(out.compaction.map((n) => n.to)).toEqual([`${groupArn('/ecs/a/')}*`, `${groupArn('/ecs/a/')}*`]);
    expect(out.compaction[0]!.from).toEqual([`${groupArn('/ecs/a/1')}:*`, `${groupArn('/ecs/a/2')}:*`]);
  });

  it('does not widen a small statement when compacting a large one is enough', () => {
    const reqs = [...ecrImage('team/a'), ...ecrImage('team/b'), ...Array.from({ length: 300 }, (_, i) => awslogs(`/ecs/svc-${i}`)).flat()];
    const out = synthesize(reqs);
    expect([...new Set(out.compaction.map((n) => n.to))]).toEqual([`${groupArn('/ecs/svc-')}*`]);
    expect(out.document.Statement.find((st) => st.Sid === 'EcrPull')!.Resource).toEqual([repoArn('team/a'), repoArn('team/b')]);
  });

  it('throws a LeashError when even compaction cannot fit the budget', () => {
    expect(() => synthesize(intent, { maxSize: 300 })).toThrow(LeashError);
    expect(() => synthesize(intent, { maxSize: 300 })).toThrow(/300-character limit/);
  });
});
