// When an errorMessage lacks the action or the resource, rebuild them from the record itself.
import { obj, str, type Json, type RoleRef } from './record-fields.js';

// Event sources whose IAM prefix differs from the host name.
const PREFIX_EXCEPTIONS: Record<string, string> = {
  monitoring: 'cloudwatch',
  'api.ecr': 'ecr',
  'api.ecr-public': 'ecr-public',
};

/**
 * `secretsmanager.amazonaws.com` + `GetSecretValue` → `secretsmanager:GetSecretValue`. For the execution
 * role's APIs the event name is the IAM action; a few other APIs differ (S3 ListObjects → s3:ListBucket),
 * which only matters for denials from roles Leash does not own.
 */
export function actionFromEvent(record: Json): string | undefined {
  const source = str(record.eventSource);
  const name = str(record.eventName);
  if (!source || !name) return undefined;
  const host = source.replace(/\.amazonaws\.com(\.cn)?$/, '');
  return `${PREFIX_EXCEPTIONS[host] ?? host}:${name}`;
}

/** Every resource ARN the record names, in record order: `resources[].ARN`, then request parameters. */
export function resourcesFromRecord(record: Json, role: RoleRef, account: string): string[] {
  const out: string[] = [];
  const resources = Array.isArray(record.resources) ? record.resources : [];
  for (const r of resources) {
    const arn = str(obj(r)?.ARN) ?? str(obj(r)?.arn);
    if (arn) out.push(arn);
  }
  if (out.length > 0) return out;
  return fromRequestParameters(record, role, account);
}

function fromRequestParameters(record: Json, role: RoleRef, account: string): string[] {
  const rp = obj(record.requestParameters);
  const region = str(record.awsRegion);
  if (!rp || !region) return [];
  const p = role.partition;
  const source = str(record.eventSource) ?? '';
  const secretId = str(rp.secretId);
  if (secretId) {
    // A bare name gives a partial ARN (no 6-character suffix); the matcher knows to expect that.
    return [secretId.startsWith('arn:') ? secretId : `arn:${p}:secretsmanager:${region}:${account}:secret:${secretId}`];
  }
  const names = Array.isArray(rp.names) ? rp.names.filter((n): n is string => typeof n === 'string') : [];
  const name = source.startsWith('ssm.') ? str(rp.name) : undefined;
  const params = name ? [name] : names;
  if (params.length > 0) {
    return params.map((n) => (n.startsWith('arn:') ? n : `arn:${p}:ssm:${region}:${account}:parameter${n.startsWith('/') ? '' : '/'}${n}`));
  }
  const repo = str(rp.repositoryName);
  if (repo) return [`arn:${p}:ecr:${region}:${str(rp.registryId) ?? account}:repository/${repo}`];
  const group = str(rp.logGroupName);
  if (group) {
    const stream = str(rp.logStreamName);
    return [`arn:${p}:logs:${region}:${account}:log-group:${group}${stream ? `:log-stream:${stream}` : ''}`];
  }
  const keyId = str(rp.keyId);
  if (keyId?.startsWith('arn:')) return [keyId];
  return [];
}
