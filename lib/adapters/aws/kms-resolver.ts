// Finds the KMS key behind each secret or SecureString parameter a task definition names (spec §11.6): the task
// definition never says, and kms:Decrypt must name the key ARN, never an alias, and only for customer keys.
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { DescribeParametersCommand } from '@aws-sdk/client-ssm';
import type { KmsKeys } from '../../app/ports.js';
import { AdapterError } from '../../errors.js';
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

type KeyArn = LookupResult['keyArn'];

interface Place {
  partition: string;
  region: string;
  account: string;
}

const SSM_SECRET_REFERENCE = '/aws/reference/secretsmanager/';

function parsePlace(resource: string, defaultRegion: string): { place: Place; rest: string } {
  const parts = resource.split(':');
  if (resource.startsWith('arn:') && parts.length >= 6) {
    return { place: { partition: parts[1]!, region: parts[3] || defaultRegion, account: parts[4]! }, rest: parts.slice(5).join(':') };
  }
  return { place: { partition: 'aws', region: defaultRegion, account: '' }, rest: resource };
}

/** A secret's DescribeSecret id: the ARN without the `-??????` wildcard (a partial ARN) and without
 *  `:json-key:version-stage:version-id` fields. */
export function secretIdOf(resource: string): string {
  const m = /^(arn:[^:]+:secretsmanager:[^:]*:[^:]*:secret:[^:]+)/.exec(resource);
  const id = m ? m[1]! : resource;
  return id.endsWith('-??????') ? id.slice(0, -7) : id;
}

/** Parameter names an ARN may stand for: `parameter/a/b` is `/a/b`; `parameter/x` may be `x` or `/x`. */
export function parameterNamesOf(rest: string): string[] {
  const name = rest.startsWith('parameter/') ? rest.slice('parameter/'.length) : rest;
  if (name.startsWith('/')) return [name];
  return name.includes('/') ? [`/${name}`] : [name, `/${name}`];
}

const notFound = named('NotFoundException', 'ResourceNotFoundException');

async function keyArnOf(ref: string, place: Place, clients: KmsLookupClients): Promise<KeyArn> {
  // `alias/aws/*` names are reserved for AWS managed keys: nothing to grant.
  if (/^(arn:[^:]+:kms:[^:]*:[^:]*:)?alias\/aws\//.test(ref)) return 'aws-managed';
  const region = ref.startsWith('arn:') ? ref.split(':')[3] || place.region : place.region;
  const meta = await callOrMissing(
    'kms',
    'DescribeKey',
    async () => (await clients.forRegion(region).kms.send(new DescribeKeyCommand({ KeyId: ref }))).KeyMetadata,
    notFound,
  ).catch((err: unknown) => {
    // A key in another account may not be describable; a key ARN or ID still names the key exactly.
    if (/^arn:[^:]+:kms:[^:]+:\d{12}:key\//.test(ref)) return { Arn: ref, KeyManager: 'CUSTOMER' };
    if (/^[0-9a-f-]{36}$|^mrk-/.test(ref) && place.account) {
      return { Arn: `arn:${place.partition}:kms:${region}:${place.account}:key/${ref}`, KeyManager: 'CUSTOMER' };
    }
    throw err;
  });
  if (!meta?.Arn) return 'not-found';
  return meta.KeyManager === 'AWS' ? 'aws-managed' : meta.Arn;
}

async function forSecret(secretId: string, place: Place, clients: KmsLookupClients): Promise<KeyArn> {
  const secret = await callOrMissing(
    'secretsmanager',
    'DescribeSecret',
    () => clients.forRegion(place.region).secrets.send(new DescribeSecretCommand({ SecretId: secretId })),
    notFound,
  );
  if (!secret) return 'not-found';
  // No KmsKeyId: the secret uses aws/secretsmanager, which the service decrypts without the role's kms grant.
  return secret.KmsKeyId ? keyArnOf(secret.KmsKeyId, place, clients) : 'aws-managed';
}

async function forParameter(rest: string, place: Place, clients: KmsLookupClients): Promise<KeyArn> {
  const names = parameterNamesOf(rest);
  const reference = names.find((n) => n.startsWith(SSM_SECRET_REFERENCE));
  if (reference) return forSecret(reference.slice(SSM_SECRET_REFERENCE.length), place, clients);
  const res = await call('ssm', 'DescribeParameters', () =>
    clients
      .forRegion(place.region)
      .ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: names }] })),
  );
  const param = (res.Parameters ?? []).find((p) => p.Name && names.includes(p.Name)) ?? res.Parameters?.[0];
  if (!param) return 'not-found';
  // String and StringList are not encrypted; SecureString without a key or with alias/aws/ssm uses the AWS key.
  if (param.Type !== 'SecureString' || !param.KeyId) return 'aws-managed';
  return keyArnOf(param.KeyId, place, clients);
}

async function resolveOne(lookup: Lookup, clients: KmsLookupClients): Promise<KeyArn> {
  const { place, rest } = parsePlace(lookup.resource, clients.region);
  if (lookup.kind === 'kms-key-for-secret') {
    return forSecret(lookup.resource.startsWith('arn:') ? secretIdOf(lookup.resource) : rest, place, clients);
  }
  if (lookup.kind === 'kms-key-for-parameter') return forParameter(rest, place, clients);
  throw new AdapterError(`not a KMS lookup: ${lookup.kind}`, 'kms', 'resolve');
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
