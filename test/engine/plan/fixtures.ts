// A realistic execution role used across the remediation tests: the real AWS managed policy (corpus) plus an
// over-broad inline policy, and what a task definition with one ECR image, awslogs and one secret needs.
import { loadCorpusJson } from '../../support/corpus.js';
import { buildPlan } from '../../../lib/engine/plan/build-plan.js';
import type { Finding, NamedPolicy, Plan, PolicyDocument, Requirement, SynthesizedPolicy } from '../../../lib/engine/types.js';
import { fakeCovers } from './fake-covers.js';

export const ACCOUNT = '123456789012';
export const ROLE_NAME = 'app-exec';
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${ROLE_NAME}`;
export const MANAGED_ARN = 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy';
export const REPO = `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/app`;
export const LOG_STREAMS = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/ecs/app:*`;
export const SECRET = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:prod/db-??????`;

export function managedDocument(): PolicyDocument {
  return loadCorpusJson<{ PolicyVersion: { Document: PolicyDocument } }>('managed-policies', 'AmazonECSTaskExecutionRolePolicy.MAMIP.json')
    .PolicyVersion.Document;
}

export const broadInline: NamedPolicy = {
  name: 'secrets-everywhere',
  kind: 'inline',
  document: {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'ssm:GetParameters'], Resource: '*' }],
  },
};

export function managedPolicy(): NamedPolicy {
  return { name: 'AmazonECSTaskExecutionRolePolicy', kind: 'aws-managed', arn: MANAGED_ARN, document: managedDocument() };
}

const why = [{ taskDefinition: 'app:7', container: 'app', field: 'containerDefinitions[0]' }];
export const requirements: Requirement[] = [
  { action: 'ecr:GetAuthorizationToken', resource: '*', reasons: why },
  { action: 'ecr:BatchCheckLayerAvailability', resource: REPO, reasons: why },
  { action: 'ecr:GetDownloadUrlForLayer', resource: REPO, reasons: why },
  { action: 'ecr:BatchGetImage', resource: REPO, reasons: why },
  { action: 'logs:CreateLogStream', resource: LOG_STREAMS, reasons: why },
  { action: 'logs:PutLogEvents', resource: LOG_STREAMS, reasons: why },
  { action: 'secretsmanager:GetSecretValue', resource: SECRET, reasons: why },
];

/** What the synthesizer would produce for `requirements` (written by hand from spec §2/§11). */
export const synthesized: SynthesizedPolicy = {
  document: {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'EcrAuth', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
      {
        Sid: 'EcrPull',
        Effect: 'Allow',
        Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
        Resource: REPO,
      },
      { Sid: 'Logs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: LOG_STREAMS },
      { Sid: 'Secrets', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: SECRET },
    ],
  },
  size: 0,
  compaction: [],
};

const ref = (policy: string, statement = 0) => [{ policy, statement }];
/** Findings as the comparison step reports them for this role. */
export function findings(): Finding[] {
  const m = 'AmazonECSTaskExecutionRolePolicy';
  return [
    ...[
      'ecr:BatchCheckLayerAvailability',
      'ecr:GetDownloadUrlForLayer',
      'ecr:BatchGetImage',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ].map((action): Finding => ({
      kind: 'too-broad',
      severity: 'review',
      action,
      resource: '*',
      reasons: ['granted on *'],
      grantedBy: ref(m),
    })),
    {
      kind: 'too-broad',
      severity: 'review',
      action: 'secretsmanager:GetSecretValue',
      resource: '*',
      reasons: ['granted on *'],
      grantedBy: ref('secrets-everywhere'),
    },
    {
      kind: 'excess',
      severity: 'review',
      action: 'ssm:GetParameters',
      resource: '*',
      reasons: ['no task definition uses SSM'],
      grantedBy: ref('secrets-everywhere'),
    },
  ];
}

/** The fixture role's plan: the managed policy and the broad inline policy, against the fixture intent. */
export function fixturePlan(): Plan {
  return buildPlan({
    roleArn: ROLE_ARN,
    state: {
      roleArn: ROLE_ARN,
      inline: [{ name: broadInline.name, document: broadInline.document }],
      attached: [managedPolicy().arn as string],
    },
    baseStateHash: 'h',
    grant: [managedPolicy(), broadInline],
    requirements,
    synthesized,
    findings: findings(),
    accountId: ACCOUNT,
    covers: fakeCovers,
  });
}
