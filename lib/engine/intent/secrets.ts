// Secrets (spec 2.3 rows 6, 8, 8b, 9): SSM parameters by name or ARN, Secrets Manager secrets by full or partial
// ARN (with optional `:json-key:version-stage:version-id`), SSM references to Secrets Manager, and private-registry
// credentials. KMS keys are never guessed: every secret and parameter becomes a lookup.
import { type Arn, buildArn, hasTemplateMarker, isAccountId, isRegion, parseArn, partitionForRegion } from '../arn.js';
import type { Reason } from '../types.js';
import type { IntentContext } from './context.js';

const SSM_REFERENCE_PREFIX = 'aws/reference/secretsmanager/';
const SUFFIX_RE = /-[A-Za-z0-9]{6}$/;

/** Real partition/Region/account in an ARN, with the partition matching the Region. */
function realArnFields(arn: Arn): boolean {
  return isRegion(arn.region) && isAccountId(arn.account) && partitionForRegion(arn.region) === arn.partition;
}

function crossAccount(ctx: IntentContext, arn: Arn, what: string, reason: Reason): boolean {
  if (!ctx.isCrossAccount(arn.account)) return false;
  ctx.warn(
    'cross-account-secret',
    `${what} is in account ${arn.account}, not the role's account ${ctx.account}: its resource policy (and a customer-managed KMS key) must allow the execution role`,
    reason,
  );
  return true;
}

/** A Secrets Manager secret given by ARN. `allowSuffixFields`: the `:json-key:stage:id` form (secrets, not credentials). */
export function secretArnIntent(ctx: IntentContext, arn: Arn, raw: string, reason: Reason, allowSuffixFields: boolean): void {
  const parts = arn.resource.split(':');
  const name = parts[1] ?? '';
  // The agent splits on ':' and accepts exactly `secret:id` or `secret:id:json-key:stage:id` (getASMParametersFromInput).
  const okShape = parts[0] === 'secret' && name !== '' && (parts.length === 2 || (allowSuffixFields && parts.length === 5));
  if (!okShape) {
    ctx.warn('invalid-secret-arn', `${raw}: invalid Secrets Manager ARN, the ECS agent rejects it`, reason);
    return;
  }
  if (!realArnFields(arn)) {
    ctx.warn('placeholder', `${raw}: the ARN's partition, Region or account is a placeholder: no permission derived`, reason);
    return;
  }
  const secretArn = buildArn({ ...arn, resource: `secret:${name}` });
  const notes: string[] = [];
  if (parts.length === 5) notes.push('JSON key / version fields stripped');
  let resource = secretArn;
  if (SUFFIX_RE.test(name)) {
    notes.push('name ends with -XXXXXX: taken as the full ARN (a secret whose own name ends like that must be referenced by full ARN)');
  } else {
    // IAM evaluates the full ARN, so a partial ARN needs exactly six wildcard characters, not `*`.
    resource = `${secretArn}-??????`;
    notes.push('partial ARN: IAM sees the full ARN with a 6-character suffix');
  }
  const r = ctx.withNote(reason, notes.join('; '));
  ctx.require(['secretsmanager:GetSecretValue'], resource, r, crossAccount(ctx, arn, raw, reason));
  ctx.lookup('kms-key-for-secret', secretArn, reason);
}

/** A secret given by name (same Region and account as the caller). */
function secretNameIntent(ctx: IntentContext, name: string, region: string, account: string, partition: string, reason: Reason): void {
  const secretArn = buildArn({ partition, service: 'secretsmanager', region, account, resource: `secret:${name}` });
  ctx.require(
    ['secretsmanager:GetSecretValue'],
    `${secretArn}-??????`,
    ctx.withNote(reason, 'secret by name: IAM sees the full ARN with a 6-character suffix'),
  );
  ctx.lookup('kms-key-for-secret', secretArn, reason);
}

