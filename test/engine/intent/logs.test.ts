import { describe, expect, it } from 'vitest';
import { deriveIntent } from '../../../lib/engine/intent/index.js';
import type { ContainerDefinition } from '../../../lib/engine/types.js';
import { ACCT, codes, find, pairs, td, unresolved } from './helpers.js';

function awslogs(options: Record<string, string>): ContainerDefinition {
  return { name: 'app', image: 'nginx', logConfiguration: { logDriver: 'awslogs', options } };
}

const G = `arn:aws:logs:us-east-1:${ACCT}:log-group:/ecs/app`;

describe('awslogs (spec 2.3 row 7)', () => {
  it('CreateLogStream and PutLogEvents on log-group:<G>:* only', () => {
    const intent = deriveIntent([
      td([awslogs({ 'awslogs-group': '/ecs/app', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'ecs' })]),
    ]);
    expect(pairs(intent)).toEqual([`logs:CreateLogStream ${G}:*`, `logs:PutLogEvents ${G}:*`]);
    expect(intent.warnings).toEqual([]);
  });

  it.each(['true', 'True', 'TRUE'])('awslogs-create-group %j adds CreateLogGroup on the group pattern and the bare group', (flag) => {
    const intent = deriveIntent([td([awslogs({ 'awslogs-group': '/ecs/app', 'awslogs-create-group': flag })])]);
    expect(pairs(intent)).toEqual([
      `logs:CreateLogGroup ${G}`,
      `logs:CreateLogGroup ${G}:*`,
      `logs:CreateLogStream ${G}:*`,
      `logs:PutLogEvents ${G}:*`,
    ]);
  });

  it.each(['false', 'False', ''])('awslogs-create-group %j adds nothing', (flag) => {
    const intent = deriveIntent([td([awslogs({ 'awslogs-group': '/ecs/app', 'awslogs-create-group': flag })])]);
    expect(intent.requirements.some((r) => r.action === 'logs:CreateLogGroup')).toBe(false);
  });

  it('awslogs-region wins over the task Region, and its partition is used', () => {
    const intent = deriveIntent([td([awslogs({ 'awslogs-group': 'g', 'awslogs-region': 'cn-northwest-1' })])]);
    expect(pairs(intent)).toEqual([
      `logs:CreateLogStream arn:aws-cn:logs:cn-northwest-1:${ACCT}:log-group:g:*`,
      `logs:PutLogEvents arn:aws-cn:logs:cn-northwest-1:${ACCT}:log-group:g:*`,
    ]);
  });

  it('without awslogs-region the task Region is used', () => {
    const intent = deriveIntent([td([awslogs({ 'awslogs-group': '/ecs/app' })])]);
    expect(find(intent, 'logs:PutLogEvents', `${G}:*`)).toBeDefined();
  });

  it('the account is the role account (awslogs takes a name, no ARN)', () => {
    const intent = deriveIntent([
      td([awslogs({ 'awslogs-group': 'g', 'awslogs-region': 'us-west-2' })], {
        executionRoleArn: 'arn:aws:iam::999988887777:role/x',
        taskDefinitionArn: undefined,
      }),
    ]);
    expect(pairs(intent)).toContain('logs:PutLogEvents arn:aws:logs:us-west-2:999988887777:log-group:g:*');
  });

  it('a missing awslogs-group is a warning, not a requirement', () => {
    const intent = deriveIntent([td([awslogs({ 'awslogs-region': 'us-east-1' })])]);
    expect(intent.requirements).toEqual([]);
    expect(codes(intent)).toEqual(['awslogs-no-group']);
  });

  it('EC2-only task definitions keep the requirement with a note about the agent override', () => {
    const intent = deriveIntent([td([awslogs({ 'awslogs-group': '/ecs/app' })], { requiresCompatibilities: ['EC2'] })]);
    const req = find(intent, 'logs:CreateLogStream', `${G}:*`)!;
    expect(req.reasons[0]!.note).toContain('ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE');
  });

  it('Fargate task definitions carry no such note', () => {
    const intent = deriveIntent([td([awslogs({ 'awslogs-group': '/ecs/app' })], { requiresCompatibilities: ['FARGATE'] })]);
    expect(find(intent, 'logs:CreateLogStream', `${G}:*`)!.reasons[0]!.note).toBeUndefined();
  });

  it('unknown account: no requirement, needs-account lookup and a --account warning', () => {
    const intent = deriveIntent([
      td([awslogs({ 'awslogs-group': 'g', 'awslogs-region': 'us-east-1' })], { taskDefinitionArn: undefined, executionRoleArn: undefined }),
    ]);
    expect(intent.requirements).toEqual([]);
    expect(unresolved(intent)).toEqual(['needs-account log-group:g']);
    expect(intent.warnings.find((w) => w.code === 'needs-account')!.message).toContain('--account');
  });

  it('unknown Region (no awslogs-region, no ARN): needs-region with a --region warning', () => {
    const intent = deriveIntent([td([awslogs({ 'awslogs-group': 'g' })], { taskDefinitionArn: undefined })]);
    expect(intent.requirements).toEqual([]);
    expect(unresolved(intent)).toEqual(['needs-region log-group:g']);
    expect(intent.warnings.find((w) => w.code === 'needs-region')!.message).toContain('--region');
  });

  // Deliberate change (issue 13): the task's Region (or --region) no longer replaces a placeholder awslogs-region,
  // which granted the wrong Region whenever the logs go elsewhere.
  it('a placeholder awslogs-region stays in the Region slot, never replaced by the task Region', () => {
    const intent = deriveIntent([td([awslogs({ 'awslogs-group': 'g', 'awslogs-region': '{{region}}' })])], { placeholders: 'keep' });
    expect(pairs(intent)).toEqual([
      `logs:CreateLogStream arn:aws:logs:{{region}}:${ACCT}:log-group:g:*`,
      `logs:PutLogEvents arn:aws:logs:{{region}}:${ACCT}:log-group:g:*`,
    ]);
    expect(unresolved(intent)).toEqual(['placeholder {{region}}']);
    expect(intent.unresolved[0]!.reasons.map((r) => r.field)).toEqual([
      'containerDefinitions[0].logConfiguration.options["awslogs-region"]',
    ]);
    expect(codes(intent)).toEqual(['placeholder']);
  });

  it('other log drivers (awsfirelens destinations belong to the task role) add nothing', () => {
    const c: ContainerDefinition = {
      name: 'app',
      image: 'httpd',
      logConfiguration: {
        logDriver: 'awsfirelens',
        options: { Name: 'cloudwatch', region: 'us-west-2', log_group_name: 'x', auto_create_group: 'true' },
      },
    };
    expect(deriveIntent([td([c])]).requirements).toEqual([]);
  });
});
