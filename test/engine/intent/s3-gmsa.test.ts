import { describe, expect, it } from 'vitest';
import { deriveIntent } from '../../../lib/engine/intent/index.js';
import type { ContainerDefinition } from '../../../lib/engine/types.js';
import { ACCT, codes, pairs, td, unresolved } from './helpers.js';

const c = (extra: Partial<ContainerDefinition>): ContainerDefinition => ({ name: 'app', image: 'nginx', ...extra });

describe('environmentFiles (row 11)', () => {
  it('s3 → GetObject on the object and GetBucketLocation on the bucket', () => {
    const intent = deriveIntent([td([c({ environmentFiles: [{ type: 's3', value: 'arn:aws:s3:::conf-bucket/env/app.env' }] })])]);
    expect(pairs(intent)).toEqual(['s3:GetBucketLocation arn:aws:s3:::conf-bucket', 's3:GetObject arn:aws:s3:::conf-bucket/env/app.env']);
    expect(intent.requirements[0]!.reasons[0]!.field).toBe('containerDefinitions[0].environmentFiles[0].value');
  });

  it('keeps the partition of the ARN given', () => {
    const intent = deriveIntent([td([c({ environmentFiles: [{ type: 's3', value: 'arn:aws-cn:s3:::b/k.env' }] })])]);
    expect(pairs(intent)).toEqual(['s3:GetBucketLocation arn:aws-cn:s3:::b', 's3:GetObject arn:aws-cn:s3:::b/k.env']);
  });

  it.each(['arn:aws:s3:::bucket-only', 's3://bucket/key.env', 'arn:aws:s3:us-east-1::b/k', 'arn:aws:s3:::/k'])('rejects %s', (value) => {
    const intent = deriveIntent([td([c({ environmentFiles: [{ type: 's3', value }] })])]);
    expect(intent.requirements).toEqual([]);
    expect(codes(intent)).toEqual(['invalid-s3-arn']);
  });

  it('other types are warnings', () => {
    const intent = deriveIntent([td([c({ environmentFiles: [{ type: 'file', value: '/x.env' }] })])]);
    expect(intent.requirements).toEqual([]);
    expect(codes(intent)).toEqual(['unsupported-environment-file']);
  });
});

describe('FireLens config file (row 12)', () => {
  const s3conf = c({
    firelensConfiguration: {
      type: 'fluentbit',
      options: { 'config-file-type': 's3', 'config-file-value': 'arn:aws:s3:::cfg/fluent.conf' },
    },
  });

  it('s3 on EC2: the two S3 requirements, no warning', () => {
    const intent = deriveIntent([td([s3conf], { requiresCompatibilities: ['EC2'] })]);
    expect(pairs(intent)).toEqual(['s3:GetBucketLocation arn:aws:s3:::cfg', 's3:GetObject arn:aws:s3:::cfg/fluent.conf']);
    expect(intent.warnings).toEqual([]);
  });

  it('s3 on a Fargate task definition: still derived, with the EC2-only warning', () => {
    const intent = deriveIntent([td([s3conf], { requiresCompatibilities: ['FARGATE'] })]);
    expect(pairs(intent)).toHaveLength(2);
    expect(codes(intent)).toEqual(['firelens-s3-on-fargate']);
  });

  it('file type needs nothing', () => {
    const f = c({
      firelensConfiguration: { type: 'fluentbit', options: { 'config-file-type': 'file', 'config-file-value': '/fluent-bit/conf/x.conf' } },
    });
    expect(deriveIntent([td([f])]).requirements).toEqual([]);
  });

  it('a placeholder bucket is kept in the bucket slot (plan) and listed with its field', () => {
    const p = c({
      firelensConfiguration: {
        type: 'fluentbit',
        options: { 'config-file-type': 's3', 'config-file-value': 'arn:aws:s3:::$$$TEST_S3_BUCKET$$$/x.conf' },
      },
    });
    expect(deriveIntent([td([p])]).requirements).toEqual([]);
    const intent = deriveIntent([td([p])], { placeholders: 'keep' });
    expect(pairs(intent)).toEqual([
      's3:GetBucketLocation arn:aws:s3:::$$$TEST_S3_BUCKET$$$',
      's3:GetObject arn:aws:s3:::$$$TEST_S3_BUCKET$$$/x.conf',
    ]);
    expect(intent.unresolved.map((l) => [l.kind, l.resource, l.reasons[0]!.field])).toEqual([
      ['placeholder', '$$$TEST_S3_BUCKET$$$', 'containerDefinitions[0].firelensConfiguration.options["config-file-value"]'],
    ]);
    expect(codes(intent)).toEqual(['placeholder']);
  });
});

describe('gMSA credential specs (rows 13-13c)', () => {
  it('credentialSpecs S3 ARN', () => {
    const intent = deriveIntent([td([c({ credentialSpecs: ['credentialspec:arn:aws:s3:::gmsa/spec.json'] })])]);
    expect(pairs(intent)).toEqual(['s3:GetBucketLocation arn:aws:s3:::gmsa', 's3:GetObject arn:aws:s3:::gmsa/spec.json']);
  });

  it('dockerSecurityOptions SSM ARN → GetParameters in the task Region (the agent ignores the ARN Region)', () => {
    const intent = deriveIntent([
      td([c({ dockerSecurityOptions: ['no-new-privileges', `credentialspec:arn:aws:ssm:us-west-2:${ACCT}:parameter/gmsa/spec`] })]),
    ]);
    expect(pairs(intent)).toEqual([`ssm:GetParameters arn:aws:ssm:us-east-1:${ACCT}:parameter/gmsa/spec`]);
    expect(unresolved(intent)).toEqual([`kms-key-for-parameter arn:aws:ssm:us-east-1:${ACCT}:parameter/gmsa/spec`]);
    expect(intent.requirements[0]!.reasons[0]!.field).toBe('containerDefinitions[0].dockerSecurityOptions[1]');
  });

  it('domainless: same requirement plus a warning about the secret inside the spec', () => {
    const intent = deriveIntent([td([c({ credentialSpecs: ['credentialspecdomainless:arn:aws:s3:::gmsa/spec.json'] })])]);
    expect(pairs(intent)).toEqual(['s3:GetBucketLocation arn:aws:s3:::gmsa', 's3:GetObject arn:aws:s3:::gmsa/spec.json']);
    expect(codes(intent)).toEqual(['gmsa-domainless-secret']);
  });

  it('local file specs and other security options need nothing', () => {
    const intent = deriveIntent([td([c({ dockerSecurityOptions: ['credentialspec:file://spec.json', 'label:type:x', 'apparmor:p'] })])]);
    expect(intent.requirements).toEqual([]);
    expect(intent.warnings).toEqual([]);
  });
});
