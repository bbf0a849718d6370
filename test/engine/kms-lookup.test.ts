// Which describe call finds the KMS key behind a secret or parameter, and what each answer means (pure; the adapter
// only makes the calls: test/adapters/aws/kms-resolver.test.ts and test/integration/adapters/kms-resolver.test.ts).
import { describe, expect, it } from 'vitest';
import {
  keyArnOfMetadata,
  keyArnWithoutDescribe,
  keyStepFor,
  kmsQueryFor,
  parameterKeyStep,
  parameterNamesOf,
  placeOf,
  secretIdOf,
  secretKeyStep,
  type Place,
} from '../../lib/engine/kms-lookup.js';

const HOME: Place = { partition: 'aws', region: 'eu-west-1', account: '123456789012' };
const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

describe('secretIdOf / parameterNamesOf / placeOf', () => {
  it('turns secret ARNs into DescribeSecret ids', () => {
    expect(secretIdOf('arn:aws:secretsmanager:us-east-1:123456789012:secret:db/password-??????')).toBe(
      'arn:aws:secretsmanager:us-east-1:123456789012:secret:db/password',
    );
    expect(secretIdOf('arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf:password::')).toBe(
      'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf',
    );
    expect(secretIdOf('arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:x-AbCdEf:k:AWSCURRENT:')).toBe(
      'arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:x-AbCdEf',
    );
    expect(secretIdOf('plain-name')).toBe('plain-name');
  });

  it('restores the leading slash of hierarchical parameter names', () => {
    expect(parameterNamesOf('parameter/a/b')).toEqual(['/a/b']);
    expect(parameterNamesOf('parameter/name')).toEqual(['name', '/name']);
    expect(parameterNamesOf('/already/slashed')).toEqual(['/already/slashed']);
    expect(parameterNamesOf('parameter//double')).toEqual(['/double']);
  });

  it('reads partition, Region and account from an ARN, defaulting an empty Region; bare names are in the caller’s place', () => {
    expect(placeOf('arn:aws-cn:ssm:cn-north-1:123456789012:parameter/x', 'eu-west-1')).toEqual({
      place: { partition: 'aws-cn', region: 'cn-north-1', account: '123456789012' },
      rest: 'parameter/x',
    });
    expect(placeOf('arn:aws:secretsmanager::123456789012:secret:a:b', 'eu-west-1').place.region).toBe('eu-west-1');
    expect(placeOf('arn:aws:secretsmanager::123456789012:secret:a:b', 'eu-west-1').rest).toBe('secret:a:b');
    expect(placeOf('db-password', 'eu-west-1')).toEqual({
      place: { partition: 'aws', region: 'eu-west-1', account: '' },
      rest: 'db-password',
    });
  });
});

describe('kmsQueryFor', () => {
  it('asks Secrets Manager for a secret, in the secret’s own Region', () => {
    expect(
      kmsQueryFor({ kind: 'kms-key-for-secret', resource: 'arn:aws:secretsmanager:us-west-2:210987654321:secret:db-??????' }, 'eu-west-1'),
    ).toEqual({
      service: 'secretsmanager',
      secretId: 'arn:aws:secretsmanager:us-west-2:210987654321:secret:db',
      place: { partition: 'aws', region: 'us-west-2', account: '210987654321' },
    });
    expect(kmsQueryFor({ kind: 'kms-key-for-secret', resource: 'db' }, 'eu-west-1')).toMatchObject({
      secretId: 'db',
      place: { region: 'eu-west-1' },
    });
  });

  it('asks SSM for a parameter under every name its ARN may stand for', () => {
    expect(
      kmsQueryFor({ kind: 'kms-key-for-parameter', resource: 'arn:aws:ssm:eu-west-1:123456789012:parameter/token' }, 'us-east-1'),
    ).toEqual({
      service: 'ssm',
      names: ['token', '/token'],
      place: HOME,
    });
  });

  it('looks a parameter that references a Secrets Manager secret up as that secret', () => {
    expect(
      kmsQueryFor(
        { kind: 'kms-key-for-parameter', resource: 'arn:aws:ssm:eu-west-1:123456789012:parameter/aws/reference/secretsmanager/db/main' },
        'eu-west-1',
      ),
    ).toEqual({ service: 'secretsmanager', secretId: 'db/main', place: HOME });
  });

  it('has no query for lookups that are not about a key', () => {
    for (const kind of ['needs-account', 'needs-region', 'placeholder'] as const)
      expect(kmsQueryFor({ kind, resource: 'x' }, 'eu-west-1')).toBeUndefined();
  });
});

