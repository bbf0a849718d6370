// A generated account served in-process with AWS-like throttling, for the sweep benchmark: ECS and IAM answer
// after a latency, enforce a token bucket per API (assumed numbers in LIMITS), and throttle beyond it; a client
// wrapper retries like SDK v3's adaptive mode, the one the functions deploy with: standard mode's retries (full-jitter
// backoff, 500 ms base for throttles, 8 attempts, a retry quota of 500 tokens) behind the SDK's own client-side rate
// limiter (adaptive-rate-limiter.ts). Everything runs on a VirtualClock.
import { AdapterError } from '../../../lib/errors.js';
import type { SweepDeps } from '../../../lib/app/sweep.js';
import { INDEX_SCHEMA, type Roles, type SweepStore, type TaskDefinitions } from '../../../lib/app/ports.js';
import type { RoleGrant, TaskDefinition } from '../../../lib/engine/types.js';
import { mapLimit } from '../../../lib/engine/concurrency.js';
import { seededRandom } from '../fault-injection.js';
import type { KmsKeys } from '../../../lib/app/ports.js';
import type { Lookup, LookupResult } from '../../../lib/engine/types.js';
import { ECS_TASKS_TRUST, MemoryFindingsStore as MemoryFindings, MemoryRoleIndex as MemoryIndex } from '../memory/ports.js';
import { adaptiveRateLimiter, type RateLimiter } from './adaptive-rate-limiter.js';
import { TokenBucket, type ApiLimit } from './token-bucket.js';
import type { VirtualClock } from './virtual-clock.js';

/** Assumed per-account limits (ECS publishes none for these APIs, IAM none at all: spec §9, open question 11). */
export const LIMITS: Record<string, ApiLimit> = {
  'ecs:ListTaskDefinitions': { rate: 20, burst: 40 },
  'ecs:DescribeTaskDefinition': { rate: 20, burst: 50 },
  // Cluster read APIs share one bucket of 50 (the DescribeClusters example in the ECS docs).
  'ecs:ClusterReads': { rate: 20, burst: 50 },
  // IAM reads (GetRole, List*/Get*RolePolicy, GetPolicy, GetPolicyVersion…) as one bucket.
  'iam:Read': { rate: 20, burst: 20 },
  // The KMS key of each secret: DescribeSecret, then DescribeKey for the alias it names. Far below the documented
  // quotas (thousands per second), so that a sweep making too many lookups shows in the ratio.
  'secretsmanager:Read': { rate: 50, burst: 50 },
  'kms:Read': { rate: 50, burst: 50 },
};

/** Virtual milliseconds per call. */
export const LATENCY_MS: Record<string, number> = { ecs: 40, iam: 40, dynamodb: 5 };

export interface ApiStats {
  calls: number;
  throttled: number;
}

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';

function throttlingError(api: string): Error {
  return Object.assign(new Error('Rate exceeded'), {
    name: api.startsWith('iam:') ? 'Throttling' : 'ThrottlingException',
    $metadata: { httpStatusCode: 400 },
  });
}

const isThrottle = (e: unknown) => /^Throttling/.test((e as { name?: string })?.name ?? '');

export class FakeAws {
  readonly stats = new Map<string, ApiStats>();
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    readonly clock: VirtualClock,
    readonly limits: Record<string, ApiLimit> = LIMITS,
  ) {}

  /** One attempt: latency, then the bucket decides. `bucket` defaults to `api`. */
  async attempt<T>(api: string, answer: () => T, bucket = api): Promise<T> {
    const s = this.stats.get(api) ?? { calls: 0, throttled: 0 };
    this.stats.set(api, s);
    s.calls++;
    const latency = LATENCY_MS[api.split(':')[0]!] ?? 20;
    await this.clock.sleep(latency / 2);
    const limit = this.limits[bucket];
    if (limit) {
      let b = this.buckets.get(bucket);
      if (!b) this.buckets.set(bucket, (b = new TokenBucket(limit, this.clock.now())));
      if (!b.tryTake(this.clock.now())) {
        s.throttled++;
        await this.clock.sleep(latency / 2);
        throw throttlingError(api);
      }
    }
    const out = answer();
    await this.clock.sleep(latency / 2);
    return out;
  }
}

/** SDK v3 adaptive retry mode, per client (one ECS client, one IAM client, as in a Lambda container): a send token
 *  from the client-side rate limiter before every attempt, every answer reported to it, standard retries around. */
export class FakeSdkClient {
  private capacity = 500;
  private readonly limiter: RateLimiter;

  constructor(
    private readonly aws: FakeAws,
    private readonly random: () => number,
    private readonly maxAttempts = 8,
  ) {
    this.limiter = adaptiveRateLimiter(aws.clock);
  }

