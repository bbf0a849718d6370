// Cases moto cannot show: AWS managed keys (KeyManager AWS), throttling past the retries, keys in other accounts.
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DescribeParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { makeClients } from '../../../lib/adapters/aws/clients.js';
import { resolveKmsLookupsDetailed } from '../../../lib/adapters/aws/kms-resolver.js';
import type { Lookup } from '../../../lib/engine/types.js';

const kms = mockClient(KMSClient);
const sm = mockClient(SecretsManagerClient);
const ssm = mockClient(SSMClient);
const clients = makeClients({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
const reasons = [{ taskDefinition: 'web:1', field: 'containerDefinitions[0].secrets[0].valueFrom' }];
const secret = (name: string): Lookup => ({
  kind: 'kms-key-for-secret',
  resource: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-??????`,
  reasons,
});

beforeEach(() => {
  kms.reset();
  sm.reset();
  ssm.reset();
});

describe('resolveKmsLookupsDetailed (mocked)', () => {
  it('keeps going when one lookup is throttled past the retries, and reports it as failed', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    sm.on(DescribeSecretCommand, { SecretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:busy' }).rejects(throttled);
    sm.on(DescribeSecretCommand, { SecretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:calm' }).resolves({ Name: 'calm' });
    const res = await resolveKmsLookupsDetailed([secret('busy'), secret('calm')], clients);
    expect(res.resolved).toEqual([{ lookup: secret('calm'), keyArn: 'aws-managed' }]);
    expect(res.failed).toHaveLength(1);
    expect(res.failed[0]!.lookup).toEqual(secret('busy'));
    expect(res.failed[0]!.error).toMatchObject({
      name: 'AdapterError',
      service: 'secretsmanager',
      operation: 'DescribeSecret',
      cause: throttled,
    });
  });

  it('treats a key whose KeyManager is AWS as aws-managed, and answers the key ARN for a customer alias', async () => {
    sm.on(DescribeSecretCommand).resolves({ KmsKeyId: 'alias/shared' });
    kms
      .on(DescribeKeyCommand, { KeyId: 'alias/shared' })
      .resolves({ KeyMetadata: { KeyId: 'k', Arn: 'arn:aws:kms:us-east-1:123456789012:key/k', KeyManager: 'AWS' } });
    ssm.on(DescribeParametersCommand).resolves({ Parameters: [{ Name: '/p', Type: 'SecureString', KeyId: 'alias/app' }] });
    kms
      .on(DescribeKeyCommand, { KeyId: 'alias/app' })
      .resolves({ KeyMetadata: { KeyId: 'c', Arn: 'arn:aws:kms:us-east-1:123456789012:key/c', KeyManager: 'CUSTOMER' } });
    const param: Lookup = { kind: 'kms-key-for-parameter', resource: 'arn:aws:ssm:us-east-1:123456789012:parameter/p', reasons };
    const res = await resolveKmsLookupsDetailed([secret('s'), param], clients);
    expect(res.resolved.map((r) => r.keyArn)).toEqual(['aws-managed', 'arn:aws:kms:us-east-1:123456789012:key/c']);
  });

  it('never calls KMS for alias/aws/* and keeps a cross-account key ARN it may not describe', async () => {
    const denied = Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' });
    kms.on(DescribeKeyCommand).rejects(denied);
    const foreignKey = 'arn:aws:kms:us-east-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    sm.on(DescribeSecretCommand, { SecretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:foreign' }).resolves({
      KmsKeyId: foreignKey,
    });
    sm.on(DescribeSecretCommand, { SecretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:default' }).resolves({
      KmsKeyId: 'alias/aws/secretsmanager',
    });
    sm.on(DescribeSecretCommand, { SecretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:aliased' }).resolves({
      KmsKeyId: 'alias/custom',
    });
    const res = await resolveKmsLookupsDetailed([secret('foreign'), secret('default'), secret('aliased')], clients);
    expect(res.resolved.map((r) => r.keyArn)).toEqual([foreignKey, 'aws-managed']);
    // An alias that cannot be resolved names no key: it stays unresolved rather than guessed.
    expect(res.failed.map((f) => f.lookup)).toEqual([secret('aliased')]);
    expect(kms.commandCalls(DescribeKeyCommand).map((c) => c.args[0].input.KeyId)).not.toContain('alias/aws/secretsmanager');
  });

  it('asks the Region the resource lives in', async () => {
    sm.on(DescribeSecretCommand).resolves({});
    const eu: Lookup = { kind: 'kms-key-for-secret', resource: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:x-??????', reasons };
    await resolveKmsLookupsDetailed([eu], clients);
    const [call] = sm.commandCalls(DescribeSecretCommand);
    expect(await call!.thisValue.config.region()).toBe('eu-west-1');
  });
});
