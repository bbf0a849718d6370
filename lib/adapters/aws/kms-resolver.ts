// Finds the KMS key behind each secret or SecureString parameter a task definition names: makes the describe calls
// engine/kms-lookup.ts names and hands their answers back to it (which call, and what an answer means, live there).
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { DescribeParametersCommand } from '@aws-sdk/client-ssm';
import type { KmsKeys } from '../../app/ports.js';
import { AdapterError } from '../../errors.js';
import {
  keyArnOfMetadata,
  keyArnWithoutDescribe,
  kmsQueryFor,
  parameterKeyStep,
  secretKeyStep,
  type KeyArn,
  type KeyStep,
  type KmsQuery,
  type Place,
} from '../../engine/kms-lookup.js';
import type { Lookup, LookupResult } from '../../engine/types.js';
import type { AwsClients } from './clients.js';
import { mapLimit } from '../../engine/concurrency.js';
import { call, callOrMissing, named } from './sdk-call.js';

export type KmsLookupClients = Pick<AwsClients, 'region'> & { forRegion(region: string): Pick<AwsClients, 'kms' | 'ssm' | 'secrets'> };

export interface KmsResolution {
  resolved: LookupResult[];
  /** Lookups that could not be answered (throttled past retries, access denied, …): still unresolved. */
  failed: { lookup: Lookup; error: AdapterError }[];
}

const notFound = named('NotFoundException', 'ResourceNotFoundException');

async function describeKey(step: { describeKey: string; region: string }, place: Place, clients: KmsLookupClients): Promise<KeyArn> {
  try {
    const meta = await callOrMissing(
      'kms',
      'DescribeKey',
      async () => (await clients.forRegion(step.region).kms.send(new DescribeKeyCommand({ KeyId: step.describeKey }))).KeyMetadata,
      notFound,
    );
    return keyArnOfMetadata(meta);
  } catch (err) {
    const exact = keyArnWithoutDescribe(step.describeKey, place, step.region);
    if (exact) return exact;
    throw err;
  }
}

async function firstStep(query: KmsQuery, clients: KmsLookupClients): Promise<KeyStep> {
  const api = clients.forRegion(query.place.region);
  if (query.service === 'secretsmanager') {
    const secret = await callOrMissing(
      'secretsmanager',
      'DescribeSecret',
      () => api.secrets.send(new DescribeSecretCommand({ SecretId: query.secretId })),
      notFound,
    );
    return secretKeyStep(secret, query.place);
  }
  const res = await call('ssm', 'DescribeParameters', () =>
    api.ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: query.names }] })),
  );
  return parameterKeyStep(res.Parameters ?? [], query.names, query.place);
}

async function resolveOne(lookup: Lookup, clients: KmsLookupClients): Promise<KeyArn> {
  const query = kmsQueryFor(lookup, clients.region);
  if (!query) throw new AdapterError(`not a KMS lookup: ${lookup.kind}`, 'kms', 'resolve');
  const step = await firstStep(query, clients);
  return 'result' in step ? step.result : describeKey(step, query.place, clients);
}

/** Resolves every lookup it can; one failing lookup never fails the others. Throttling is retried by the SDK. */
export async function resolveKmsLookupsDetailed(
  lookups: Lookup[],
  clients: KmsLookupClients,
  opts: { concurrency?: number } = {},
): Promise<KmsResolution> {
  const outcomes = await mapLimit(lookups, opts.concurrency ?? 4, async (lookup) => {
    try {
      return { lookup, keyArn: await resolveOne(lookup, clients) };
    } catch (err) {
      const error = err instanceof AdapterError ? err : new AdapterError(String(err), 'kms', 'resolve', { cause: err });
      return { lookup, error };
    }
  });
  const resolved: LookupResult[] = [];
  const failed: KmsResolution['failed'] = [];
  for (const o of outcomes) {
    if (o.error) failed.push({ lookup: o.lookup, error: o.error });
    else if (o.keyArn) resolved.push({ lookup: o.lookup, keyArn: o.keyArn });
  }
  return { resolved, failed };
}

/** The resolved lookups only; failed ones are left out so the caller keeps them unresolved. */
export async function resolveKmsLookups(lookups: Lookup[], clients: KmsLookupClients): Promise<LookupResult[]> {
  return (await resolveKmsLookupsDetailed(lookups, clients)).resolved;
}

/** The KMS keys behind secrets and parameters, looked up in the account (and Region) each ARN names. */
export class AwsKmsKeys implements KmsKeys {
  constructor(private readonly clients: KmsLookupClients) {}

  resolve(lookups: Lookup[]): Promise<LookupResult[]> {
    return resolveKmsLookups(lookups, this.clients);
  }
}
