// S3 objects the agent downloads with the execution role (spec 2.3 rows 11-13): environment files, FireLens
// config files, gMSA credential specs. GetObject on the object, GetBucketLocation on the bucket (the agent asks
// for the bucket's Region first). Placeholders may fill the partition, the bucket or part of the key.
import type { ContainerDefinition, Reason } from '../types.js';
import type { IntentContext } from './context.js';
import { Masked, hasIamWildcard, onlySentinels, startsWithSentinel } from './placeholder.js';
import { slotOf } from './slots.js';

/** `arn:P:s3:::bucket/key` → the two requirements; anything else is a warning. */
export function s3ObjectIntent(ctx: IntentContext, value: string | undefined, reason: Reason): void {
  if (value === undefined || value.trim() === '') {
    ctx.warn('missing-s3-object', 'the S3 object ARN is empty: no permission derived', reason);
    return;
  }
  const m = Masked.of(value);
  if (!m || hasIamWildcard(value)) {
    ctx.warn('invalid-s3-arn', `${value}: an S3 object ARN may not hold * or ? here: no permission derived`, reason);
    return;
  }
  if (startsWithSentinel(m.text)) return ctx.template(m.tokensIn(m.text), reason, 'whole');
  const parts = m.text.split(':');
  const resource = parts.slice(5).join(':');
  const slash = resource.indexOf('/');
  const partition = parts[1] === undefined ? undefined : slotOf(m, parts[1], 'partition');
  const shapeOk = parts[0] === 'arn' && parts.length >= 6 && parts[2] === 's3' && parts[3] === '' && parts[4] === '';
  if (shapeOk && onlySentinels(resource)) return ctx.template(m.tokensIn(resource), reason, 'whole');
  if (!shapeOk || typeof partition !== 'object' || slash < 1 || slash === resource.length - 1) {
    ctx.warn('invalid-s3-arn', `${value}: expected an S3 object ARN arn:<partition>:s3:::<bucket>/<key>`, reason);
    return;
  }
  const bucket = resource.slice(0, slash);
  const objectArn = ctx.accept(
    `arn:${partition.value}:s3:::${m.restore(resource)}`,
    [...partition.placeholders, ...m.tokensIn(resource)],
    reason,
  );
  const bucketArn = ctx.accept(
    `arn:${partition.value}:s3:::${m.restore(bucket)}`,
    [...partition.placeholders, ...m.tokensIn(bucket)],
    reason,
  );
  if (objectArn === undefined || bucketArn === undefined) return;
  ctx.require(['s3:GetObject'], objectArn, reason);
  ctx.require(['s3:GetBucketLocation'], bucketArn, reason);
}

export function environmentFilesIntent(ctx: IntentContext, c: ContainerDefinition, base: string): void {
  (c.environmentFiles ?? []).forEach((file, i) => {
    const reason = ctx.reason(c, `${base}.environmentFiles[${i}].value`);
    if (file.type !== 's3') {
      ctx.warn(
        'unsupported-environment-file',
        `environment file type ${JSON.stringify(file.type ?? '')} is not supported (only s3): no permission derived`,
        reason,
      );
      return;
    }
    s3ObjectIntent(ctx, file.value, reason);
  });
}

/** FireLens `config-file-type: s3` (EC2 only); `file` is inside the image and needs nothing. */
export function firelensIntent(ctx: IntentContext, c: ContainerDefinition, base: string): void {
  const options = c.firelensConfiguration?.options;
  if (options?.['config-file-type'] !== 's3') return;
  const reason = ctx.reason(c, `${base}.firelensConfiguration.options["config-file-value"]`);
  if (ctx.fargateCompatible) {
    ctx.warn(
      'firelens-s3-on-fargate',
      'FireLens config-file-type s3 is supported on EC2 only; Fargate tasks only support the file type',
      reason,
    );
  }
  s3ObjectIntent(ctx, options['config-file-value'], reason);
}
