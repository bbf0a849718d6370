// What to ask AWS to find the KMS key behind a secret or SecureString parameter, and what its answers mean
// (spec §11.6): the task definition never names the key, kms:Decrypt must name the key ARN (never an alias), and
// only customer keys need it. Pure: the adapter (adapters/aws/kms-resolver.ts) only makes the calls named here.
import type { Lookup, LookupResult } from './types.js';

export type KeyArn = LookupResult['keyArn'];

/** Where a secret or parameter lives; its key is looked up there (the Region of its own ARN). */
export interface Place {
  partition: string;
  region: string;
  /** '' when the resource is a bare name (the caller's account). */
  account: string;
}

/** The one describe call a lookup starts with. */
export type KmsQuery = { service: 'secretsmanager'; secretId: string; place: Place } | { service: 'ssm'; names: string[]; place: Place };

/** The next step after an answer: a result, or a DescribeKey of `keyId` in `region`. */
export type KeyStep = { result: KeyArn } | { describeKey: string; region: string };

/** What the SSM parameter path for a Secrets Manager secret starts with (`/aws/reference/secretsmanager/<id>`). */
export const SSM_SECRET_REFERENCE = '/aws/reference/secretsmanager/';

/** Partition, Region and account of an ARN (the Region defaulting to `defaultRegion`), and the resource part. */
export function placeOf(resource: string, defaultRegion: string): { place: Place; rest: string } {
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

/** The describe call for a KMS lookup; undefined for lookups that are not about a KMS key. A parameter that
 *  references a Secrets Manager secret is looked up as that secret. */
export function kmsQueryFor(lookup: Pick<Lookup, 'kind' | 'resource'>, defaultRegion: string): KmsQuery | undefined {
  const { place, rest } = placeOf(lookup.resource, defaultRegion);
  if (lookup.kind === 'kms-key-for-secret') {
    return { service: 'secretsmanager', secretId: lookup.resource.startsWith('arn:') ? secretIdOf(lookup.resource) : rest, place };
  }
  if (lookup.kind !== 'kms-key-for-parameter') return undefined;
  const names = parameterNamesOf(rest);
  const reference = names.find((n) => n.startsWith(SSM_SECRET_REFERENCE));
  if (reference) return { service: 'secretsmanager', secretId: reference.slice(SSM_SECRET_REFERENCE.length), place };
  return { service: 'ssm', names, place };
}

/** The key a reference (ID, ARN, alias name or alias ARN) stands for: `alias/aws/*` names are reserved for AWS
 *  managed keys (nothing to grant, no call); anything else is described in its own Region. */
export function keyStepFor(ref: string, place: Place): KeyStep {
  if (/^(arn:[^:]+:kms:[^:]*:[^:]*:)?alias\/aws\//.test(ref)) return { result: 'aws-managed' };
  const region = ref.startsWith('arn:') ? ref.split(':')[3] || place.region : place.region;
  return { describeKey: ref, region };
}

/** DescribeSecret's answer (undefined: no such secret). No KmsKeyId: the secret uses aws/secretsmanager, which the
 *  service decrypts without the role's kms grant. */
export function secretKeyStep(secret: { KmsKeyId?: string } | undefined, place: Place): KeyStep {
  if (!secret) return { result: 'not-found' };
  return secret.KmsKeyId ? keyStepFor(secret.KmsKeyId, place) : { result: 'aws-managed' };
}

/** DescribeParameters' answer for `names`. String and StringList are not encrypted; a SecureString without a key
 *  uses the AWS managed key (alias/aws/ssm). */
export function parameterKeyStep(parameters: { Name?: string; Type?: string; KeyId?: string }[], names: string[], place: Place): KeyStep {
  const param = parameters.find((p) => p.Name && names.includes(p.Name)) ?? parameters[0];
  if (!param) return { result: 'not-found' };
  if (param.Type !== 'SecureString' || !param.KeyId) return { result: 'aws-managed' };
  return keyStepFor(param.KeyId, place);
}

/** DescribeKey's answer (undefined: no such key). */
export function keyArnOfMetadata(meta: { Arn?: string; KeyManager?: string } | undefined): KeyArn {
  if (!meta?.Arn) return 'not-found';
  return meta.KeyManager === 'AWS' ? 'aws-managed' : meta.Arn;
}

/** When DescribeKey fails (a key in another account may not be describable): a key ARN, or a key ID in a known
 *  account, still names the key exactly. An alias names no key: undefined, so the lookup stays unresolved. */
export function keyArnWithoutDescribe(ref: string, place: Place, region: string): string | undefined {
  if (/^arn:[^:]+:kms:[^:]+:\d{12}:key\//.test(ref)) return ref;
  if (/^[0-9a-f-]{36}$|^mrk-/.test(ref) && place.account) return `arn:${place.partition}:kms:${region}:${place.account}:key/${ref}`;
  return undefined;
}
