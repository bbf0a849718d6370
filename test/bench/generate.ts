// Deterministic task definitions for one shared execution role: varied images (own ECR, cross-account ECR,
// pull-through cache, Docker Hub), log groups, secrets (Secrets Manager partial and full ARNs, SSM names and ARNs),
// environment files.
import type { SourcedTaskDefinition, TaskDefinition } from '../../lib/engine/types.js';

const ACCOUNT = '123456789012';
const OTHER = '210987654321';
const REGIONS = ['eu-west-1', 'eu-west-1', 'eu-west-1', 'us-east-1'];

export function generatedTaskDefinition(i: number, role = `arn:aws:iam::${ACCOUNT}:role/shared-exec`): TaskDefinition {
  const region = REGIONS[i % REGIONS.length]!;
  const family = `app-${String(i).padStart(4, '0')}`;
  const images = [
    `${ACCOUNT}.dkr.ecr.${region}.amazonaws.com/team-${i % 7}/${family}:1.${i % 13}`,
    `${OTHER}.dkr.ecr.${region}.amazonaws.com/shared/base-${i % 5}:2`,
    `${ACCOUNT}.dkr.ecr.${region}.amazonaws.com/docker-hub/library/nginx:1.${i % 3}`,
    `public.ecr.aws/docker/library/redis:7`,
  ];
  const secrets = [
    { name: 'DB', valueFrom: `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:${family}/db` },
    {
      name: 'API',
      valueFrom: `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:${family}/api-Ab${String(i % 10_000).padStart(4, '0')}:key::`,
    },
    { name: 'FLAG', valueFrom: `/${family}/flags/${i % 4}` },
    { name: 'SHARED', valueFrom: `arn:aws:ssm:${region}:${ACCOUNT}:parameter/shared/config-${i % 9}` },
  ].slice(0, 1 + (i % 4));
  return {
    family,
    revision: 1 + (i % 11),
    taskDefinitionArn: `arn:aws:ecs:${region}:${ACCOUNT}:task-definition/${family}:${1 + (i % 11)}`,
    status: 'ACTIVE',
    executionRoleArn: role,
    requiresCompatibilities: ['FARGATE'],
    containerDefinitions: [
      {
        name: 'app',
        image: images[i % images.length]!,
        secrets,
        logConfiguration: {
          logDriver: 'awslogs',
          options: {
            'awslogs-group': `/ecs/${family}`,
            'awslogs-region': region,
            'awslogs-stream-prefix': 'app',
            ...(i % 3 === 0 ? { 'awslogs-create-group': 'true' } : {}),
          },
        },
        ...(i % 5 === 0 ? { environmentFiles: [{ type: 's3', value: `arn:aws:s3:::config-${i % 3}/${family}/app.env` }] } : {}),
      },
    ],
  };
}

export function generatedRole(n: number): SourcedTaskDefinition[] {
  return Array.from({ length: n }, (_, i) => ({ source: `generated-${i}`, taskDefinition: generatedTaskDefinition(i) }));
}
