// Secrets (spec 2.3 rows 6, 8, 8b, 9): SSM parameters by name or ARN, Secrets Manager secrets by full or partial
// ARN (with optional `:json-key:version-stage:version-id`), SSM references to Secrets Manager, and private-registry
// credentials. KMS keys are never guessed: every secret and parameter with a real ARN becomes a lookup.
// Placeholders may fill the partition, Region, account or a part of the name; a placeholder that starts the value
// (`{{SECRETS_ARN}}:KEY::`, `${DB_PASSWORD}`) decides what kind of reference it is, so it yields no grant.
import { partitionForRegion } from '../arn.js';
import type { Reason } from '../types.js';
import type { IntentContext } from './context.js';
import { Masked, endsWithSentinel, hasIamWildcard, neutral, startsWithSentinel } from './placeholder.js';
import { arnText, slotOf, type Slot } from './slots.js';

const SSM_REFERENCE_PREFIX = 'aws/reference/secretsmanager/';
const SUFFIX_RE = /-[A-Za-z0-9]{6}$/;
// Six letters of one case or six digits: a random suffix of 62 symbols looks like that about once in ninety.
const WORD_TAIL_RE = /-(?:[a-z]{6}|[A-Z]{6}|[0-9]{6})$/;

/** An ARN whose fields may hold placeholders; the resource part stays masked. */
export interface TemplatedArn {
  partition: Slot;
  service: string;
  region: Slot | '';
  account: Slot | '';
  resource: string;
}

/** `whole` when a placeholder stands where the service goes (the kind of resource is unknown). */
export function templatedArn(m: Masked): TemplatedArn | 'whole' | undefined {
  const parts = m.text.split(':');
  if (parts[0] !== 'arn' || parts.length < 6) return undefined;
  const [, p, service, r, a] = parts as [string, string, string, string, string];
  if (service === '' || m.tokensIn(service).length > 0) return m.tokensIn(service).length > 0 ? 'whole' : undefined;
  const partition = slotOf(m, p, 'partition');
  const region = r === '' ? '' : slotOf(m, r, 'region');
  const account = a === '' ? '' : slotOf(m, a, 'account');
  if (typeof partition !== 'object' || region === 'invalid' || region === undefined || account === 'invalid' || account === undefined) {
    return undefined;
  }
  // A real Region fixes the partition: `arn:aws:…:cn-north-1:…` names nothing.
  if (partition.real && region !== '' && region.real && partitionForRegion(region.value) !== partition.value) return undefined;
  return { partition, service, region, account, resource: parts.slice(5).join(':') };
}

function crossAccount(ctx: IntentContext, account: Slot, what: string, reason: Reason): boolean {
  if (!ctx.isCrossAccount(account)) return false;
  ctx.warn(
    'cross-account-secret',
    `${what} is in account ${account.value}, not the role's account ${ctx.account?.value}: its resource policy (and a customer-managed KMS key) must allow the execution role`,
    reason,
  );
  return true;
}

function invalid(ctx: IntentContext, code: string, raw: string, why: string, reason: Reason): void {
  ctx.warn(code, `${raw}: ${why}`, reason);
}

