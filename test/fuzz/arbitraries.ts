// fast-check arbitraries for task definitions as people write them: ECR (own, cross-account, pull-through cache),
// other registries, awslogs / FireLens / log-driver secrets, every secret form, S3 environment files.
import fc from 'fast-check';
import type { ContainerDefinition, TaskDefinition } from '../../lib/engine/types.js';

export const ACCOUNT = '123456789012';
const OTHER = '210987654321';
const REGIONS = ['eu-west-1', 'us-east-1', 'ap-southeast-2'];

const word = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/);
const region = fc.constantFrom(...REGIONS);
const tag = fc.oneof(fc.stringMatching(/^[0-9]{1,2}\.[0-9]{1,2}$/), fc.constant('latest'));
const digest = fc.stringMatching(/^[0-9a-f]{64}$/).map((h) => `@sha256:${h}`);
const path = fc.array(word, { minLength: 1, maxLength: 3 }).map((ws) => ws.join('/'));

export const image = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(ACCOUNT, OTHER),
      region,
      path,
      fc.oneof(
        tag.map((t) => `:${t}`),
        digest,
      ),
    )
    .map(([a, r, p, t]) => `${a}.dkr.ecr.${r}.amazonaws.com/${p}${t}`),
  fc.tuple(region, word, tag).map(([r, w, t]) => `${ACCOUNT}.dkr.ecr.${r}.amazonaws.com/docker-hub/library/${w}:${t}`),
  fc.tuple(word, tag).map(([w, t]) => `${w}:${t}`),
  fc.tuple(word, word, tag).map(([o, w, t]) => `ghcr.io/${o}/${w}:${t}`),
  fc.tuple(word, word).map(([o, w]) => `public.ecr.aws/${o}/${w}:latest`),
  fc.string({ maxLength: 40 }),
);

const suffix = fc.stringMatching(/^[A-Za-z0-9]{6}$/);
export const secretValueFrom = fc.oneof(
  path.map((p) => `/${p}`),
  word,
  fc.tuple(region, fc.constantFrom(ACCOUNT, OTHER), path).map(([r, a, p]) => `arn:aws:ssm:${r}:${a}:parameter/${p}`),
  fc
    .tuple(region, fc.constantFrom(ACCOUNT, OTHER), path, suffix)
    .map(([r, a, p, s]) => `arn:aws:secretsmanager:${r}:${a}:secret:${p}-${s}`),
  fc.tuple(region, path).map(([r, p]) => `arn:aws:secretsmanager:${r}:${ACCOUNT}:secret:${p}`),
  fc.tuple(region, path, suffix, word).map(([r, p, s, k]) => `arn:aws:secretsmanager:${r}:${ACCOUNT}:secret:${p}-${s}:${k}:AWSCURRENT:`),
  path.map((p) => `/aws/reference/secretsmanager/${p}`),
  fc.string({ maxLength: 60 }),
);

const secrets = fc.array(fc.record({ name: word.map((w) => w.toUpperCase()), valueFrom: secretValueFrom }), { maxLength: 4 });

export const logConfiguration = fc.oneof(
  fc
    .record({ group: path.map((p) => `/ecs/${p}`), region: fc.option(region, { nil: undefined }), create: fc.boolean() })
    .map(({ group, region: r, create }) => ({
      logDriver: 'awslogs',
      options: {
        'awslogs-group': group,
        'awslogs-stream-prefix': 'ecs',
        ...(r ? { 'awslogs-region': r } : {}),
        ...(create ? { 'awslogs-create-group': 'true' } : {}),
      },
    })),
  fc.record({ logDriver: fc.constant('awsfirelens'), options: fc.constant({ Name: 'cloudwatch', region: 'eu-west-1' }) }),
  secrets.map((s) => ({ logDriver: 'splunk', options: { 'splunk-url': 'https://splunk.example.com' }, secretOptions: s })),
);

const s3Arn = fc.tuple(word, path).map(([b, k]) => `arn:aws:s3:::${b}/${k}.env`);
const environmentFiles = fc.array(
  fc.oneof(
    s3Arn.map((value) => ({ type: 's3', value })),
    fc.record({ type: fc.constant('s3'), value: fc.string({ maxLength: 30 }) }),
  ),
  { maxLength: 2 },
);

export const container: fc.Arbitrary<ContainerDefinition> = fc
  .record(
    {
      name: word,
      image,
      secrets,
      logConfiguration,
      environmentFiles,
      repositoryCredentials: fc
        .tuple(region, path)
        .map(([r, p]) => ({ credentialsParameter: `arn:aws:secretsmanager:${r}:${ACCOUNT}:secret:${p}` })),
      firelensConfiguration: s3Arn.map((value) => ({
        type: 'fluentbit',
        options: { 'config-file-type': 's3', 'config-file-value': value },
      })),
    },
    { requiredKeys: ['name', 'image'] },
  )
  .map((c) => c as ContainerDefinition);

export const taskDefinition: fc.Arbitrary<TaskDefinition> = fc
  .record({
    family: word,
    revision: fc.integer({ min: 1, max: 500 }),
    region,
    containers: fc.array(container, { minLength: 1, maxLength: 4 }),
  })
  .map(({ family, revision, region: r, containers }) => ({
    family,
    revision,
    taskDefinitionArn: `arn:aws:ecs:${r}:${ACCOUNT}:task-definition/${family}:${revision}`,
    status: 'ACTIVE',
    executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/shared-exec`,
    requiresCompatibilities: ['FARGATE'],
    containerDefinitions: containers,
  }));
