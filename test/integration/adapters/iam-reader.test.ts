import { describe, expect, it } from 'vitest';
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  DetachRolePolicyCommand,
  GetRolePolicyCommand,
  IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { IamRoles as IamReader, type ManagedPolicyCache } from '../../../lib/adapters/aws/iam-roles.js';
import { roleOwner } from '../../../lib/engine/role/owner.js';
import { hashState } from '../../../lib/engine/role/state.js';
import { trustFindings } from '../../../lib/engine/trust.js';
import type { PolicyDocument } from '../../../lib/engine/types.js';
import { loadCorpusJson } from '../../support/corpus.js';
import { TEST_ACCOUNT, useMoto } from '../../support/moto.js';

// moto loads AWS managed policies (AmazonECSTaskExecutionRolePolicy, …) only when asked; the server inherits env.
process.env.MOTO_IAM_LOAD_MANAGED_POLICIES = 'true';
const moto = useMoto();

const EXEC_POLICY = 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy';
const ECS_TRUST = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};
const SECRETS_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: 'secretsmanager:GetSecretValue',
      Resource: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-??????',
    },
  ],
};
const LOGS_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'Logs',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: 'arn:aws:logs:us-east-1:123456789012:log-group:/ecs/web:*',
    },
  ],
};
const KMS_POLICY = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: 'kms:Decrypt', Resource: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab' },
  ],
};
const BOUNDARY = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['ecr:*', 'logs:*', 'secretsmanager:GetSecretValue', 'kms:Decrypt'], Resource: '*' }],
};

async function setUpRole(iam: IAMClient, name: string, opts: { tags?: { Key: string; Value: string }[] } = {}) {
  const kms = await iam.send(new CreatePolicyCommand({ PolicyName: `${name}-kms`, PolicyDocument: JSON.stringify(KMS_POLICY) }));
  const boundary = await iam.send(new CreatePolicyCommand({ PolicyName: `${name}-boundary`, PolicyDocument: JSON.stringify(BOUNDARY) }));
  await iam.send(
    new CreateRoleCommand({
      RoleName: name,
      Path: '/service-role/',
      AssumeRolePolicyDocument: JSON.stringify(ECS_TRUST),
      PermissionsBoundary: boundary.Policy!.Arn!,
      Tags: opts.tags,
    }),
  );
  await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'secrets', PolicyDocument: JSON.stringify(SECRETS_POLICY) }));
  await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'logs', PolicyDocument: JSON.stringify(LOGS_POLICY, null, 4) }));
  await iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: kms.Policy!.Arn! }));
  await iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: EXEC_POLICY }));
  return { kmsArn: kms.Policy!.Arn!, boundaryArn: boundary.Policy!.Arn! };
}

