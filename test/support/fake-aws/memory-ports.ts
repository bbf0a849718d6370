// In-memory implementations of the application layer's ports (lib/app/ports.ts), for fuzzing and benchmarks:
// same contracts as the DynamoDB/IAM/ECS adapters, no network.
import type { Denial, Use } from '../../../lib/engine/evidence/types.js';
import type { FindingsPort, GrantReader, IndexEntry, RoleIndexPort, TaskDefinitionReader } from '../../../lib/app/ports.js';
import type { Finding, RoleGrant, TaskDefinition } from '../../../lib/engine/types.js';

export class MemoryIndex implements RoleIndexPort {
  readonly entries = new Map<string, IndexEntry>();

  async putTaskDefinition(entry: IndexEntry): Promise<{ applied: boolean }> {
    const prev = this.entries.get(entry.taskDefinitionArn);
    if (prev?.observedAt && entry.observedAt && prev.observedAt > entry.observedAt) return { applied: false };
    this.entries.set(entry.taskDefinitionArn, structuredClone(entry));
    return { applied: true };
  }

  async roleOfTaskDefinition(arn: string): Promise<string | undefined> {
    return this.entries.get(arn)?.executionRoleArn;
  }

  async entriesForRole(roleArn: string): Promise<IndexEntry[]> {
    return [...this.entries.values()].filter((e) => e.executionRoleArn === roleArn).map((e) => structuredClone(e));
  }

  async allRoles(): Promise<string[]> {
    return [...new Set([...this.entries.values()].flatMap((e) => (e.executionRoleArn ? [e.executionRoleArn] : [])))].sort();
  }

  async markStatus(arn: string, status: string, inUse: boolean, observedAt?: string): Promise<{ applied: boolean }> {
    const e = this.entries.get(arn);
    if (!e) return { applied: false };
    Object.assign(e, { status, inUse, ...(observedAt ? { observedAt } : {}) });
    return { applied: true };
  }

  /** A deleted revision (DeleteTaskDefinitions): its entry goes. */
  async remove(arn: string): Promise<{ applied: boolean }> {
    return { applied: this.entries.delete(arn) };
  }
}

export class MemoryFindings implements FindingsPort {
  readonly current = new Map<string, { key: string; findings: Finding[] }>();

  async putCurrent(roleArn: string, findings: Finding[]): Promise<{ changed: boolean }> {
    const key = JSON.stringify([...new Set(findings.map((f) => `${f.kind} ${f.severity} ${f.action} ${f.resource}`))].sort());
    const prev = this.current.get(roleArn);
    this.current.set(roleArn, { key, findings });
    return { changed: prev ? prev.key !== key : findings.length > 0 };
  }
}

export class MemoryEvidence {
  readonly denials: Denial[] = [];
  async putDenial(d: Denial): Promise<void> {
    this.denials.push(d);
  }
  async forRole(roleArn: string, since: string): Promise<{ denials: Denial[]; uses: Use[] }> {
    return { denials: this.denials.filter((d) => d.roleArn === roleArn && d.at >= since), uses: [] };
  }
}

const ACCOUNT = '123456789012';

/** A grant like the AWS managed execution policy (ECR + logs on `*`), for any role name. */
export function basicGrant(roleNameOrArn: string): RoleGrant {
  const name = roleNameOrArn.split('/').pop()!;
  return {
    roleArn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
    roleName: name,
    tags: {},
    policies: [
      {
        name: 'exec-basics',
        kind: 'inline',
        document: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: ['ecr:GetAuthorizationToken', 'ecr:BatchGetImage', 'logs:CreateLogStream', 'logs:PutLogEvents'],
              Resource: '*',
            },
          ],
        },
      },
    ],
  };
}

export const memoryGrants: GrantReader = {
  readGrant: async (role) => basicGrant(role),
  rolesUsingPolicy: async () => [`arn:aws:iam::${ACCOUNT}:role/web-exec`],
};

/** Describes any identifier as a small task definition using web-exec (ARN or `family:revision`). */
export const memoryEcs: TaskDefinitionReader = {
  async describe(id: string): Promise<TaskDefinition | undefined> {
    const fr = id.startsWith('arn:') ? id.split('/').pop()! : id;
    const [family, rev] = fr.split(':');
    if (!family) return undefined;
    return {
      family,
      revision: Number(rev) || 1,
      taskDefinitionArn: `arn:aws:ecs:eu-west-1:${ACCOUNT}:task-definition/${family}:${Number(rev) || 1}`,
      status: 'ACTIVE',
      executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/web-exec`,
      containerDefinitions: [
        {
          name: 'app',
          image: `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/${family}:1`,
          secrets: [{ name: 'DB', valueFrom: '/web/prod/db-password' }],
          logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': `/ecs/${family}`, 'awslogs-region': 'eu-west-1' } },
        },
      ],
    };
  },
  inUseTaskDefinitionArns: async () => new Set<string>(),
  async *listAllRevisions() {},
};

/** Everything the four event handlers need, in memory. */
export function memoryDeps(now = '2026-11-20T10:00:00.000Z') {
  const index = new MemoryIndex();
  const evidence = new MemoryEvidence();
  return {
    index,
    ecs: memoryEcs,
    grants: memoryGrants,
    findings: new MemoryFindings(),
    kms: async () => [],
    evidence,
    evidenceStore: evidence,
    notices: [] as string[],
    notifier: { publishFindings: async () => undefined },
    pullThroughPrefixes: [],
    selfRoleArns: [`arn:aws:iam::${ACCOUNT}:role/leash-prod-remediate`],
    recentUseDays: 90,
    now: () => now,
  };
}
