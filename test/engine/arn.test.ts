import { describe, expect, it } from 'vitest';
import { buildArn, hasTemplateMarker, isAccountId, parseArn, partitionForRegion, regionalArn, roleAccount } from '../../lib/engine/arn.js';

describe('partitionForRegion (spec 2.2: from the Region, never the host)', () => {
  it.each([
    ['us-east-1', 'aws'],
    ['eu-central-1', 'aws'],
    ['il-central-1', 'aws'],
    ['mx-central-1', 'aws'],
    ['cn-north-1', 'aws-cn'],
    ['cn-northwest-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['us-iso-east-1', 'aws-iso'],
    ['us-isob-east-1', 'aws-iso-b'],
    ['eu-isoe-west-1', 'aws-iso-e'],
    ['us-isof-south-1', 'aws-iso-f'],
    ['eusc-de-east-1', 'aws-eusc'],
  ])('%s → %s', (region, partition) => {
    expect(partitionForRegion(region)).toBe(partition);
  });

  it.each(['{{region}}', 'region', '$$$TEST_REGION$$$', '', 'us-east', 'US-EAST-1', 'eusc-fr-east-1', 'xx-east-1'])(
    '%j is not a Region',
    (value) => {
      expect(partitionForRegion(value)).toBeUndefined();
    },
  );
});

describe('account IDs and placeholders', () => {
  it('accepts exactly 12 digits', () => {
    expect(isAccountId('123456789012')).toBe(true);
    expect(isAccountId('012345678910')).toBe(true);
  });

  it.each(['XXXXXXXXXXXX', 'ACCOUNT_ID', 'aws_account_id', '$$$X$$$', '${Account}', '{{account}}', '12345678901', '1234567890123', ''])(
    'treats %j as a placeholder',
    (value) => {
      expect(isAccountId(value)).toBe(false);
    },
  );

  it('recognizes template markers', () => {
    expect(hasTemplateMarker('arn:${Partition}:s3:::b/k')).toBe(true);
    expect(hasTemplateMarker('{{demo-app-image}}')).toBe(true);
    expect(hasTemplateMarker('$$$EXECUTION_ROLE$$$')).toBe(true);
    expect(hasTemplateMarker('arn:aws:s3:::bucket/key')).toBe(false);
  });
});

describe('ARN helpers', () => {
  it('keeps colons inside the resource', () => {
    expect(parseArn('arn:aws:secretsmanager:us-east-1:123456789012:secret:a-AbCdEf:key::')).toEqual({
      partition: 'aws',
      service: 'secretsmanager',
      region: 'us-east-1',
      account: '123456789012',
      resource: 'secret:a-AbCdEf:key::',
    });
  });

  it('parses S3 ARNs with empty Region and account', () => {
    expect(parseArn('arn:aws-cn:s3:::bucket/key')).toMatchObject({
      partition: 'aws-cn',
      service: 's3',
      region: '',
      account: '',
      resource: 'bucket/key',
    });
  });

  it('rejects non-ARNs', () => {
    expect(parseArn('/l3t2/SECRET_KEY')).toBeUndefined();
    expect(parseArn('arn:aws:s3')).toBeUndefined();
  });

  it('round-trips through buildArn', () => {
    const text = 'arn:aws:logs:us-west-2:123456789012:log-group:/ecs/x:*';
    expect(buildArn(parseArn(text)!)).toBe(text);
  });

  it('regionalArn derives the partition from the Region and refuses placeholders', () => {
    expect(regionalArn('ecr', 'cn-north-1', '123456789012', 'repository/x')).toBe('arn:aws-cn:ecr:cn-north-1:123456789012:repository/x');
    expect(regionalArn('ecr', 'us-gov-west-1', '123456789012', 'repository/x')).toBe(
      'arn:aws-us-gov:ecr:us-gov-west-1:123456789012:repository/x',
    );
    expect(regionalArn('ecr', '{{region}}', '123456789012', 'repository/x')).toBeUndefined();
    expect(regionalArn('ecr', 'us-east-1', 'XXXXXXXXXXXX', 'repository/x')).toBeUndefined();
  });

  it('roleAccount reads only real IAM role ARNs', () => {
    expect(roleAccount('arn:aws:iam::123456789012:role/ecsTaskExecutionRole')).toBe('123456789012');
    expect(roleAccount('arn:aws:iam::XXXXXXXXXXXX:role/r')).toBeUndefined();
    expect(roleAccount('$$$EXECUTION_ROLE$$$')).toBeUndefined();
    expect(roleAccount('arn:aws:iam::123456789012:user/bob')).toBeUndefined();
    expect(roleAccount(null)).toBeUndefined();
  });
});