  async send<T>(api: string, answer: () => T, bucket?: string): Promise<T> {
    let retries = 0;
    let lastCost = 1;
    for (;;) {
      try {
        await this.limiter.getSendToken();
        const out = await this.aws.attempt(api, answer, bucket);
        this.limiter.updateClientSendingRate({});
        this.capacity = Math.min(500, this.capacity + lastCost);
        return out;
      } catch (err) {
        this.limiter.updateClientSendingRate({ errorType: isThrottle(err) ? 'THROTTLING' : 'SERVER_ERROR', error: err });
        if (!isThrottle(err) || retries + 1 >= this.maxAttempts || this.capacity < 5) {
          const [service, op] = api.split(':');
          throw new AdapterError(`${(err as Error).name}: ${(err as Error).message}`, service!, op!, { cause: err });
        }
        this.capacity -= 5;
        lastCost = 5;
        await this.aws.clock.sleep(Math.floor(Math.min(20_000, this.random() * 2 ** retries * 500)));
        retries++;
      }
    }
  }
}

export interface AccountShape {
  revisions: number;
  families: number;
  roles: number;
  /** Revisions per family that are INACTIVE (the oldest ones). */
  inactivePerFamily: number;
  /** Every n-th family keeps its newest INACTIVE revision in use by a service. */
  inUseEvery: number;
}

export const SWEEP_ACCOUNT: AccountShape = { revisions: 10_000, families: 1_000, roles: 300, inactivePerFamily: 2, inUseEvery: 10 };

export interface GeneratedAccount {
  shape: AccountShape;
  taskDefinitions: Map<string, TaskDefinition>;
  active: string[];
  inactive: string[];
  inUse: Set<string>;
  roles: string[];
}

export function generateAccount(shape: AccountShape = SWEEP_ACCOUNT): GeneratedAccount {
  const roles = Array.from({ length: shape.roles }, (_, r) => `arn:aws:iam::${ACCOUNT}:role/exec-${String(r).padStart(3, '0')}`);
  const perFamily = Math.ceil(shape.revisions / shape.families);
  const taskDefinitions = new Map<string, TaskDefinition>();
  const active: string[] = [];
  const inactive: string[] = [];
  const inUse = new Set<string>();
  for (let f = 0; f < shape.families && taskDefinitions.size < shape.revisions; f++) {
    const family = `svc-${String(f).padStart(4, '0')}`;
    for (let rev = 1; rev <= perFamily && taskDefinitions.size < shape.revisions; rev++) {
      const arn = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${family}:${rev}`;
      const status = rev <= shape.inactivePerFamily ? 'INACTIVE' : 'ACTIVE';
      taskDefinitions.set(arn, {
        family,
        revision: rev,
        taskDefinitionArn: arn,
        status,
        executionRoleArn: roles[f % roles.length]!,
        containerDefinitions: [
          {
            name: 'app',
            image: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${family}:${rev}`,
            secrets: [{ name: 'DB', valueFrom: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${family}/db-Ab12Cd` }],
            logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': `/ecs/${family}`, 'awslogs-region': REGION } },
          },
        ],
      });
      (status === 'ACTIVE' ? active : inactive).push(arn);
      if (status === 'INACTIVE' && rev === shape.inactivePerFamily && f % shape.inUseEvery === 0) inUse.add(arn);
    }
  }
  return { shape, taskDefinitions, active, inactive, inUse, roles };
}

/** ECS as the sweep sees it: paged listing, one describe per revision, the in-use scan over clusters. */
function ecsReader(account: GeneratedAccount, client: FakeSdkClient): TaskDefinitions {
  const listPage: TaskDefinitions['listPage'] = (status, nextToken) =>
    client.send('ecs:ListTaskDefinitions', () => {
      const all = status === 'ACTIVE' ? account.active : account.inactive;
      const from = Number(nextToken ?? 0);
      const arns = all.slice(from, from + 100);
      return { arns, ...(from + 100 < all.length ? { nextToken: String(from + 100) } : {}) };
    });
  return {
    listPage,
    describe: (arn: string) => client.send('ecs:DescribeTaskDefinition', () => structuredClone(account.taskDefinitions.get(arn))),
    async inUseTaskDefinitionArns() {
      // 2 clusters, services spread over them, 10 per DescribeServices call; no standalone tasks.
      const services = [...account.inUse];
      await client.send('ecs:ListClusters', () => undefined, 'ecs:ClusterReads');
      for (let c = 0; c < 2; c++) {
        await client.send('ecs:ListServices', () => undefined, 'ecs:ClusterReads');
        await client.send('ecs:ListTasks', () => undefined, 'ecs:ClusterReads');
      }
      for (let i = 0; i < services.length; i += 10) await client.send('ecs:DescribeServices', () => undefined, 'ecs:ClusterReads');
      return new Set(services);
    },
  };
}

/** Customer managed policies attached to the roles (role r has `shared-<r % 10>`): GetPolicy + GetPolicyVersion each. */
export const MANAGED_POLICIES_PER_ROLE = 1;
const managedPolicyArn = (r: number) => `arn:aws:iam::${ACCOUNT}:policy/shared-${r % 10}`;

/** IAM as IamReader reads a role with one inline policy and one attached customer managed policy: 6 calls. */
function iamGrants(client: FakeSdkClient): Pick<Roles, 'readGrant' | 'rolesUsingPolicy' | 'inInstanceProfile'> {
  return {
    async readGrant(roleArn: string) {
      const name = roleArn.split('/').pop()!;
      await client.send('iam:GetRole', () => undefined, 'iam:Read');
      await client.send('iam:ListRolePolicies', () => undefined, 'iam:Read');
      await client.send('iam:GetRolePolicy', () => undefined, 'iam:Read');
      await client.send('iam:ListAttachedRolePolicies', () => undefined, 'iam:Read');
      const managed = managedPolicyArn(Number(name.split('-').pop()));
      await client.send('iam:GetPolicy', () => undefined, 'iam:Read');
      await client.send('iam:GetPolicyVersion', () => undefined, 'iam:Read');
      const grant: RoleGrant = {
        roleArn,
        roleName: name,
        tags: {},
        trustPolicy: ECS_TASKS_TRUST,
        policies: [
          {
            name: 'exec',
            kind: 'inline',
            document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['ecr:*', 'logs:*'], Resource: '*' }] },
          },
          {
            name: managed.split('/').pop()!,
            kind: 'managed',
            arn: managed,
            document: {
              Version: '2012-10-17',
              Statement: [
                { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*' },
                { Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' },
              ],
            },
          },
        ],
      };
      return grant;
    },
    rolesUsingPolicy: async () => [],
    inInstanceProfile: async () => {
      await client.send('iam:ListInstanceProfilesForRole', () => undefined, 'iam:Read');
      return false;
    },
  };
}

/** The KMS key of each family's secret (a customer key named by alias): DescribeSecret, then DescribeKey. */
export const KMS_CALLS_PER_SECRET = { 'secretsmanager:Read': 1, 'kms:Read': 1 };

function kmsKeys(client: FakeSdkClient): KmsKeys {
  return {
    // Four lookups at a time, as the real resolver (lib/adapters/aws/kms-resolver.ts).
    async resolve(lookups: Lookup[]): Promise<LookupResult[]> {
      const found = await mapLimit(lookups, 4, async (lookup): Promise<LookupResult | undefined> => {
        const family = lookup.kind === 'kms-key-for-secret' ? /:secret:(svc-\d+)\//.exec(lookup.resource)?.[1] : undefined;
        if (!family) return undefined;
        await client.send('secretsmanager:DescribeSecret', () => undefined, 'secretsmanager:Read');
        await client.send('kms:DescribeKey', () => undefined, 'kms:Read');
        return { lookup, keyArn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/${family}-0000-0000-0000-000000000000` };
      });
      return found.filter((r): r is LookupResult => r !== undefined);
    },
  };
}

