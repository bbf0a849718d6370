// awslogs (spec 2.3 row 7): CreateLogStream + PutLogEvents on `log-group:<G>:*` (the authorized resource is the
// stream ARN, which that pattern matches) in the awslogs Region and the role's account; awslogs-create-group adds
// CreateLogGroup on both the group pattern and the bare group ARN.
import { hasTemplateMarker, isRegion, regionalArn } from '../arn.js';
import type { ContainerDefinition } from '../types.js';
import type { IntentContext } from './context.js';

const EC2_NOTE =
  'EC2-only task definition: awslogs uses the instance role unless the agent sets ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE=true; kept for that case';

/** Docker's awslogs driver reads awslogs-create-group with Go's strconv.ParseBool. */
function isTrue(value: string | undefined): boolean {
  return value !== undefined && ['1', 't', 'true'].includes(value.trim().toLowerCase());
}

export function awslogsIntent(ctx: IntentContext, c: ContainerDefinition, base: string): void {
  const lc = c.logConfiguration;
  if (lc?.logDriver !== 'awslogs') return;
  const options = lc.options ?? {};
  const field = `${base}.logConfiguration.options`;
  let reason = ctx.reason(c, `${field}["awslogs-group"]`, ctx.ec2Only ? EC2_NOTE : undefined);
  const group = options['awslogs-group'];
  if (group === undefined || group.trim() === '') {
    ctx.warn('awslogs-no-group', 'awslogs driver without awslogs-group: no log-group permission derived', reason);
    return;
  }
  if (hasTemplateMarker(group)) {
    ctx.warn('placeholder', `awslogs-group ${JSON.stringify(group)} is a placeholder: no log-group permission derived`, reason);
    return;
  }
  const optRegion = options['awslogs-region'];
  let region = ctx.region;
  if (optRegion !== undefined) {
    if (isRegion(optRegion)) region = optRegion;
    else {
      ctx.warn(
        'placeholder',
        `awslogs-region ${JSON.stringify(optRegion)} is not a Region (placeholder?); using the task's Region if known`,
        ctx.reason(c, `${field}["awslogs-region"]`),
      );
    }
  }
  const createGroup = isTrue(options['awslogs-create-group']);
  if (!ctx.known(`log-group:${group}`, reason, region, ctx.account)) return;
  const groupArn = regionalArn('logs', region as string, ctx.account as string, `log-group:${group}`) as string;
  ctx.require(['logs:CreateLogStream', 'logs:PutLogEvents'], `${groupArn}:*`, reason);
  if (createGroup) {
    reason = ctx.reason(c, `${field}["awslogs-create-group"]`, reason.note);
    ctx.require(['logs:CreateLogGroup'], `${groupArn}:*`, reason);
    ctx.require(['logs:CreateLogGroup'], groupArn, reason);
  }
}
