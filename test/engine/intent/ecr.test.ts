import { describe, expect, it } from 'vitest';
import { deriveIntent } from '../../../lib/engine/intent/index.js';
import { ACCT, OTHER, codes, find, pairs, td, unresolved } from './helpers.js';

const PULL = ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'];
const DIGEST = `sha256:${'ab'.repeat(32)}`;

/** The four requirements of a private ECR pull (spec 2.3 rows 1/1b). */
function pull(repoArn: string): string[] {
  return ['ecr:GetAuthorizationToken *', ...PULL.map((a) => `${a} ${repoArn}`)].sort();
}

function imageIntent(image: string, opts = {}) {
  return deriveIntent([td([{ name: 'c', image }])], opts);
}

describe('private ECR images', () => {
  it.each([
    [`${ACCT}.dkr.ecr.us-east-1.amazonaws.com/app:1.0`, `arn:aws:ecr:us-east-1:${ACCT}:repository/app`],
    [`${ACCT}.dkr.ecr.us-east-1.amazonaws.com/app`, `arn:aws:ecr:us-east-1:${ACCT}:repository/app`],
    [`${ACCT}.dkr.ecr.us-east-1.amazonaws.com/app@${DIGEST}`, `arn:aws:ecr:us-east-1:${ACCT}:repository/app`],
    [`${ACCT}.dkr.ecr.us-east-1.amazonaws.com/app:v2@${DIGEST}`, `arn:aws:ecr:us-east-1:${ACCT}:repository/app`],
    [`${ACCT}.dkr.ecr.us-east-1.amazonaws.com/team/svc/api:latest`, `arn:aws:ecr:us-east-1:${ACCT}:repository/team/svc/api`],
    [
      `${ACCT}.dkr.ecr.us-east-1.amazonaws.com/ecr-public/library/nginx:1`,
      `arn:aws:ecr:us-east-1:${ACCT}:repository/ecr-public/library/nginx`,
    ],
    [`${ACCT}.dkr-ecr.us-east-2.on.aws/app:1`, `arn:aws:ecr:us-east-2:${ACCT}:repository/app`],
    [`${ACCT}.dkr-ecr-fips.us-west-2.on.aws/app:1`, `arn:aws:ecr:us-west-2:${ACCT}:repository/app`],
    [`${ACCT}.dkr.ecr-fips.us-gov-west-1.amazonaws.com/app:1`, `arn:aws-us-gov:ecr:us-gov-west-1:${ACCT}:repository/app`],
    [`${ACCT}.dkr.ecr.cn-north-1.amazonaws.com.cn/app:1`, `arn:aws-cn:ecr:cn-north-1:${ACCT}:repository/app`],
    [`${ACCT}.dkr.ecr.eusc-de-east-1.amazonaws.eu/app:1`, `arn:aws-eusc:ecr:eusc-de-east-1:${ACCT}:repository/app`],
    // Docker keeps an explicit HTTPS port in the registry host; it is still the same ECR registry.
    [`${ACCT}.dkr.ecr.us-east-1.amazonaws.com:443/team/app:1`, `arn:aws:ecr:us-east-1:${ACCT}:repository/team/app`],
  ])('%s', (image, repoArn) => {
    const intent = imageIntent(image);
    expect(pairs(intent)).toEqual(pull(repoArn));
    expect(intent.warnings).toEqual([]);
    expect(intent.requirements.every((r) => !r.crossAccount)).toBe(true);
  });

  it('GovCloud shares the amazonaws.com suffix: the partition comes from the Region', () => {
    const intent = imageIntent(`${ACCT}.dkr.ecr.us-gov-east-1.amazonaws.com/app`);
    expect(find(intent, 'ecr:BatchGetImage', `arn:aws-us-gov:ecr:us-gov-east-1:${ACCT}:repository/app`)).toBeDefined();
  });

  it('uses the registry Region, not the task Region', () => {
    const intent = deriveIntent([td([{ name: 'c', image: `${ACCT}.dkr.ecr.eu-west-1.amazonaws.com/app` }])]);
    expect(find(intent, 'ecr:BatchGetImage', `arn:aws:ecr:eu-west-1:${ACCT}:repository/app`)).toBeDefined();
  });

  it('reasons carry the task definition, container and JSON path', () => {
    const intent = deriveIntent([
      td([
        { name: 'web', image: 'nginx' },
        { name: 'api', image: `${ACCT}.dkr.ecr.us-east-1.amazonaws.com/api` },
      ]),
    ]);
    expect(find(intent, 'ecr:BatchGetImage', `arn:aws:ecr:us-east-1:${ACCT}:repository/api`)!.reasons).toEqual([
      { taskDefinition: `arn:aws:ecs:us-east-1:${ACCT}:task-definition/app:3`, container: 'api', field: 'containerDefinitions[1].image' },
    ]);
  });

  it('cross-account registry: crossAccount and a repository-policy warning; the token stays on *', () => {
    const intent = imageIntent(`${OTHER}.dkr.ecr.us-east-1.amazonaws.com/shared/base:1`);
    const repo = `arn:aws:ecr:us-east-1:${OTHER}:repository/shared/base`;
    expect(pairs(intent)).toEqual(pull(repo));
    for (const a of PULL) expect(find(intent, a, repo)!.crossAccount).toBe(true);
    expect(find(intent, 'ecr:GetAuthorizationToken', '*')!.crossAccount).toBeUndefined();
    expect(codes(intent)).toEqual(['cross-account-ecr']);
    expect(intent.warnings[0]!.message).toContain('repository policy');
  });

  it('GetAuthorizationToken is emitted once for many images', () => {
    const intent = deriveIntent([
      td([
        { name: 'a', image: `${ACCT}.dkr.ecr.us-east-1.amazonaws.com/a` },
        { name: 'b', image: `${ACCT}.dkr.ecr.us-east-1.amazonaws.com/b` },
      ]),
    ]);
    const tokens = intent.requirements.filter((r) => r.action === 'ecr:GetAuthorizationToken');
    expect(tokens).toHaveLength(1);
    expect(tokens[0]!.reasons.map((r) => r.container)).toEqual(['a', 'b']);
  });
});

