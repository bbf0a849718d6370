// S3 objects the agent downloads with the execution role (spec 2.3 rows 11-13): environment files, FireLens
// config files, gMSA credential specs. GetObject on the object, GetBucketLocation on the bucket (the agent asks
// for the bucket's Region first).
import { hasTemplateMarker, isPartition, parseArn } from '../arn.js';
import type { ContainerDefinition, Reason } from '../types.js';
import type { IntentContext } from './context.js';

/** `arn:P:s3:::bucket/key` → the two requirements; anything else is a warning. */
export function s3ObjectIntent(ctx: IntentContext, value: string | undefined, reason: Reason): void {
  if (value === undefined || value.trim() === '' || hasTemplateMarker(value)) {
    ctx.warn('placeholder', `S3 object ${JSON.stringify(value ?? '')} is empty or a placeholder: no permission derived`, reason);
    return;
  }
  const arn = parseArn(value);
  const slash = arn?.resource.indexOf('/') ?? -1;
  if (!arn || arn.service !== 's3' || arn.region !== '' || arn.account !== '' || slash < 1 || slash === arn.resource.length - 1) {
    ctx.warn('invalid-s3-arn', `${value}: expected an S3 object ARN arn:<partition>:s3:::<bucket>/<key>`, reason);
    return;
  }
  if (!isPartition(arn.partition)) {
    ctx.warn('placeholder', `${value}: ${JSON.stringify(arn.partition)} is not a partition: no permission derived`, reason);
    return;
  }
  const bucket = arn.resource.slice(0, slash);
  ctx.require(['s3:GetObject'], `arn:${arn.partition}:s3:::${arn.resource}`, reason);
  ctx.require(['s3:GetBucketLocation'], `arn:${arn.partition}:s3:::${bucket}`, reason);
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
