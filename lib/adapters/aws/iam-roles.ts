// Reads an execution role's grant and policy state from IAM. Every list is paginated; documents are decoded here
// so nothing downstream sees IAM's URL encoding.
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListEntitiesForPolicyCommand,
  ListInstanceProfilesForRoleCommand,
  ListRolePoliciesCommand,
  type IAMClient,
  type Role,
} from '@aws-sdk/client-iam';
import type { NamedPolicy, PolicyDocument, PolicyKind, RoleGrant, RoleState } from '../../engine/types.js';
import { mapLimit } from '../../engine/concurrency.js';
import type { Roles } from '../../app/ports.js';
import { roleNameOf } from '../../engine/arn.js';
import { decodePolicyDocument } from '../../engine/role/policy-document.js';
import { call, callOrMissing, named } from './sdk-call.js';

/** Policy documents by `arn#versionId`. Only AWS managed policies go in: their versions are immutable and
 *  shared by every account, while a customer policy can be deleted and recreated under the same ARN. */
export type ManagedPolicyCache = Map<string, PolicyDocument>;

/** One cache per container, shared by every reader the container builds. */
export const sharedAwsManagedPolicyCache: ManagedPolicyCache = new Map();

const CONCURRENCY = 4;
const noSuchEntity = named('NoSuchEntityException', 'NoSuchEntity');

export const isAwsManagedPolicyArn = (arn: string): boolean => /^arn:[^:]+:iam::aws:policy\//.test(arn);

export class IamRoles implements Roles {
  constructor(
    private readonly iam: IAMClient,
    private readonly cache: ManagedPolicyCache = sharedAwsManagedPolicyCache,
  ) {}

  async readGrant(roleNameOrArn: string): Promise<RoleGrant | undefined> {
    const role = await this.getRole(roleNameOrArn);
    if (!role?.RoleName || !role.Arn) return undefined;
    const name = role.RoleName;
    const [inline, attached] = await Promise.all([this.inlinePolicies(name), this.attachedPolicyArns(name)]);
    const managed = await mapLimit(attached, CONCURRENCY, (arn) => this.managedPolicy(arn));
    const boundaryArn = role.PermissionsBoundary?.PermissionsBoundaryArn;
    const grant: RoleGrant = {
      roleArn: role.Arn,
      roleName: name,
      policies: [
        ...inline.map((p): NamedPolicy => ({ name: p.name, kind: 'inline', document: p.document })),
        ...managed.map(({ versionId: _v, ...p }) => p),
      ],
      tags: Object.fromEntries((role.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
    };
    if (boundaryArn) {
      const { versionId: _v, ...boundary } = await this.managedPolicy(boundaryArn);
      grant.permissionsBoundary = boundary;
    }
    if (role.AssumeRolePolicyDocument) {
      grant.trustPolicy = decodePolicyDocument(role.AssumeRolePolicyDocument, `iam:${role.Arn}#trust-policy`);
    }
    return grant;
  }

  /** The compare-and-swap view of a role: inline documents and attached ARNs (with their default versions). */
  async readState(roleNameOrArn: string): Promise<RoleState | undefined> {
    const role = await this.getRole(roleNameOrArn);
    if (!role?.RoleName || !role.Arn) return undefined;
    const [inline, attached] = await Promise.all([this.inlinePolicies(role.RoleName), this.attachedPolicyArns(role.RoleName)]);
    const versions = await mapLimit(
      attached,
      CONCURRENCY,
      async (arn) => [arn, (await this.getPolicy(arn)).DefaultVersionId ?? ''] as const,
    );
    return {
      roleArn: role.Arn,
      inline: [...inline].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
      attached: [...attached].sort(),
      attachedVersions: Object.fromEntries(versions),
    };
  }

  /** Names of the roles a managed policy is attached to (IAM returns names and IDs, not ARNs). */
  async rolesUsingPolicy(policyArn: string): Promise<string[]> {
    const names: string[] = [];
    let marker: string | undefined;
    do {
      const page = await call('iam', 'ListEntitiesForPolicy', () =>
        this.iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: policyArn, EntityFilter: 'Role', Marker: marker })),
      );
      for (const r of page.PolicyRoles ?? []) if (r.RoleName) names.push(r.RoleName);
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    return names;
  }

  /** Whether the role is in any instance profile (one page is enough to know). */
  async inInstanceProfile(roleNameOrArn: string): Promise<boolean> {
    const page = await call('iam', 'ListInstanceProfilesForRole', () =>
      this.iam.send(new ListInstanceProfilesForRoleCommand({ RoleName: roleNameOf(roleNameOrArn), MaxItems: 1 })),
    );
    return (page.InstanceProfiles ?? []).length > 0 || page.IsTruncated === true;
  }

  /** A managed policy's default version, decoded; AWS managed versions come from the cache when present. */
  async managedPolicy(arn: string): Promise<NamedPolicy & { versionId: string }> {
    const policy = await this.getPolicy(arn);
    const versionId = policy.DefaultVersionId ?? 'v1';
    const kind: PolicyKind = isAwsManagedPolicyArn(arn) ? 'aws-managed' : 'managed';
    const key = `${arn}#${versionId}`;
    let document = kind === 'aws-managed' ? this.cache.get(key) : undefined;
    if (!document) {
      const res = await call('iam', 'GetPolicyVersion', () =>
        this.iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: versionId })),
      );
      document = decodePolicyDocument(res.PolicyVersion?.Document, `iam:${arn}#${versionId}`);
      if (kind === 'aws-managed') this.cache.set(key, document);
    }
    return { name: policy.PolicyName ?? roleNameOf(arn), kind, arn, document, versionId };
  }

  private getRole(roleNameOrArn: string): Promise<Role | undefined> {
    return callOrMissing(
      'iam',
      'GetRole',
      async () => (await this.iam.send(new GetRoleCommand({ RoleName: roleNameOf(roleNameOrArn) }))).Role,
      noSuchEntity,
    );
  }

  private async getPolicy(arn: string) {
    const res = await call('iam', 'GetPolicy', () => this.iam.send(new GetPolicyCommand({ PolicyArn: arn })));
    if (!res.Policy) throw new Error(`GetPolicy returned no policy for ${arn}`);
    return res.Policy;
  }

  private async inlinePolicies(roleName: string): Promise<{ name: string; document: PolicyDocument }[]> {
    const names: string[] = [];
    let marker: string | undefined;
    do {
      const page = await call('iam', 'ListRolePolicies', () =>
        this.iam.send(new ListRolePoliciesCommand({ RoleName: roleName, Marker: marker })),
      );
      names.push(...(page.PolicyNames ?? []));
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    return mapLimit(names, CONCURRENCY, async (name) => {
      const res = await call('iam', 'GetRolePolicy', () =>
        this.iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name })),
      );
      return { name, document: decodePolicyDocument(res.PolicyDocument, `iam:role/${roleName}#inline/${name}`) };
    });
  }

  private async attachedPolicyArns(roleName: string): Promise<string[]> {
    const arns: string[] = [];
    let marker: string | undefined;
    do {
      const page = await call('iam', 'ListAttachedRolePolicies', () =>
        this.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName, Marker: marker })),
      );
      for (const p of page.AttachedPolicies ?? []) if (p.PolicyArn) arns.push(p.PolicyArn);
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    return arns;
  }
}