describe('public images and other registries need nothing (row 20)', () => {
  it.each([
    'nginx',
    'nginx:latest',
    'tomcat',
    'amazon/aws-for-fluent-bit:stable',
    'docker.io/library/nginx:1.25',
    'public.ecr.aws/nginx/nginx:latest',
    'public.ecr.aws/cloudwatch-agent/cloudwatch-agent:1.300066.1b1374',
    'ghcr.io/org/tool:1',
    'quay.io/prometheus/node-exporter',
    '127.0.0.1:51671/busybox:latest',
    'localhost/x',
    `nginx@${DIGEST}`,
  ])('%s', (image) => {
    const intent = imageIntent(image);
    expect(intent.requirements).toEqual([]);
    expect(intent.warnings).toEqual([]);
  });
});

describe('empty and placeholder images', () => {
  // Deliberate change (issue 13): a placeholder that is the whole image reference is listed as unresolved, naming
  // the field, and no lone ecr:GetAuthorizationToken is granted for a repository that could not be derived.
  it.each([
    ['', ''],
    ['   ', ''],
    ['REPOSITORY_URI:TAG', 'REPOSITORY_URI'],
    ['$$$$IMAGE$$$$', '$$$$IMAGE$$$$'],
    ['{{demo-app-image}}', '{{demo-app-image}}'],
    ['${ContainerImage}', '${ContainerImage}'],
  ])('%j → unresolved placeholder %j, no requirement', (image, token) => {
    const intent = imageIntent(image);
    expect(intent.requirements).toEqual([]);
    expect(unresolved(intent)).toEqual([`placeholder ${token}`]);
    expect(intent.unresolved[0]!.reasons.map((r) => r.field)).toEqual(['containerDefinitions[0].image']);
    expect(codes(intent)).toEqual(['placeholder']);
  });

  it('an ECR host with a placeholder account: the repository ARN keeps it (plan) or the pull is left out (compare)', () => {
    const image = 'XXXXX.dkr.ecr.us-east-1.amazonaws.com/fluentd:latest';
    expect(pairs(imageIntent(image, { placeholders: 'keep' }))).toEqual(pull('arn:aws:ecr:us-east-1:XXXXX:repository/fluentd'));
    const omitted = imageIntent(image);
    expect(omitted.requirements).toEqual([]);
    expect(unresolved(omitted)).toEqual(['placeholder XXXXX']);
  });

  it('an ECR host with a placeholder Region keeps it in the Region slot, the partition from the role', () => {
    const intent = imageIntent(`${ACCT}.dkr.ecr.{{region}}.amazonaws.com/app`, { placeholders: 'keep' });
    expect(pairs(intent)).toEqual(pull(`arn:aws:ecr:{{region}}:${ACCT}:repository/app`));
    expect(unresolved(intent)).toEqual(['placeholder {{region}}']);
  });
});

describe('pull-through cache (row 4)', () => {
  const image = `${ACCT}.dkr.ecr.us-east-1.amazonaws.com/docker-hub/library/nginx:latest`;

  it('adds BatchImportUpstreamImage and CreateRepository on <prefix>/*', () => {
    const intent = imageIntent(image, { pullThroughPrefixes: ['docker-hub'] });
    expect(pairs(intent)).toEqual(
      [
        ...pull(`arn:aws:ecr:us-east-1:${ACCT}:repository/docker-hub/library/nginx`),
        `ecr:BatchImportUpstreamImage arn:aws:ecr:us-east-1:${ACCT}:repository/docker-hub/*`,
        `ecr:CreateRepository arn:aws:ecr:us-east-1:${ACCT}:repository/docker-hub/*`,
      ].sort(),
    );
  });

  it('accepts prefixes written with slashes', () => {
    const intent = imageIntent(image, { pullThroughPrefixes: ['/docker-hub/'] });
    expect(find(intent, 'ecr:CreateRepository', `arn:aws:ecr:us-east-1:${ACCT}:repository/docker-hub/*`)).toBeDefined();
  });

  it('matches whole path components only', () => {
    const intent = imageIntent(`${ACCT}.dkr.ecr.us-east-1.amazonaws.com/docker-hubby/x`, { pullThroughPrefixes: ['docker-hub'] });
    expect(intent.requirements.some((r) => r.action === 'ecr:BatchImportUpstreamImage')).toBe(false);
  });

  it('without configuration a task definition cannot tell', () => {
    expect(imageIntent(image).requirements.some((r) => r.action === 'ecr:CreateRepository')).toBe(false);
  });
});

describe('extraImages (images no task definition shows)', () => {
  it('adds the GuardDuty sidecar pull even with no task definitions', () => {
    const image = '733349766148.dkr.ecr.us-west-2.amazonaws.com/aws-guardduty-agent-fargate:v1.0.0';
    const intent = deriveIntent([], { extraImages: [image] });
    expect(pairs(intent)).toEqual(pull('arn:aws:ecr:us-west-2:733349766148:repository/aws-guardduty-agent-fargate'));
    expect(intent.requirements[0]!.reasons).toEqual([{ taskDefinition: 'extraImages', field: 'extraImages[0]' }]);
  });
});