/** DynamoDB (index, findings, sweep bookkeeping): latency and a call count, no limit (on-demand table).
 *  `listPage` is ECS's and passes through. */
function ddb<T extends object>(aws: FakeAws, target: T): T {
  return new Proxy(target, {
    get(obj, prop, recv) {
      const v = Reflect.get(obj, prop, recv) as unknown;
      if (typeof v !== 'function' || prop === 'listPage') return v;
      return (...args: unknown[]) =>
        aws.attempt('dynamodb:' + String(prop), () => undefined).then(() => (v as (...a: unknown[]) => unknown).apply(obj, args));
    },
  });
}

export function fakeSweepDeps(
  account: GeneratedAccount,
  clock: VirtualClock,
  opts: { concurrency?: number; seed?: number; describeThrottle?: SweepDeps['describeThrottle'] } = {},
): { deps: SweepDeps; aws: FakeAws; index: MemoryIndex } {
  const aws = new FakeAws(clock);
  const random = seededRandom(opts.seed ?? 1);
  const ecs = ecsReader(account, new FakeSdkClient(aws, random));
  const index = new MemoryIndex();
  const pages = new Map<string, string[]>();
  let cursor: string | undefined;
  const sweep: SweepStore = ddb(aws, {
    pointers: async (arns: string[]) => {
      const out = new Map<string, { roleArn?: string; status?: string; schema?: number }>();
      for (const a of arns) {
        const e = index.entries.get(a);
        if (e) out.set(a, { ...(e.executionRoleArn ? { roleArn: e.executionRoleArn } : {}), status: e.status, schema: INDEX_SCHEMA });
      }
      return out;
    },
    putLivePage: async (id: string, page: number, arns: string[]) => void pages.set(`${id}#${page}`, arns),
    livePages: async (id: string, n: number) => new Set(Array.from({ length: n }, (_, i) => pages.get(`${id}#${i}`) ?? []).flat()),
    getCursor: async () => cursor,
    putCursor: async (c: string) => void (cursor = c),
  });
  const deps: SweepDeps = {
    ecs,
    index: ddb(aws, index),
    sweep,
    roles: iamGrants(new FakeSdkClient(aws, random)),
    findings: ddb(aws, new MemoryFindings()),
    kms: kmsKeys(new FakeSdkClient(aws, random)),
    recentUseDays: 90,
    now: clock.iso,
    pullThroughPrefixes: [],
    concurrency: opts.concurrency ?? 4,
    timeLeft: () => Number.POSITIVE_INFINITY,
    ...(opts.describeThrottle ? { describeThrottle: opts.describeThrottle } : {}),
  };
  return { deps, aws, index };
}
