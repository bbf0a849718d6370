// Paths moto does not take: truncated listings, malformed documents, server errors; plus the owner rules.
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListEntitiesForPolicyCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { IamRoles as IamReader } from '../../../lib/adapters/aws/iam-roles.js';
import { roleNameOf } from '../../../lib/engine/arn.js';
import { roleOwner } from '../../../lib/engine/role/owner.js';
import { AdapterError, PolicyError } from '../../../lib/errors.js';

const iamMock = mockClient(IAMClient);
const iam = () => new IAMClient({ region: 'us-east-1' });
const enc = (doc: unknown) => encodeURIComponent(JSON.stringify(doc));
const ROLE = { RoleName: 'web-exec', Arn: 'arn:aws:iam::123456789012:role/web-exec', RoleId: 'AROA1', Path: '/', CreateDate: new Date(0) };
const doc = (action: string) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });

beforeEach(() => {
  iamMock.reset();
  iamMock.on(GetRoleCommand).resolves({ Role: ROLE });
  iamMock.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [] });
});

describe('IamReader (mocked IAM)', () => {
  it('follows Marker pagination for inline and attached policies', async () => {
    iamMock
      .on(ListRolePoliciesCommand, { Marker: undefined })
      .resolves({ PolicyNames: ['a'], IsTruncated: true, Marker: 'm1' })
      .on(ListRolePoliciesCommand, { Marker: 'm1' })
      .resolves({ PolicyNames: ['b'], IsTruncated: false });
    iamMock.on(GetRolePolicyCommand).callsFake((input: { PolicyName: string }) => ({ PolicyDocument: enc(doc(`s3:${input.PolicyName}`)) }));
    iamMock
      .on(ListAttachedRolePoliciesCommand, { Marker: undefined })
      .resolves({ AttachedPolicies: [{ PolicyArn: 'arn:aws:iam::123456789012:policy/p1' }], IsTruncated: true, Marker: 'x' })
      .on(ListAttachedRolePoliciesCommand, { Marker: 'x' })
      .resolves({ AttachedPolicies: [{ PolicyArn: 'arn:aws:iam::123456789012:policy/p2' }] });
    iamMock
      .on(GetPolicyCommand)
      .callsFake((input: { PolicyArn: string }) => ({ Policy: { PolicyName: input.PolicyArn.split('/')[1], DefaultVersionId: 'v3' } }));
    iamMock.on(GetPolicyVersionCommand).resolves({ PolicyVersion: { Document: enc(doc('ecr:BatchGetImage')) } });

    const grant = await new IamReader(iam(), new Map()).readGrant('web-exec');
    expect(grant!.policies.map((p) => [p.name, p.kind])).toEqual([
      ['a', 'inline'],
      ['b', 'inline'],
      ['p1', 'managed'],
      ['p2', 'managed'],
    ]);
    expect(grant!.policies[1]!.document).toEqual(doc('s3:b'));
    expect(iamMock.commandCalls(GetPolicyVersionCommand).map((c) => c.args[0].input.VersionId)).toEqual(['v3', 'v3']);
  });

  it('rejects a document that is not JSON with a PolicyError naming the policy', async () => {
    iamMock.on(ListRolePoliciesCommand).resolves({ PolicyNames: ['broken'] });
    iamMock.on(GetRolePolicyCommand).resolves({ PolicyDocument: '%7B%22Statement%22%3A' });
    const err = await new IamReader(iam(), new Map()).readGrant('web-exec').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PolicyError);
    expect(err).toMatchObject({ source: 'iam:role/web-exec#inline/broken', jsonPath: '$' });
  });

  it('wraps a server error in an AdapterError that keeps the cause', async () => {
    const boom = Object.assign(new Error('We encountered an internal error'), {
      name: 'ServiceFailureException',
      $metadata: { httpStatusCode: 500 },
    });
    iamMock.on(ListRolePoliciesCommand).rejects(boom);
    const err = await new IamReader(iam(), new Map()).readGrant('web-exec').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AdapterError);
    expect(err).toMatchObject({ service: 'iam', operation: 'ListRolePolicies', cause: boom });
  });

  it('pages ListEntitiesForPolicy for roles only', async () => {
    iamMock
      .on(ListEntitiesForPolicyCommand, { Marker: undefined })
      .resolves({ PolicyRoles: [{ RoleName: 'a' }], IsTruncated: true, Marker: 'n' })
      .on(ListEntitiesForPolicyCommand, { Marker: 'n' })
      .resolves({ PolicyRoles: [{ RoleName: 'b' }] });
    expect(await new IamReader(iam(), new Map()).rolesUsingPolicy('arn:aws:iam::aws:policy/x')).toEqual(['a', 'b']);
    expect(iamMock.commandCalls(ListEntitiesForPolicyCommand).every((c) => c.args[0].input.EntityFilter === 'Role')).toBe(true);
  });
});

describe('roleOwner', () => {
  it('recognizes CloudFormation and Terraform tags', () => {
    expect(roleOwner({ tags: { 'aws:cloudformation:stack-id': 'arn:aws:cloudformation:us-east-1:123456789012:stack/web/1' } })).toBe(
      'cloudformation',
    );
    expect(roleOwner({ tags: { terraform: 'true' } })).toBe('terraform');
    expect(roleOwner({ tags: { ManagedBy: 'Terraform' } })).toBe('terraform');
    expect(roleOwner({ tags: { 'managed-by': 'terraform' } })).toBe('terraform');
    expect(roleOwner({ tags: { ManagedBy: 'pulumi', team: 'terraform-fans' } })).toBeUndefined();
    expect(roleOwner({ tags: {} })).toBeUndefined();
  });
});

describe('roleNameOf', () => {
  it('takes the last path segment of a role ARN', () => {
    expect(roleNameOf('arn:aws:iam::123456789012:role/service-role/web-exec')).toBe('web-exec');
    expect(roleNameOf('web-exec')).toBe('web-exec');
  });
});
