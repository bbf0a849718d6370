// Private ECR pulls (spec 2.3 rows 1-4): GetAuthorizationToken on `*` plus the three pull actions on the
// repository ARN of the *registry* account and Region; pull-through cache adds import + create on `<prefix>/*`.
// Placeholders: in the registry account or Region, or in the repository name, they fill one slot of the repository
// ARN; in the tag or digest they change nothing; as the whole reference (or the whole registry) they yield no grant.
import { partitionForRegion } from '../arn.js';
import type { Reason } from '../types.js';
import type { IntentContext } from './context.js';
import { isValidImageRef, parseEcrHost, partitionForEcrSuffix, splitImage, type ImageRef } from './image-ref.js';
import { Masked, hasIamWildcard, hasSentinel, neutral, onlySentinels, startsWithSentinel } from './placeholder.js';
import { arnText, realSlot, slotOf, type Slot } from './slots.js';

export const ECR_PULL_ACTIONS = ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'];
export const ECR_PTC_ACTIONS = ['ecr:BatchImportUpstreamImage', 'ecr:CreateRepository'];

export function normalizePrefixes(prefixes: string[] | undefined): string[] {
  // Longest first, so `team/docker-hub` wins over `team` when both are configured.
  return (prefixes ?? [])
    .map((p) => p.replace(/^\/+|\/+$/g, ''))
    .filter((p) => p !== '')
    .sort((a, b) => b.length - a.length);
}

// A repository path component written in capitals (`REPOSITORY_URI`, `IMAGE_NAME`) is never valid (repository names
// are lowercase): it is a bare placeholder, as in CodeDeploy's `REPOSITORY_URI:TAG`.
const BARE_COMPONENT = /^[A-Z][A-Z0-9_]*$/;

function maskBareComponents(m: Masked, path: string): string {
  return path
    .split('/')
    .map((c) => (BARE_COMPONENT.test(c) && /[A-Z]/.test(c) ? m.maskBare(c) : c))
    .join('/');
}

/** The syntax check of the reference, with each placeholder standing for a valid character. */
function validShape(ref: ImageRef): boolean {
  const check: ImageRef = { path: neutral(ref.path) };
  if (ref.host !== undefined) check.host = neutral(ref.host);
  if (ref.tag !== undefined) check.tag = neutral(ref.tag);
  if (ref.digest !== undefined && !hasSentinel(ref.digest)) check.digest = ref.digest;
  return isValidImageRef(check);
}

/** Adds what pulling `image` needs. */
export function imageIntent(ctx: IntentContext, image: string | undefined, reason: Reason, ptcPrefixes: string[]): void {
  if (image === undefined) return;
  const trimmed = image.trim();
  if (trimmed === '') {
    // Left empty for the pipeline to fill (e.g. by amazon-ecs-render-task-definition): a placeholder in all but name.
    ctx.template([''], reason, ctx.instanceRole ? 'ignored' : 'whole');
    return;
  }
  const m = Masked.of(trimmed);
  if (!m || hasIamWildcard(trimmed)) {
    ctx.warn('invalid-image', `image ${JSON.stringify(image)} is not a valid image reference: no permission derived`, reason);
    return;
  }
  const ref = splitImage(m.text);
  ref.path = maskBareComponents(m, ref.path);
  if (ref.host !== undefined && BARE_COMPONENT.test(ref.host)) ref.host = m.maskBare(ref.host);
  const tagged = [...(ref.tag ? m.tokensIn(ref.tag) : []), ...(ref.digest ? m.tokensIn(ref.digest) : [])];
  // No registry host and a path that starts with a placeholder: the placeholder may be the registry itself.
  if ((ref.host === undefined && startsWithSentinel(ref.path)) || (ref.host !== undefined && onlySentinels(ref.host))) {
    // On EC2 without an execution role a pull is the instance role's business either way.
    ctx.template([...m.tokensIn(ref.host ?? ''), ...m.tokensIn(ref.path), ...tagged], reason, ctx.instanceRole ? 'ignored' : 'whole');
    return;
  }
  const ecr = ref.host === undefined ? undefined : parseEcrHost(ref.host);
  if (!ecr) {
    // Docker Hub, public.ecr.aws, other registries: the execution role is not involved (row 20).
    if (m.isTemplate) ctx.template([...m.tokensIn(ref.path), ...m.tokensIn(ref.host ?? ''), ...tagged], reason, 'ignored');
    if (!validShape(ref)) {
      ctx.warn('invalid-image', `image ${JSON.stringify(image)} is not a valid image reference: no permission derived`, reason);
    }
    return;
  }
  if (tagged.length) ctx.template(tagged, ctx.withNote(reason, 'image tag or digest'), 'ignored');
  const account = slotOf(m, ecr.account, 'account');
  const region = slotOf(m, ecr.region, 'region');
  // The registry host was matched by its ECR shape and its slots checked above: only the rest is left to check.
  const { host: _host, ...rest } = ref;
  if (!validShape(rest) || typeof account !== 'object' || typeof region !== 'object') {
    ctx.warn('invalid-image', `image ${image} is not a valid ECR image reference: the repository permissions cannot be derived`, reason);
    return;
  }
  if (ctx.instanceRole) {
    ctx.instanceRoleNeeds.push(ctx.withNote(reason, 'ECR pull'));
    return;
  }
  // The partition comes from the Region; for a placeholder Region, from a host suffix only one partition uses,
  // else from the role (an execution role only reaches repositories in its own partition).
  const fromSuffix = partitionForEcrSuffix(ecr.suffix);
  const partition: Slot | undefined = region.real
    ? realSlot(partitionForRegion(region.value) as string)
    : fromSuffix
      ? realSlot(fromSuffix)
      : ctx.partition;
  const path = m.restore(ref.path);
  if (partition === undefined) {
    ctx.needRegion(`repository/${path}`, reason);
    return;
  }
  const built = arnText({ partition, service: 'ecr', region, account, resource: `repository/${ref.path}` }, m);
  const repoArn = ctx.accept(built.arn, built.placeholders, reason);
  if (repoArn === undefined) return;
  // A registry token serves only a pull from a repository; it has no resource-level permissions (row 1).
  ctx.require(['ecr:GetAuthorizationToken'], '*', reason);
  const cross = ctx.isCrossAccount(account);
  if (cross) {
    ctx.warn(
      'cross-account-ecr',
      `image ${image} is in registry account ${account.value}, not the role's account ${ctx.account?.value}: the repository policy there must allow the execution role`,
      reason,
    );
  }
  ctx.require(ECR_PULL_ACTIONS, repoArn, reason, cross);
  const prefix = ptcPrefixes.find((p) => path.startsWith(`${p}/`));
  if (prefix !== undefined) {
    const ptc = arnText({ partition, service: 'ecr', region, account, resource: `repository/${prefix}/*` }, m);
    ctx.require(ECR_PTC_ACTIONS, ptc.arn, ctx.withNote(reason, `pull-through cache prefix ${prefix}`), cross);
  }
}