describe('IamReader against moto', () => {
  it('IAM hands policy documents back URL-encoded (the reason the reader decodes)', async () => {
    const iam = new IAMClient(moto.config());
    await setUpRole(iam, 'web-exec');
    const raw = await iam.send(new GetRolePolicyCommand({ RoleName: 'web-exec', PolicyName: 'secrets' }));
    expect(raw.PolicyDocument).toMatch(/^%7B/);
  });

  it('reads inline, customer managed, AWS managed policies, boundary, trust policy and tags, decoded', async () => {
    const iam = new IAMClient(moto.config());
    const { kmsArn, boundaryArn } = await setUpRole(iam, 'web-exec', { tags: [{ Key: 'team', Value: 'web' }] });
    const grant = await new IamReader(iam, new Map()).readGrant(`arn:aws:iam::${TEST_ACCOUNT}:role/service-role/web-exec`);
    expect(grant).toBeDefined();
    expect(grant!.roleArn).toBe(`arn:aws:iam::${TEST_ACCOUNT}:role/service-role/web-exec`);
    expect(grant!.roleName).toBe('web-exec');
    expect(grant!.tags).toEqual({ team: 'web' });
    expect(grant!.trustPolicy).toEqual(ECS_TRUST);

    const byName = Object.fromEntries(grant!.policies.map((p) => [p.name, p]));
    expect(Object.keys(byName).sort()).toEqual(['AmazonECSTaskExecutionRolePolicy', 'logs', 'secrets', 'web-exec-kms']);
    expect(byName.secrets).toEqual({ name: 'secrets', kind: 'inline', document: SECRETS_POLICY });
    expect(byName.logs).toEqual({ name: 'logs', kind: 'inline', document: LOGS_POLICY });
    expect(byName['web-exec-kms']).toEqual({ name: 'web-exec-kms', kind: 'managed', arn: kmsArn, document: KMS_POLICY });

    // moto's copy of the AWS managed policy must match the real v1 document in the corpus.
    const real = loadCorpusJson<{ PolicyVersion: { Document: PolicyDocument } }>(
      'managed-policies',
      'AmazonECSTaskExecutionRolePolicy.MAMIP.json',
    );
    expect(byName.AmazonECSTaskExecutionRolePolicy!.kind).toBe('aws-managed');
    expect(byName.AmazonECSTaskExecutionRolePolicy!.arn).toBe(EXEC_POLICY);
    expect(byName.AmazonECSTaskExecutionRolePolicy!.document).toEqual(real.PolicyVersion.Document);

    expect(grant!.permissionsBoundary).toEqual({ name: 'web-exec-boundary', kind: 'managed', arn: boundaryArn, document: BOUNDARY });
  });

  it('normalizes a single Statement object to an array', async () => {
    const iam = new IAMClient(moto.config());
    await iam.send(new CreateRoleCommand({ RoleName: 'single', AssumeRolePolicyDocument: JSON.stringify(ECS_TRUST) }));
    const one = { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' };
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'single',
        PolicyName: 'one',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: one }),
      }),
    );
    const grant = await new IamReader(iam, new Map()).readGrant('single');
    expect(grant!.policies).toEqual([{ name: 'one', kind: 'inline', document: { Version: '2012-10-17', Statement: [one] } }]);
  });

  it('caches AWS managed policy versions only', async () => {
    const iam = new IAMClient(moto.config());
    const { kmsArn } = await setUpRole(iam, 'web-exec');
    const cache: ManagedPolicyCache = new Map();
    await new IamReader(iam, cache).readGrant('web-exec');
    expect([...cache.keys()]).toEqual([`${EXEC_POLICY}#v1`]);
    expect(cache.has(`${kmsArn}#v1`)).toBe(false);
  });

  it('returns undefined for a role that does not exist', async () => {
    const iam = new IAMClient(moto.config());
    const reader = new IamReader(iam, new Map());
    expect(await reader.readGrant('nope')).toBeUndefined();
    expect(await reader.readState('nope')).toBeUndefined();
  });

  it('hashes the same logical state the same across re-reads, attach order and document encoding', async () => {
    const iam = new IAMClient(moto.config());
    const { kmsArn } = await setUpRole(iam, 'web-exec');
    const reader = new IamReader(iam, new Map());
    const first = hashState((await reader.readState('web-exec'))!);
    expect(hashState((await reader.readState('web-exec'))!)).toBe(first);

    // Re-attach in the other order.
    await iam.send(new DetachRolePolicyCommand({ RoleName: 'web-exec', PolicyArn: kmsArn }));
    await iam.send(new DetachRolePolicyCommand({ RoleName: 'web-exec', PolicyArn: EXEC_POLICY }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'web-exec', PolicyArn: EXEC_POLICY }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'web-exec', PolicyArn: kmsArn }));
    // Same inline policy with other key order, whitespace, and Action as a list in another order.
    const reordered = `{"Statement":[{"Resource":"arn:aws:logs:us-east-1:123456789012:log-group:/ecs/web:*","Action":["logs:PutLogEvents","logs:CreateLogStream"],"Effect":"Allow","Sid":"Logs"}],"Version":"2012-10-17"}`;
    await iam.send(new PutRolePolicyCommand({ RoleName: 'web-exec', PolicyName: 'logs', PolicyDocument: reordered }));
    expect(hashState((await reader.readState('web-exec'))!)).toBe(first);
  });

  it('hashes differently when an inline policy, an attachment or a managed policy version changes', async () => {
    const iam = new IAMClient(moto.config());
    const { kmsArn } = await setUpRole(iam, 'web-exec');
    const reader = new IamReader(iam, new Map());
    const base = hashState((await reader.readState('web-exec'))!);

    const widened = { ...SECRETS_POLICY, Statement: [{ ...SECRETS_POLICY.Statement[0], Resource: '*' }] };
    await iam.send(new PutRolePolicyCommand({ RoleName: 'web-exec', PolicyName: 'secrets', PolicyDocument: JSON.stringify(widened) }));
    const afterInline = hashState((await reader.readState('web-exec'))!);
    expect(afterInline).not.toBe(base);

    await iam.send(new DetachRolePolicyCommand({ RoleName: 'web-exec', PolicyArn: EXEC_POLICY }));
    const afterDetach = hashState((await reader.readState('web-exec'))!);
    expect(afterDetach).not.toBe(afterInline);

    await iam.send(new CreatePolicyVersionCommand({ PolicyArn: kmsArn, PolicyDocument: JSON.stringify(BOUNDARY), SetAsDefault: true }));
    const state = (await reader.readState('web-exec'))!;
    expect(state.attachedVersions).toEqual({ [kmsArn]: 'v2' });
    expect(hashState(state)).not.toBe(afterDetach);
  });

  it('lists the roles a managed policy is attached to', async () => {
    const iam = new IAMClient(moto.config());
    await setUpRole(iam, 'web-exec');
    await setUpRole(iam, 'api-exec');
    const roles = await new IamReader(iam, new Map()).rolesUsingPolicy(EXEC_POLICY);
    expect(roles.sort()).toEqual(['api-exec', 'web-exec']);
  });

  it('feeds the trust check and the owner check from what IAM returns', async () => {
    const iam = new IAMClient(moto.config());
    const trust = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' },
        { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::210987654321:root' }, Action: 'sts:AssumeRole' },
      ],
    };
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'shared',
        AssumeRolePolicyDocument: JSON.stringify(trust),
        Tags: [{ Key: 'aws:cloudformation:stack-name', Value: 'web' }],
      }),
    );
    const grant = (await new IamReader(iam, new Map()).readGrant('shared'))!;
    expect(roleOwner(grant)).toBe('cloudformation');
    const findings = trustFindings(grant.roleArn, grant.trustPolicy!);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ kind: 'trust-policy', severity: 'review', resource: `arn:aws:iam::${TEST_ACCOUNT}:role/shared` });
  });
});
