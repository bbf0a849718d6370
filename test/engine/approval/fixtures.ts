// A realistic plan for a web service's execution role, used by the approval and notification tests.
import type { Finding, Plan } from '../../../lib/engine/types.js';

export const ROLE_ARN = 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole-web';
export const PLAN_HASH = 'a3f1c9e07b2d4c5e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e';
export const BASE_STATE_HASH = '5d41402abc4b2a76b9719d911017c592a1b2c3d4e5f60718293a4b5c6d7e8f90';

export const FINDINGS: Finding[] = [
  {
    kind: 'missing',
    severity: 'urgent',
    action: 'secretsmanager:GetSecretValue',
    resource: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/web/db-password-??????',
    reasons: ['web:7 container app secrets[0].valueFrom names the secret'],
    requiredBy: [{ taskDefinition: 'web:7', container: 'app', field: 'containerDefinitions[0].secrets[0].valueFrom' }],
  },
  {
    kind: 'denied',
    severity: 'urgent',
    action: 'kms:Decrypt',
    resource: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    reasons: ['AccessDenied in CloudTrail for the role'],
    evidence: [
      { kind: 'denial', at: '2024-05-02T10:15:00Z', source: 'cloudtrail', detail: 'AccessDenied kms:Decrypt' },
      { kind: 'stop-reason', at: '2024-05-01T08:00:00Z', source: 'ecs', detail: 'ResourceInitializationError' },
    ],
  },
  {
    kind: 'too-broad',
    severity: 'review',
    action: 'logs:CreateLogStream',
    resource: '*',
    reasons: ['AmazonECSTaskExecutionRolePolicy grants it on *; only /ecs/web is used'],
    grantedBy: [{ policy: 'AmazonECSTaskExecutionRolePolicy', statement: 0 }],
  },
  {
    kind: 'excess',
    severity: 'review',
    action: 'ssm:GetParameters',
    resource: 'arn:aws:ssm:eu-west-1:123456789012:parameter/legacy/*',
    reasons: ['no task definition reads /legacy parameters'],
    evidence: [{ kind: 'last-accessed', at: '2023-11-20T00:00:00Z', source: 'iam-last-accessed' }],
  },
];

export function samplePlan(overrides: Partial<Plan> = {}): Plan {
  return {
    roleArn: ROLE_ARN,
    baseStateHash: BASE_STATE_HASH,
    planHash: PLAN_HASH,
    policyName: 'leash-least-privilege',
    document: {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'Logs',
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: 'arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/web:*',
        },
      ],
    },
    deleteInline: [],
    detach: ['arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy'],
    additions: [
      {
        action: 'secretsmanager:GetSecretValue',
        resource: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/web/db-password-??????',
      },
    ],
    removals: [{ action: 'ssm:GetParameters', resource: 'arn:aws:ssm:eu-west-1:123456789012:parameter/legacy/*' }],
    compaction: [
      {
        action: 'ecr:BatchGetImage',
        from: ['arn:aws:ecr:eu-west-1:123456789012:repository/web', 'arn:aws:ecr:eu-west-1:123456789012:repository/web-sidecar'],
        to: 'arn:aws:ecr:eu-west-1:123456789012:repository/web*',
        extraAccess: 'any repository whose name starts with web',
      },
    ],
    findings: FINDINGS,
    needsApproval: ['removes access (detach AmazonECSTaskExecutionRolePolicy)'],
    ...overrides,
  };
}

/** `count` distinct findings of one kind, each with a long resource, to push message limits. */
export function manyFindings(count: number, kind: Finding['kind'] = 'excess'): Finding[] {
  return Array.from({ length: count }, (_, i) => ({
    kind,
    severity: 'review' as const,
    action: 's3:GetObject',
    resource: `arn:aws:s3:::config-bucket-${i}/${'deeply/nested/'.repeat(20)}env-${i}.env`,
    reasons: [`finding number ${i}`],
    evidence: [{ kind: 'use' as const, at: `2024-01-${String((i % 28) + 1).padStart(2, '0')}T00:00:00Z`, source: 'cloudtrail' }],
  }));
}
