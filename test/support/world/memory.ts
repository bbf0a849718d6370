// The in-memory flavour of the world: Leash wired over the in-memory ports (test/support/memory/ports.ts), the
// pipeline deps the event handlers take and the apply use case over an in-memory IAM. For app, handler, fuzz and
// benchmark tests that need no moto; nothing here is seeded in moto, so it shares no seeding with index.ts.
import { Applier } from '../../../lib/app/apply/applier.js';
import type { Verification, VerifyInput } from '../../../lib/app/apply/plan-verifier.js';
import type { Roles } from '../../../lib/app/ports.js';
import { roleNameOf } from '../../../lib/engine/arn.js';
import type { RoleGrant, TaskDefinition } from '../../../lib/engine/types.js';
import {
  ECS_TASKS_TRUST,
  MemoryAuditLog,
  MemoryChangeIntents,
  MemoryEvidenceStore,
  MemoryFindingsStore,
  MemoryIam,
  MemoryKmsKeys,
  MemoryNotifier,
  MemoryRoleIndex,
  MemorySnapshots,
  MemoryTaskDefinitions,
  MemoryWatches,
} from '../memory/ports.js';

export * from '../memory/ports.js';

export const ACCOUNT = '123456789012';

/** A grant like the AWS managed execution policy (ECR + logs on `*`), for any role name. */
export function basicGrant(roleNameOrArn: string): RoleGrant {
  const name = roleNameOf(roleNameOrArn);
  return {
    roleArn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
    roleName: name,
    tags: {},
    trustPolicy: ECS_TASKS_TRUST,
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

/** Every role exists and has basicGrant; every managed policy is attached to web-exec. */
export const anyRole: Roles = {
  readGrant: async (role) => basicGrant(role),
  readState: async (role) => ({
    roleArn: basicGrant(role).roleArn,
    inline: [{ name: 'exec-basics', document: basicGrant(role).policies[0]!.document }],
    attached: [],
  }),
  rolesUsingPolicy: async () => [`arn:aws:iam::${ACCOUNT}:role/web-exec`],
  inInstanceProfile: async () => false,
  managedPolicy: async (arn) => ({ name: roleNameOf(arn), kind: 'managed', arn, document: { Version: '2012-10-17', Statement: [] } }),
};

/** Describes any identifier as a small task definition using web-exec (ARN or `family:revision`). */
export function anyTaskDefinition(id: string): TaskDefinition | undefined {
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
}

/** Everything the four event handlers need, in memory. */
export function memoryPipeline(now = '2026-11-20T10:00:00.000Z', roles: Roles = anyRole) {
  const index = new MemoryRoleIndex();
  const evidence = new MemoryEvidenceStore();
  return {
    index,
    ecs: new MemoryTaskDefinitions(anyTaskDefinition),
    roles,
    findings: new MemoryFindingsStore(),
    kms: new MemoryKmsKeys(),
    evidence,
    notifier: new MemoryNotifier(),
    watches: new MemoryWatches(),
    pullThroughPrefixes: [] as string[],
    selfRoleArns: [`arn:aws:iam::${ACCOUNT}:role/leash-prod-remediate`],
    recentUseDays: 90,
    servedAccounts: async (): Promise<ReadonlySet<string>> => new Set([ACCOUNT]),
    now: () => now,
  };
}

/** The apply use case over an in-memory IAM and stores; `verify` stands in for the plan verifier. */
export function memoryApplier(opts: { now?: () => string; verify?: (input: VerifyInput) => Promise<Verification> } = {}) {
  const iam = new MemoryIam();
  const stores = {
    snapshots: new MemorySnapshots(),
    intents: new MemoryChangeIntents(),
    watches: new MemoryWatches(),
    audit: new MemoryAuditLog(),
  };
  const verifyCalls: VerifyInput[] = [];
  const applier = new Applier({
    roles: iam,
    writer: iam,
    ...stores,
    verifier: {
      verify: async (input) => (verifyCalls.push(input), opts.verify ? opts.verify(input) : { ok: true, problems: [] }),
    },
    now: opts.now ?? (() => new Date().toISOString()),
  });
  return { iam, applier, verifyCalls, ...stores };
}
