// awslogs (spec 2.3 row 7): CreateLogStream + PutLogEvents on `log-group:<G>:*` (the authorized resource is the
// stream ARN, which that pattern matches) in the awslogs Region and the role's account; awslogs-create-group adds
// CreateLogGroup on both the group pattern and the bare group ARN. A placeholder `awslogs-region` stays in the ARN:
// the task's Region and --region only fill a Region the file leaves out.
import type { ContainerDefinition, Reason } from '../types.js';
import type { IntentContext } from './context.js';
import { Masked, hasIamWildcard, neutral, onlySentinels } from './placeholder.js';
import { arnText, slotOf, type Slot } from './slots.js';

const EC2_NOTE =
  'EC2-only task definition: awslogs uses the instance role unless the agent sets ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE=true; kept for that case';

/** Docker's awslogs driver reads awslogs-create-group with Go's strconv.ParseBool. */
function isTrue(value: string): boolean {
  return ['1', 't', 'true'].includes(value.trim().toLowerCase());
}

export function awslogsIntent(ctx: IntentContext, c: ContainerDefinition, base: string): void {
  const lc = c.logConfiguration;
  if (lc?.logDriver !== 'awslogs') return;
  const options = lc.options ?? {};
  const field = `${base}.logConfiguration.options`;
  let reason = ctx.reason(c, `${field}["awslogs-group"]`, ctx.ec2Only && !ctx.instanceRole ? EC2_NOTE : undefined);
  const group = options['awslogs-group'];
  if (group === undefined || group.trim() === '') {
    ctx.warn('awslogs-no-group', 'awslogs driver without awslogs-group: no log-group permission derived', reason);
    return;
  }
  const m = Masked.of(group);
  if (!m || hasIamWildcard(group)) {
    ctx.warn('invalid-log-group', `awslogs-group ${JSON.stringify(group)} is not a log group name: no permission derived`, reason);
    return;
  }
  if (onlySentinels(m.text)) {
    ctx.template(m.tokensIn(m.text), reason, 'whole');
    return;
  }
  // CloudWatch Logs group names: 1-512 of a-z A-Z 0-9 _ - / . # (anything else never reaches a policy).
  if (!/^[\w./#-]{1,512}$/.test(neutral(m.text))) {
    ctx.warn('invalid-log-group', `awslogs-group ${JSON.stringify(group)} is not a log group name: no permission derived`, reason);
    return;
  }
  const createRaw = options['awslogs-create-group'];
  const createReason = ctx.reason(c, `${field}["awslogs-create-group"]`, reason.note);
  const createMasked = createRaw === undefined ? undefined : Masked.of(createRaw);
  let createGroup = createRaw !== undefined && isTrue(createRaw);
  if (createMasked?.isTemplate) {
    // Unknown until substituted: the grant covers "true", so the policy works either way.
    createGroup = true;
    ctx.template(createMasked.tokensIn(createMasked.text), createReason, 'assumed-true');
  }
  if (ctx.instanceRole) {
    ctx.instanceRoleNeeds.push(ctx.withNote(reason, `awslogs to ${group}`));
    return;
  }
  let region: Slot | undefined = ctx.region;
  let regionReason: Reason | undefined;
  const optRegion = options['awslogs-region'];
  if (optRegion !== undefined) {
    const rm = Masked.of(optRegion);
    const slot = rm && slotOf(rm, rm.text, 'region');
    regionReason = ctx.reason(c, `${field}["awslogs-region"]`, reason.note);
    if (typeof slot !== 'object') {
      ctx.warn(
        'invalid-region',
        `awslogs-region ${JSON.stringify(optRegion)} is neither a Region nor a placeholder: no log-group permission derived`,
        regionReason,
      );
      return;
    }
    region = slot;
  }
  // A placeholder Region is listed under its own field; the rest of the ARN under awslogs-group.
  const regionPlaceholders = optRegion !== undefined && region && !region.real ? region.placeholders : [];
  const bare = region && regionPlaceholders.length ? { ...region, placeholders: [] } : region;
  const account = ctx.account;
  const keep = ctx.placeholders === 'keep';
  if (!ctx.known(`log-group:${group}`, reason, bare, account)) {
    if (regionReason) ctx.template(regionPlaceholders, regionReason, 'omitted');
    return;
  }
  if (regionReason) ctx.template(regionPlaceholders, regionReason, keep ? 'kept' : 'omitted');
  const parts = { partition: ctx.partitionFor(region)!, service: 'logs', region: bare!, account: account! };
  const built = arnText({ ...parts, resource: `log-group:${m.text}` }, m);
  const groupArn = ctx.accept(built.arn, built.placeholders, reason);
  if (groupArn === undefined || (regionPlaceholders.length && !keep)) return;
  ctx.require(['logs:CreateLogStream', 'logs:PutLogEvents'], `${groupArn}:*`, reason);
  if (createGroup) {
    reason = ctx.reason(c, `${field}["awslogs-create-group"]`, reason.note);
    ctx.require(['logs:CreateLogGroup'], `${groupArn}:*`, reason);
    ctx.require(['logs:CreateLogGroup'], groupArn, reason);
  }
}
