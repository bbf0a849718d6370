import { describe, expect, it } from 'vitest';
import { trustFindings } from '../../lib/engine/trust.js';
import type { PolicyDocument } from '../../lib/engine/types.js';

const ROLE = 'arn:aws:iam::123456789012:role/web-exec';
const ecs = { Effect: 'Allow' as const, Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' };
const doc = (...Statement: PolicyDocument['Statement']): PolicyDocument => ({ Version: '2012-10-17', Statement });

describe('trustFindings', () => {
  it('accepts the recommended ECS-only trust policy, with or without confused-deputy conditions', () => {
    expect(trustFindings(ROLE, doc(ecs))).toEqual([]);
    const withConditions = {
      ...ecs,
      Condition: {
        StringEquals: { 'aws:SourceAccount': '123456789012' },
        ArnLike: { 'aws:SourceArn': 'arn:aws:ecs:us-west-2:123456789012:*' },
      },
    };
    expect(trustFindings(ROLE, doc(withConditions))).toEqual([]);
  });

  it('flags Principal "*" and AWS "*" as urgent', () => {
    const anyone = trustFindings(ROLE, doc(ecs, { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' }));
    expect(anyone.map((f) => [f.kind, f.severity, f.action, f.resource])).toEqual([['trust-policy', 'urgent', 'sts:AssumeRole', ROLE]]);
    const anyAws = trustFindings(ROLE, doc(ecs, { Effect: 'Allow', Principal: { AWS: ['*'] }, Action: 'sts:AssumeRole' }));
    expect(anyAws.map((f) => f.severity)).toEqual(['urgent']);
  });

  it('flags other services, AWS accounts and federated principals for review, one finding each', () => {
    const f = trustFindings(
      ROLE,
      doc({
        Sid: 'Mixed',
        Effect: 'Allow',
        Principal: {
          Service: ['ecs-tasks.amazonaws.com', 'lambda.amazonaws.com'],
          AWS: 'arn:aws:iam::210987654321:root',
          Federated: 'cognito-identity.amazonaws.com',
        },
        Action: ['sts:AssumeRole', 'sts:AssumeRoleWithWebIdentity'],
      }),
    );
    expect(f.map((x) => x.severity)).toEqual(['review', 'review', 'review']);
    expect(f.map((x) => x.reasons[0])).toEqual([
      'statement 0 (Mixed) lets Service principal lambda.amazonaws.com assume the role; an execution role should trust only ecs-tasks.amazonaws.com',
      'statement 0 (Mixed) lets AWS principal arn:aws:iam::210987654321:root assume the role; an execution role should trust only ecs-tasks.amazonaws.com',
      'statement 0 (Mixed) lets Federated principal cognito-identity.amazonaws.com assume the role; an execution role should trust only ecs-tasks.amazonaws.com',
    ]);
    expect(f[0]?.action).toBe('sts:AssumeRole,sts:AssumeRoleWithWebIdentity');
    expect(f[0]?.grantedBy).toEqual([{ policy: 'trust-policy', statement: 0, sid: 'Mixed' }]);
  });

  it('keeps conditions visible instead of ignoring them', () => {
    const f = trustFindings(
      ROLE,
      doc(ecs, {
        Effect: 'Allow',
        Principal: '*',
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc' } },
      }),
    );
    expect(f[0]?.severity).toBe('urgent');
    expect(f[0]?.reasons).toContain('conditions apply: {"StringEquals":{"aws:PrincipalOrgID":"o-abc"}}');
  });

  it('ignores Deny statements and treats Allow with NotPrincipal as open to everyone else', () => {
    expect(trustFindings(ROLE, doc(ecs, { Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRole' }))).toEqual([]);
    const f = trustFindings(
      ROLE,
      doc(ecs, { Effect: 'Allow', NotPrincipal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'sts:AssumeRole' }),
    );
    expect(f.map((x) => x.severity)).toEqual(['urgent']);
  });

  it('says when ECS cannot assume the role at all', () => {
    const f = trustFindings(ROLE, doc({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }));
    expect(f.map((x) => [x.severity, x.reasons[0]])).toEqual([
      [
        'review',
        'statement 0 lets Service principal ec2.amazonaws.com assume the role; an execution role should trust only ecs-tasks.amazonaws.com',
      ],
      ['review', 'the trust policy does not allow ecs-tasks.amazonaws.com: ECS cannot use this role as a task execution role'],
    ]);
  });
});
