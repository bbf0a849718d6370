// The CLI's AWS composition for `leash check`: the existing IAM reader (readGrant) and KMS resolver over SDK v3
// clients configured from the standard environment (AWS_REGION, AWS_ENDPOINT_URL for an emulator; credentials from
// the environment given, else the SDK's default chain: AWS_PROFILE, SSO, web identity, instance role).
import { awsConfigFromEnv, makeClients, type AwsConfig } from '../adapters/aws/clients.js';
import { IamRoles } from '../adapters/aws/iam-roles.js';
import { resolveKmsLookupsDetailed } from '../adapters/aws/kms-resolver.js';
import type { Lookup, LookupResult, RoleGrant } from '../engine/types.js';

export interface CheckAws {
  readGrant(role: string): Promise<RoleGrant | undefined>;
  /** Keys behind secrets and parameters; lookups that fail are returned apart, with why. */
  resolveKms(lookups: Lookup[]): Promise<{ resolved: LookupResult[]; failed: { lookup: Lookup; why: string }[] }>;
}

export function checkAws(env: NodeJS.ProcessEnv): CheckAws {
  const cfg: AwsConfig = awsConfigFromEnv(env);
  // Keys in the environment the command was given win over the default chain (which reads process.env).
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    cfg.credentials = {
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      ...(env.AWS_SESSION_TOKEN && { sessionToken: env.AWS_SESSION_TOKEN }),
    };
  }
  // A gate answers in seconds: a few retries, not the Lambdas' patient backoff.
  cfg.maxAttempts = cfg.maxAttempts ?? 3;
  const clients = makeClients(cfg);
  const reader = new IamRoles(clients.iam);
  return {
    readGrant: (role) => reader.readGrant(role),
    resolveKms: async (lookups) => {
      const { resolved, failed } = await resolveKmsLookupsDetailed(lookups, clients);
      return { resolved, failed: failed.map((f) => ({ lookup: f.lookup, why: f.error.message })) };
    },
  };
}