/** A Secrets Manager secret given by ARN. `allowSuffixFields`: the `:json-key:stage:id` form (secrets, not credentials). */
export function secretArnIntent(
  ctx: IntentContext,
  arn: TemplatedArn,
  m: Masked,
  raw: string,
  reason: Reason,
  allowSuffixFields: boolean,
): void {
  const parts = arn.resource.split(':');
  const name = parts[1] ?? '';
  // The agent splits on ':' and accepts exactly `secret:id` or `secret:id:json-key:stage:id` (getASMParametersFromInput).
  const okShape = parts[0] === 'secret' && name !== '' && (parts.length === 2 || (allowSuffixFields && parts.length === 5));
  if (!okShape || arn.region === '' || arn.account === '') {
    return invalid(ctx, 'invalid-secret-arn', raw, 'invalid Secrets Manager ARN, the ECS agent rejects it', reason);
  }
  const { partition, region, account } = arn;
  const secret = (resource: string) => arnText({ partition, service: 'secretsmanager', region, account, resource }, m);
  const exact = secret(`secret:${name}`);
  const notes: string[] = [];
  if (parts.length === 5) notes.push('JSON key / version fields stripped');
  const resources = [exact];
  if (endsWithSentinel(name)) {
    resources.push(secret(`secret:${name}-??????`));
    notes.push('the name ends with a placeholder that may or may not carry the 6-character suffix: both forms granted');
  } else if (SUFFIX_RE.test(neutral(name)) && !WORD_TAIL_RE.test(neutral(name))) {
    notes.push('name ends with -XXXXXX: taken as the full ARN (a secret whose own name ends like that must be referenced by full ARN)');
  } else if (SUFFIX_RE.test(neutral(name))) {
    // Secrets Manager reads a name ending in -XXXXXX as a complete ARN (its docs: "don't create secret names ending
    // with a hyphen followed by six characters"). A tail like `-secret` or `-202401` is more likely part of the name
    // of a secret referenced by partial ARN than the random suffix: grant both readings.
    resources.push(secret(`secret:${name}-??????`));
    notes.push('ends in a hyphen and six characters that read like a word: a complete ARN or a partial one, both granted');
    ctx.warn(
      'ambiguous-secret-suffix',
      'a secret ARN ends in a hyphen and six characters that read like a word, not like the random suffix Secrets Manager adds: it may be a complete ARN or the partial ARN of a secret whose name ends like that, so both are granted (`name` and `name-??????`); reference the secret by its complete ARN (aws secretsmanager describe-secret) to remove the doubt',
      ctx.withNote(reason, exact.arn),
    );
  } else {
    // IAM evaluates the full ARN, so a partial ARN needs exactly six wildcard characters, not `*`.
    resources[0] = secret(`secret:${name}-??????`);
    notes.push('partial ARN: IAM sees the full ARN with a 6-character suffix');
  }
  const r = ctx.withNote(reason, notes.join('; '));
  const cross = crossAccount(ctx, account, raw, reason);
  for (const res of resources) {
    const resource = ctx.accept(res.arn, res.placeholders, r);
    if (resource !== undefined) ctx.require(['secretsmanager:GetSecretValue'], resource, r, cross);
  }
  if (exact.placeholders.length === 0) ctx.lookup('kms-key-for-secret', exact.arn, reason);
}

interface Place {
  partition: Slot;
  region: Slot;
  account: Slot;
}

/** A secret given by name (same Region and account as the caller): names never carry the random suffix. */
function secretNameIntent(ctx: IntentContext, name: string, m: Masked, place: Place, reason: Reason): void {
  const arn = (resource: string) => arnText({ ...place, service: 'secretsmanager', resource }, m);
  const built = arn(`secret:${name}-??????`);
  const r = ctx.withNote(reason, 'secret by name: IAM sees the full ARN with a 6-character suffix');
  const resource = ctx.accept(built.arn, built.placeholders, r);
  if (resource !== undefined) ctx.require(['secretsmanager:GetSecretValue'], resource, r);
  const plain = arn(`secret:${name}`);
  if (plain.placeholders.length === 0) ctx.lookup('kms-key-for-secret', plain.arn, reason);
}

/** ssm:GetParameters on one parameter; `/a/b` and `a/b` both become `parameter/a/b`. `name` is masked. */
export function parameterIntent(ctx: IntentContext, name: string, m: Masked, place: Place, reason: Reason, cross = false): void {
  const clean = name.replace(/^\/+/, '');
  const built = arnText({ ...place, service: 'ssm', resource: `parameter/${clean}` }, m);
  const paramArn = ctx.accept(built.arn, built.placeholders, reason);
  if (paramArn !== undefined) ctx.require(['ssm:GetParameters'], paramArn, reason, cross);
  if (clean.startsWith(SSM_REFERENCE_PREFIX)) {
    // Parameter Store fetches the secret with the caller's permissions, so both are needed (row 8b). The reference
    // itself is not a stored parameter and has no key of its own: only the secret gets a KMS lookup.
    const id = clean.slice(SSM_REFERENCE_PREFIX.length);
    const r = ctx.withNote(reason, 'SSM reference to a Secrets Manager secret');
    if (id.startsWith('arn:')) {
      const im = Masked.of(m.restore(id));
      const arn = im && templatedArn(im);
      if (im && typeof arn === 'object' && arn.service === 'secretsmanager') secretArnIntent(ctx, arn, im, m.restore(id), r, false);
      else invalid(ctx, 'invalid-secret-arn', m.restore(id), 'not a Secrets Manager secret ARN', r);
    } else if (id !== '') secretNameIntent(ctx, id, m, place, r);
    return;
  }
  if (built.placeholders.length === 0) ctx.lookup('kms-key-for-parameter', built.arn, reason);
}