/** ssm:GetParameters on one parameter; `/a/b` and `a/b` both become `parameter/a/b`. */
export function parameterIntent(
  ctx: IntentContext,
  p: { name: string; region: string; account: string; partition: string },
  reason: Reason,
  cross = false,
): void {
  const name = p.name.replace(/^\/+/, '');
  const paramArn = buildArn({
    partition: p.partition,
    service: 'ssm',
    region: p.region,
    account: p.account,
    resource: `parameter/${name}`,
  });
  ctx.require(['ssm:GetParameters'], paramArn, reason, cross);
  if (name.startsWith(SSM_REFERENCE_PREFIX)) {
    // Parameter Store fetches the secret with the caller's permissions, so both are needed (row 8b). The reference
    // itself is not a stored parameter and has no key of its own: only the secret gets a KMS lookup.
    const id = name.slice(SSM_REFERENCE_PREFIX.length);
    const r = ctx.withNote(reason, 'SSM reference to a Secrets Manager secret');
    const arn = parseArn(id);
    if (arn?.service === 'secretsmanager') secretArnIntent(ctx, arn, id, r, false);
    else if (id !== '') secretNameIntent(ctx, id, p.region, p.account, p.partition, r);
    return;
  }
  ctx.lookup('kms-key-for-parameter', paramArn, reason);
}

/** An SSM parameter named without ARN: the task's Region and the role's account. */
function parameterByName(ctx: IntentContext, name: string, reason: Reason): void {
  const clean = name.replace(/^\/+/, '');
  const { region, account } = ctx;
  if (!ctx.known(`parameter/${clean}`, reason, region, account)) return;
  parameterIntent(
    ctx,
    { name, region: region as string, account: account as string, partition: partitionForRegion(region) as string },
    reason,
  );
}

/** `secrets[].valueFrom` / `secretOptions[].valueFrom`. */
export function valueFromIntent(ctx: IntentContext, valueFrom: string | undefined, reason: Reason): void {
  if (valueFrom === undefined || valueFrom.trim() === '') {
    ctx.warn('missing-value-from', 'secret without valueFrom: nothing to derive', reason);
    return;
  }
  if (hasTemplateMarker(valueFrom)) {
    ctx.warn('placeholder', `valueFrom ${JSON.stringify(valueFrom)} is a placeholder: no permission derived`, reason);
    return;
  }
  if (!valueFrom.startsWith('arn:')) return parameterByName(ctx, valueFrom, reason);
  const arn = parseArn(valueFrom);
  if (arn?.service === 'secretsmanager') return secretArnIntent(ctx, arn, valueFrom, reason, true);
  if (arn?.service === 'ssm') {
    if (!arn.resource.startsWith('parameter/')) {
      ctx.warn('invalid-parameter-arn', `${valueFrom}: an SSM parameter ARN must have the form …:parameter/<name>`, reason);
      return;
    }
    if (!realArnFields(arn)) {
      ctx.warn('placeholder', `${valueFrom}: the ARN's partition, Region or account is a placeholder: no permission derived`, reason);
      return;
    }
    // An ARN keeps its own Region and account: the agent calls GetParameters there.
    const cross = crossAccount(ctx, arn, valueFrom, reason);
    return parameterIntent(
      ctx,
      { name: arn.resource.slice('parameter/'.length), region: arn.region, account: arn.account, partition: arn.partition },
      reason,
      cross,
    );
  }
  ctx.warn('unsupported-secret-source', `${valueFrom}: valueFrom must be an SSM parameter or a Secrets Manager secret`, reason);
}

/** `repositoryCredentials.credentialsParameter`: a Secrets Manager secret by ARN or (same Region) by name. */
export function credentialsIntent(ctx: IntentContext, value: string | undefined, reason: Reason): void {
  if (value === undefined) return;
  if (value.trim() === '' || hasTemplateMarker(value)) {
    ctx.warn('placeholder', `credentialsParameter ${JSON.stringify(value)} is empty or a placeholder: no permission derived`, reason);
    return;
  }
  if (value.startsWith('arn:')) {
    const arn = parseArn(value);
    if (arn?.service === 'secretsmanager') return secretArnIntent(ctx, arn, value, reason, false);
    ctx.warn('invalid-secret-arn', `${value}: credentialsParameter must be a Secrets Manager secret`, reason);
    return;
  }
  const { region, account } = ctx;
  if (!ctx.known(`secret:${value}`, reason, region, account)) return;
  secretNameIntent(ctx, value, region as string, account as string, partitionForRegion(region) as string, reason);
}
