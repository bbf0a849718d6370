// gMSA credential specs (spec 2.3 rows 13-13c) in `credentialSpecs[]` or `dockerSecurityOptions[]`:
// `credentialspec:<S3 or SSM ARN>` and `credentialspecdomainless:<…>`. Local `file://` specs need nothing.
import type { ContainerDefinition } from '../types.js';
import type { IntentContext } from './context.js';
import { Masked, hasIamWildcard, startsWithSentinel } from './placeholder.js';
import { s3ObjectIntent } from './s3.js';
import { parameterIntent, templatedArn } from './secrets.js';

const PREFIX_RE = /^(credentialspec|credentialspecdomainless):(.*)$/;

function entryIntent(ctx: IntentContext, c: ContainerDefinition, entry: string, field: string): void {
  const m = PREFIX_RE.exec(entry);
  if (!m) return; // other docker security options (no-new-privileges, labels, …)
  const [, kind, spec] = m as unknown as [string, string, string];
  const reason = ctx.reason(c, field);
  const masked = Masked.of(spec);
  if (!masked || hasIamWildcard(spec)) {
    ctx.warn('invalid-credential-spec', `credential spec ${JSON.stringify(spec)} holds * or ?: no permission derived`, reason);
    return;
  }
  if (startsWithSentinel(masked.text)) return ctx.template(masked.tokensIn(masked.text), reason, 'whole');
  if (!spec.startsWith('arn:')) return;
  if (kind === 'credentialspecdomainless') {
    ctx.warn(
      'gmsa-domainless-secret',
      'domainless gMSA: the Secrets Manager secret holding the domain user is named inside the credential spec, not in the task definition; the execution role needs secretsmanager:GetSecretValue (and kms:Decrypt) on it too',
      reason,
    );
  }
  const arn = templatedArn(masked);
  if (arn === 'whole') return ctx.template(masked.tokensIn(masked.text), reason, 'whole');
  if (arn?.service === 's3') return s3ObjectIntent(ctx, spec, reason);
  if (arn?.service === 'ssm' && arn.resource.startsWith('parameter/')) {
    // The agent reads the parameter by name in the task's Region (handleSSMCredentialspecFile), so the task's
    // Region and the role's account decide the resource; the ARN's own fields are the fallback when unknown.
    const region = ctx.region ?? (arn.region === '' ? undefined : arn.region);
    const account = ctx.account ?? (arn.account === '' ? undefined : arn.account);
    if (!ctx.known(arn.resource, reason, region, account)) return;
    const r = ctx.withNote(reason, "the ECS agent reads gMSA SSM credential specs in the task's Region");
    const place = { partition: ctx.partitionFor(region) ?? arn.partition, region: region!, account: account! };
    return parameterIntent(ctx, arn.resource.slice('parameter/'.length), masked, place, r);
  }
  ctx.warn('invalid-credential-spec', `${spec}: a credential spec ARN must name an S3 object or an SSM parameter`, reason);
}

export function gmsaIntent(ctx: IntentContext, c: ContainerDefinition, base: string): void {
  (c.credentialSpecs ?? []).forEach((e, i) => entryIntent(ctx, c, e, `${base}.credentialSpecs[${i}]`));
  (c.dockerSecurityOptions ?? []).forEach((e, i) => entryIntent(ctx, c, e, `${base}.dockerSecurityOptions[${i}]`));
}
