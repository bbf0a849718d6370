import { describe, expect, it } from 'vitest';
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { makeClients } from '../../../lib/adapters/aws/clients.js';
import { resolveKmsLookups, resolveKmsLookupsDetailed } from '../../../lib/adapters/aws/kms-resolver.js';
import type { Lookup } from '../../../lib/engine/types.js';
import { TEST_ACCOUNT, useMoto } from '../../support/moto.js';

const moto = useMoto();

const reasons = [{ taskDefinition: 'web:1', container: 'app', field: 'containerDefinitions[0].secrets[0].valueFrom' }];
const secret = (resource: string): Lookup => ({ kind: 'kms-key-for-secret', resource, reasons });
const parameter = (resource: string): Lookup => ({ kind: 'kms-key-for-parameter', resource, reasons });
const smArn = (region: string, rest: string) => `arn:aws:secretsmanager:${region}:${TEST_ACCOUNT}:secret:${rest}`;
const ssmArn = (region: string, rest: string) => `arn:aws:ssm:${region}:${TEST_ACCOUNT}:parameter/${rest}`;

async function customerKey(region: string, alias?: string): Promise<string> {
  const kms = new KMSClient({ ...moto.config(), region });
  const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
  if (alias) await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: key.KeyId! }));
  return key.Arn!;
}

async function resolve(lookups: Lookup[]) {
  const clients = makeClients({ ...moto.config(), maxAttempts: 2 });
  return Object.fromEntries((await resolveKmsLookups(lookups, clients)).map((r) => [r.lookup.resource, r.keyArn]));
}

describe('resolveKmsLookups against moto', () => {
  it('finds the key behind secrets: customer key by ID, by alias, default key, in another Region', async () => {
    const key = await customerKey('us-east-1', 'alias/app');
    const euKey = await customerKey('eu-west-1');
    const sm = new SecretsManagerClient(moto.config());
    const smEu = new SecretsManagerClient({ ...moto.config(), region: 'eu-west-1' });
    const byId = (await sm.send(new CreateSecretCommand({ Name: 'db/password', SecretString: 'x', KmsKeyId: key.split('/')[1] }))).ARN!;
    const byAlias = (await sm.send(new CreateSecretCommand({ Name: 'api-token', SecretString: 'x', KmsKeyId: 'alias/app' }))).ARN!;
    const byDefault = (await sm.send(new CreateSecretCommand({ Name: 'plain', SecretString: 'x' }))).ARN!;
    const inEu = (await smEu.send(new CreateSecretCommand({ Name: 'eu-secret', SecretString: 'x', KmsKeyId: euKey }))).ARN!;

    const lookups = [
      secret(smArn('us-east-1', 'db/password-??????')), // the wildcard form the engine writes into policies
      secret(`${byAlias}:token::`), // a full ARN with a JSON-key suffix
      secret(byDefault),
      secret(smArn('eu-west-1', 'eu-secret-??????')),
      secret(smArn('us-east-1', 'gone-??????')),
    ];
    expect(byId).toMatch(/:secret:db\/password-.{6}$/);
    expect(inEu).toMatch(/^arn:aws:secretsmanager:eu-west-1:/);
    expect(await resolve(lookups)).toEqual({
      [lookups[0]!.resource]: key,
      [lookups[1]!.resource]: key,
      [lookups[2]!.resource]: 'aws-managed',
      [lookups[3]!.resource]: euKey,
      [lookups[4]!.resource]: 'not-found',
    });
  });

  it('finds the key behind parameters: customer key, alias, default SecureString, String, bare names', async () => {
    const key = await customerKey('us-east-1', 'alias/params');
    const ssm = new SSMClient(moto.config());
    await ssm.send(new PutParameterCommand({ Name: '/app/db/password', Value: 'x', Type: 'SecureString', KeyId: key }));
    await ssm.send(new PutParameterCommand({ Name: '/app/api-key', Value: 'x', Type: 'SecureString', KeyId: 'alias/params' }));
    await ssm.send(new PutParameterCommand({ Name: '/app/default', Value: 'x', Type: 'SecureString' }));
    await ssm.send(new PutParameterCommand({ Name: '/app/plain', Value: 'x', Type: 'String' }));
    await ssm.send(new PutParameterCommand({ Name: 'TOP_LEVEL', Value: 'x', Type: 'SecureString', KeyId: key }));

    const lookups = [
      parameter(ssmArn('us-east-1', 'app/db/password')), // ARNs drop the leading slash
      parameter(ssmArn('us-east-1', 'app/api-key')),
      parameter(ssmArn('us-east-1', 'app/default')),
      parameter(ssmArn('us-east-1', 'app/plain')),
      parameter(ssmArn('us-east-1', 'TOP_LEVEL')),
      parameter(ssmArn('us-east-1', 'app/missing')),
    ];
    expect(await resolve(lookups)).toEqual({
      [lookups[0]!.resource]: key,
      [lookups[1]!.resource]: key,
      [lookups[2]!.resource]: 'aws-managed',
      [lookups[3]!.resource]: 'aws-managed',
      [lookups[4]!.resource]: key,
      [lookups[5]!.resource]: 'not-found',
    });
  });

  it('follows an SSM reference to a Secrets Manager secret', async () => {
    const key = await customerKey('us-east-1');
    await new SecretsManagerClient(moto.config()).send(new CreateSecretCommand({ Name: 'ref-target', SecretString: 'x', KmsKeyId: key }));
    const lookup = parameter(ssmArn('us-east-1', 'aws/reference/secretsmanager/ref-target'));
    expect(await resolve([lookup])).toEqual({ [lookup.resource]: key });
  });

  it('reports lookups it cannot handle as failed, without failing the rest', async () => {
    await new SSMClient(moto.config()).send(new PutParameterCommand({ Name: '/ok', Value: 'x', Type: 'String' }));
    const odd: Lookup = { kind: 'needs-region', resource: 'web:1', reasons };
    const ok = parameter(ssmArn('us-east-1', 'ok'));
    const res = await resolveKmsLookupsDetailed([odd, ok], makeClients(moto.config()));
    expect(res.resolved).toEqual([{ lookup: ok, keyArn: 'aws-managed' }]);
    expect(res.failed.map((f) => [f.lookup, f.error.name])).toEqual([[odd, 'AdapterError']]);
  });
});
