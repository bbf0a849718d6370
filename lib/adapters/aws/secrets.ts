// Leash's own secrets (Slack signing secret and token, link-signing key, ticket tokens) from Secrets Manager through
// Powertools Parameters: cached for MAX_AGE_S, so a rotated secret takes effect within minutes, without a cold start.
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Secrets } from '../../app/ports.js';
import { AdapterError } from '../../errors.js';

export const MAX_AGE_S = 300;

export interface SecretArns {
  slackSigning?: string;
  linkSigning?: string;
}

export class SecretsManagerSecrets implements Secrets {
  private readonly provider: SecretsProvider;

  constructor(
    client: SecretsManagerClient,
    private readonly arns: SecretArns,
  ) {
    this.provider = new SecretsProvider({ awsSdkV3Client: client });
  }

  slackSigningSecret(): Promise<string | undefined> {
    return this.value(this.arns.slackSigning);
  }

  linkSigningSecret(): Promise<string | undefined> {
    return this.value(this.arns.linkSigning);
  }

  /** Any of Leash's secrets by ARN (the Slack token, a tracker token); undefined when none is configured. */
  async value(arn: string | undefined): Promise<string | undefined> {
    if (!arn) return undefined;
    try {
      const v = await this.provider.get(arn, { maxAge: MAX_AGE_S });
      return typeof v === 'string' ? v : undefined;
    } catch (cause) {
      throw new AdapterError(`cannot read secret ${arn}: ${(cause as Error).message}`, 'secretsmanager', 'GetSecretValue', { cause });
    }
  }
}

/** Secrets given as values (tests, the local demo). */
export class FixedSecrets implements Secrets {
  constructor(private readonly values: { slackSigning?: string; linkSigning?: string }) {}

  async slackSigningSecret(): Promise<string | undefined> {
    return this.values.slackSigning;
  }

  async linkSigningSecret(): Promise<string | undefined> {
    return this.values.linkSigning;
  }
}
