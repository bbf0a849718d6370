// Where compaction may cut a resource ARN: the base (header plus resource type; none for S3) and the name.
import { describe, expect, it } from 'vitest';
import { splitResource } from '../../../lib/engine/synth/resource-names.js';

describe('splitResource', () => {
  it.each([
    ['arn:aws:s3:::bucket/app/key.env', 'arn:aws:s3:::', 'bucket/app/key.env'],
    ['arn:aws:s3:::bucket', 'arn:aws:s3:::', 'bucket'],
    ['arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/web:*', 'arn:aws:logs:eu-west-1:123456789012:log-group:', '/ecs/web:*'],
    ['arn:aws:ecr:eu-west-1:123456789012:repository/team/web', 'arn:aws:ecr:eu-west-1:123456789012:repository/', 'team/web'],
    ['arn:aws:secretsmanager:r:1:secret:db-??????', 'arn:aws:secretsmanager:r:1:secret:', 'db-??????'],
    ['arn:aws:kms:r:1:alias', 'arn:aws:kms:r:1:', 'alias'],
    // A service merely starting with s3 is not S3: its resource type is cut as for any other.
    ['arn:aws:s3x:r:1:thing/a', 'arn:aws:s3x:r:1:thing/', 'a'],
    ['arn:aws-cn:s3:::b/k', 'arn:aws-cn:s3:::', 'b/k'],
  ])('%s', (resource, base, name) => {
    expect(splitResource(resource)).toEqual({ base, name });
  });

  it('leaves alone what is not an ARN with a resource part', () => {
    for (const r of ['*', 'bucket/key', 'arn:aws:s3', 'arn:aws:ssm:r:1']) expect(splitResource(r)).toBeUndefined();
  });
});