describe('what an answer means', () => {
  it('a secret without its own key, or with alias/aws/*, needs no grant and no KMS call', () => {
    expect(secretKeyStep({}, HOME)).toEqual({ result: 'aws-managed' });
    expect(secretKeyStep({ KmsKeyId: 'alias/aws/secretsmanager' }, HOME)).toEqual({ result: 'aws-managed' });
    expect(secretKeyStep({ KmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:alias/aws/secretsmanager' }, HOME)).toEqual({
      result: 'aws-managed',
    });
    expect(secretKeyStep(undefined, HOME)).toEqual({ result: 'not-found' });
  });

  it('a customer key or alias is described in the Region its ARN names, else where the resource lives', () => {
    expect(secretKeyStep({ KmsKeyId: 'alias/app' }, HOME)).toEqual({ describeKey: 'alias/app', region: 'eu-west-1' });
    expect(keyStepFor('arn:aws:kms:us-east-2:123456789012:key/k', HOME)).toEqual({
      describeKey: 'arn:aws:kms:us-east-2:123456789012:key/k',
      region: 'us-east-2',
    });
    // alias/awsome is not the reserved alias/aws/ prefix.
    expect(keyStepFor('alias/awsome', HOME)).toEqual({ describeKey: 'alias/awsome', region: 'eu-west-1' });
  });

  it('a parameter: the exact name wins; String types and SecureStrings without a key need nothing', () => {
    const names = ['token', '/token'];
    expect(
      parameterKeyStep(
        [
          { Name: 'other', Type: 'SecureString', KeyId: 'alias/wrong' },
          { Name: '/token', Type: 'SecureString', KeyId: 'alias/app' },
        ],
        names,
        HOME,
      ),
    ).toEqual({ describeKey: 'alias/app', region: 'eu-west-1' });
    expect(parameterKeyStep([{ Name: 'token', Type: 'String' }], names, HOME)).toEqual({ result: 'aws-managed' });
    expect(parameterKeyStep([{ Name: 'token', Type: 'SecureString' }], names, HOME)).toEqual({ result: 'aws-managed' });
    expect(parameterKeyStep([{ Name: 'token', Type: 'SecureString', KeyId: 'alias/aws/ssm' }], names, HOME)).toEqual({
      result: 'aws-managed',
    });
    expect(parameterKeyStep([], names, HOME)).toEqual({ result: 'not-found' });
  });

  it('DescribeKey: an AWS managed key needs nothing; a customer key is named by its ARN', () => {
    expect(keyArnOfMetadata({ Arn: KEY, KeyManager: 'AWS' })).toBe('aws-managed');
    expect(keyArnOfMetadata({ Arn: KEY, KeyManager: 'CUSTOMER' })).toBe(KEY);
    expect(keyArnOfMetadata(undefined)).toBe('not-found');
    expect(keyArnOfMetadata({})).toBe('not-found');
  });

  it('when DescribeKey is refused, a key ARN or a key ID in a known account still names the key; an alias never does', () => {
    expect(keyArnWithoutDescribe(KEY, HOME, 'eu-west-1')).toBe(KEY);
    expect(keyArnWithoutDescribe('1234abcd-12ab-34cd-56ef-1234567890ab', HOME, 'eu-west-1')).toBe(KEY);
    expect(keyArnWithoutDescribe('mrk-1234abcd12ab34cd56ef1234567890ab', { ...HOME, partition: 'aws-cn' }, 'cn-north-1')).toBe(
      'arn:aws-cn:kms:cn-north-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab',
    );
    expect(keyArnWithoutDescribe('1234abcd-12ab-34cd-56ef-1234567890ab', { ...HOME, account: '' }, 'eu-west-1')).toBeUndefined();
    expect(keyArnWithoutDescribe('alias/app', HOME, 'eu-west-1')).toBeUndefined();
    expect(keyArnWithoutDescribe('arn:aws:kms:eu-west-1:123456789012:alias/app', HOME, 'eu-west-1')).toBeUndefined();
  });
});
