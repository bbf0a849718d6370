// Private ECR pulls (spec 2.3 rows 1-4): GetAuthorizationToken on `*` plus the three pull actions on the
// repository ARN of the *registry* account and Region; pull-through cache adds import + create on `<prefix>/*`.
import { hasTemplateMarker, isAccountId, regionalArn } from '../arn.js';
import type { Reason } from '../types.js';
import type { IntentContext } from './context.js';
import { isValidImageRef, parseEcrHost, splitImage } from './image-ref.js';

export const ECR_PULL_ACTIONS = ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'];
export const ECR_PTC_ACTIONS = ['ecr:BatchImportUpstreamImage', 'ecr:CreateRepository'];

export function normalizePrefixes(prefixes: string[] | undefined): string[] {
  // Longest first, so `team/docker-hub` wins over `team` when both are configured.
  return (prefixes ?? [])
    .map((p) => p.replace(/^\/+|\/+$/g, ''))
    .filter((p) => p !== '')
    .sort((a, b) => b.length - a.length);
}

/** Adds what pulling `image` needs. `field` is the JSON path used in reasons. */
export function imageIntent(ctx: IntentContext, image: string | undefined, reason: Reason, ptcPrefixes: string[]): void {
  if (image === undefined) return;
  const trimmed = image.trim();
  if (trimmed === '' || hasTemplateMarker(trimmed)) {
    ctx.warn('image-placeholder', `image ${JSON.stringify(image)} is empty or a placeholder: no ECR permission derived`, reason);
    return;
  }
  const ref = splitImage(trimmed);
  const ecr = ref.host === undefined ? undefined : parseEcrHost(ref.host);
  if (!ecr) {
    // Docker Hub, public.ecr.aws, other registries: the execution role is not involved (row 20).
    if (!isValidImageRef(ref)) {
      ctx.warn(
        'image-placeholder',
        `image ${JSON.stringify(image)} is not a valid image reference (placeholder?): no permission derived`,
        reason,
      );
    }
    return;
  }
  // Any private ECR pull starts with a registry token; it has no resource-level permissions (row 1).
  ctx.require(['ecr:GetAuthorizationToken'], '*', reason);
  if (!isAccountId(ecr.account)) {
    ctx.warn(
      'image-placeholder',
      `image ${image}: the ECR registry account ${JSON.stringify(ecr.account)} is a placeholder; the repository permissions cannot be derived`,
      reason,
    );
    return;
  }
  if (!isValidImageRef(ref)) {
    ctx.warn('image-placeholder', `image ${image} is not a valid image reference: the repository permissions cannot be derived`, reason);
    return;
  }
  const repoArn = regionalArn('ecr', ecr.region, ecr.account, `repository/${ref.path}`);
  if (!repoArn) {
    ctx.warn(
      'image-placeholder',
      `image ${image}: ${JSON.stringify(ecr.region)} is not a Region; the repository permissions cannot be derived`,
      reason,
    );
    return;
  }
  const cross = ctx.isCrossAccount(ecr.account);
  if (cross) {
    ctx.warn(
      'cross-account-ecr',
      `image ${image} is in registry account ${ecr.account}, not the role's account ${ctx.account}: the repository policy there must allow the execution role`,
      reason,
    );
  }
  ctx.require(ECR_PULL_ACTIONS, repoArn, reason, cross);
  const prefix = ptcPrefixes.find((p) => ref.path.startsWith(`${p}/`));
  if (prefix !== undefined) {
    const ptcArn = regionalArn('ecr', ecr.region, ecr.account, `repository/${prefix}/*`) as string;
    ctx.require(ECR_PTC_ACTIONS, ptcArn, ctx.withNote(reason, `pull-through cache prefix ${prefix}`), cross);
  }
}
