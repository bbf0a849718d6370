import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../lib/engine/plan/canonical.js';
import { decodePolicyDocument, normalizeForHash } from '../../../lib/engine/role/policy-document.js';
import { PolicyError } from '../../../lib/errors.js';
import { readCorpusText } from '../../support/corpus.js';

describe('decodePolicyDocument', () => {
  it('decodes IAM’s URL encoding (the real managed policy, encoded the way IAM returns it)', () => {
    const text = readCorpusText('managed-policies', 'AmazonECSTaskExecutionRolePolicy.MAMIP.json');
    const real = (JSON.parse(text) as { PolicyVersion: { Document: unknown } }).PolicyVersion.Document;
    const encoded = encodeURIComponent(JSON.stringify(real));
    expect(decodePolicyDocument(encoded, 't')).toEqual(real);
  });

  it('keeps a % inside a value intact when the document arrives already decoded', () => {
    const plain = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/100%"}]}';
    expect(decodePolicyDocument(plain, 't').Statement[0]!.Resource).toBe('arn:aws:s3:::b/100%');
  });

  it('names the source and JSON path of what is wrong', () => {
    const cases: [string | undefined, string][] = [
      [undefined, '$'],
      ['%E0%A4%A', '$'],
      ['%7B%22Version%22', '$'],
      [encodeURIComponent('[1]'), '$'],
      [encodeURIComponent('{"Version":"2012-10-17"}'), '$.Statement'],
      [encodeURIComponent('{"Statement":[{"Effect":"Allow"},"x"]}'), '$.Statement[1]'],
    ];
    for (const [raw, path] of cases) {
      const err = (() => {
        try {
          decodePolicyDocument(raw, 'iam:role/r#inline/p');
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(PolicyError);
      expect(err).toMatchObject({ name: 'PolicyError', source: 'iam:role/r#inline/p', jsonPath: path });
    }
  });
});

describe('normalizeForHash / canonicalJson', () => {
  it('makes equivalent documents serialize identically', () => {
    const a = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow' as const, Action: 'logs:PutLogEvents', Resource: ['b', 'a'] },
        {
          Effect: 'Allow' as const,
          Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
          Resource: '*',
          Condition: { Bool: { 'aws:SecureTransport': 'true' } },
        },
      ],
    };
    const b = {
      Statement: [
        {
          Resource: '*',
          Action: ['ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage', 'ecr:BatchGetImage'],
          Effect: 'Allow' as const,
          Condition: { Bool: { 'aws:SecureTransport': [true] } },
        },
        { Effect: 'Allow' as const, Resource: ['a', 'b'], Action: ['logs:PutLogEvents'] },
      ],
      Version: '2012-10-17',
    };
    expect(canonicalJson(normalizeForHash(a))).toBe(canonicalJson(normalizeForHash(b)));
  });

  it('keeps meaningful differences', () => {
    const base = { Version: '2012-10-17', Statement: [{ Effect: 'Allow' as const, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/k' }] };
    const deny = { ...base, Statement: [{ ...base.Statement[0]!, Effect: 'Deny' as const }] };
    const notAction = { ...base, Statement: [{ Effect: 'Allow' as const, NotAction: 's3:GetObject', Resource: 'arn:aws:s3:::b/k' }] };
    const oldVersion = { ...base, Version: '2008-10-17' };
    const all = [base, deny, notAction, oldVersion].map((d) => canonicalJson(normalizeForHash(d)));
    expect(new Set(all).size).toBe(4);
  });
});