/** The task's Region and partition and the role's account, for references given by name. */
function taskPlace(ctx: IntentContext, what: string, reason: Reason): Place | undefined {
  const { region, account } = ctx;
  if (!ctx.known(what, reason, region, account)) return undefined;
  return { partition: ctx.partitionFor(region)!, region: region!, account: account! };
}

/** The value as a masked template; undefined (with a warning) when it cannot be read safely. */
function masked(ctx: IntentContext, value: string, what: string, reason: Reason): Masked | undefined {
  const m = Masked.of(value);
  if (!m || hasIamWildcard(value)) {
    ctx.warn(
      'invalid-reference',
      `${what} ${JSON.stringify(value)} holds characters no reference may hold (* ? or private-use): no permission derived`,
      reason,
    );
    return undefined;
  }
  return m;
}

/** `secrets[].valueFrom` / `secretOptions[].valueFrom`. */
export function valueFromIntent(ctx: IntentContext, valueFrom: string | undefined, reason: Reason): void {
  if (valueFrom === undefined || valueFrom.trim() === '') {
    ctx.warn('missing-value-from', 'secret without valueFrom: nothing to derive', reason);
    return;
  }
  const m = masked(ctx, valueFrom, 'valueFrom', reason);
  if (!m) return;
  if (startsWithSentinel(m.text)) return ctx.template(m.tokensIn(m.text), reason, 'whole');
  if (!m.text.startsWith('arn:')) {
    const place = taskPlace(ctx, `parameter/${valueFrom.replace(/^\/+/, '')}`, reason);
    return place && parameterIntent(ctx, m.text, m, place, reason);
  }
  const arn = templatedArn(m);
  if (arn === 'whole') return ctx.template(m.tokensIn(m.text), reason, 'whole');
  if (arn === undefined) {
    return invalid(ctx, 'invalid-arn', valueFrom, 'not an ARN with a valid partition, Region and account: no permission derived', reason);
  }
  if (arn.service === 'secretsmanager') return secretArnIntent(ctx, arn, m, valueFrom, reason, true);
  if (arn.service === 'ssm') {
    if (!arn.resource.startsWith('parameter/') || arn.region === '' || arn.account === '') {
      return invalid(
        ctx,
        'invalid-parameter-arn',
        valueFrom,
        'an SSM parameter ARN must have the form arn:…:ssm:<region>:<account>:parameter/<name>',
        reason,
      );
    }
    // An ARN keeps its own Region and account: the agent calls GetParameters there.
    const cross = crossAccount(ctx, arn.account, valueFrom, reason);
    const place = { partition: arn.partition, region: arn.region, account: arn.account };
    return parameterIntent(ctx, arn.resource.slice('parameter/'.length), m, place, reason, cross);
  }
  ctx.warn('unsupported-secret-source', `${valueFrom}: valueFrom must be an SSM parameter or a Secrets Manager secret`, reason);
}

/** `repositoryCredentials.credentialsParameter`: a Secrets Manager secret by ARN or (same Region) by name. */
export function credentialsIntent(ctx: IntentContext, value: string | undefined, reason: Reason): void {
  if (value === undefined) return;
  if (value.trim() === '') {
    ctx.warn('missing-credentials-parameter', 'credentialsParameter is empty: no permission derived', reason);
    return;
  }
  const m = masked(ctx, value, 'credentialsParameter', reason);
  if (!m) return;
  if (startsWithSentinel(m.text)) return ctx.template(m.tokensIn(m.text), reason, 'whole');
  if (m.text.startsWith('arn:')) {
    const arn = templatedArn(m);
    if (arn === 'whole') return ctx.template(m.tokensIn(m.text), reason, 'whole');
    if (arn?.service === 'secretsmanager') return secretArnIntent(ctx, arn, m, value, reason, false);
    return invalid(ctx, 'invalid-secret-arn', value, 'credentialsParameter must be a Secrets Manager secret', reason);
  }
  const place = taskPlace(ctx, `secret:${value}`, reason);
  if (place) secretNameIntent(ctx, m.text, m, place, reason);
}
