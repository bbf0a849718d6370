// Leash's own secrets (Slack signing secret and token, link-signing key, ticket tokens) from Secrets Manager,
// read once per container: they change only on rotation, and a cold start re-reads them.
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { call } from './sdk-call.js';

const cache = new Map<string, Promise<string>>();

export function secretValue(sm: SecretsManagerClient, secretId: string): Promise<string> {
  let v = cache.get(secretId);
  if (!v) {
    v = call(
      'secretsmanager',
      'GetSecretValue',
      async () => (await sm.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString ?? '',
    );
    cache.set(secretId, v);
    v.catch(() => cache.delete(secretId)); // a failed read is retried on the next invocation
  }
  return v;
}
