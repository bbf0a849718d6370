// In-memory implementations of every port in lib/app/ports.ts (tests only): the same contracts as the DynamoDB, IAM,
// ECS, SNS and SQS adapters, no network. App and handler tests run the real use cases over these; the adapters
// themselves are tested against moto.
import { ECS_TASKS_TRUST } from '../../../lib/dev/account-seed.js';
import type {
  AuditEntry,
  AuditLog,
  BudgetSpend,
  ChangeBudget,
  ChangeIntent,
  ChangeIntents,
  ChangeOutcome,
  Cursors,
  EvidenceStore,
  FindingsMeta,
  FindingsRecord,
  FindingsStore,
  IndexedPointer,
  KmsKeys,
  Notifier,
  PlanDecision,
  Plans,
  PlanStatus,
  RemediationQueue,
  RoleEvidence,
  RoleIndex,
  Roles,
  RoleWriter,
  Snapshots,
  StoredState,
  SweepStore,
  TaskDefinitions,
  TaskRoleUse,
  UntrustedEvidence,
  Watch,
  Watches,
  WriteOutcome,
} from '../../../lib/app/ports.js';
import { roleNameOf } from '../../../lib/engine/arn.js';
import { isLive } from '../../../lib/engine/assess.js';
import type { Denial, Use } from '../../../lib/engine/evidence/types.js';
import { budgetDecision, type BudgetSettings } from '../../../lib/engine/plan/change-budget.js';
import { sameRole } from '../../../lib/engine/plan/shared-role.js';
import { findingSetHash } from '../../../lib/engine/finding-set.js';
import type { TicketFailure } from '../../../lib/engine/notice.js';
import { planHash } from '../../../lib/engine/plan/canonical.js';
import type { PatchStep } from '../../../lib/engine/role/steps.js';
import type {
  Finding,
  IndexEntry,
  Lookup,
  LookupResult,
  NamedPolicy,
  Plan,
  PolicyDocument,
  RoleGrant,
  RoleState,
  TaskDefinition,
} from '../../../lib/engine/types.js';
import { ConflictError, RefusedError } from '../../../lib/errors.js';

const clone = <T>(v: T): T => structuredClone(v);

export { ECS_TASKS_TRUST };

export class MemoryRoleIndex implements RoleIndex {
  readonly entries = new Map<string, IndexEntry>();

  async putTaskDefinition(entry: IndexEntry): Promise<WriteOutcome> {
    const prev = this.entries.get(entry.taskDefinitionArn);
    const previous = {
      ...(prev?.executionRoleArn ? { roleArn: prev.executionRoleArn } : {}),
      ...(prev?.taskRoleArn ? { taskRoleArn: prev.taskRoleArn } : {}),
    };
    if (prev?.observedAt && entry.observedAt && prev.observedAt > entry.observedAt) return { applied: false, reason: 'stale', previous };
    this.entries.set(entry.taskDefinitionArn, clone(entry));
    return { applied: true, previous };
  }

  async markStatus(arn: string, status: string, inUse: boolean, observedAt?: string): Promise<WriteOutcome> {
    const e = this.entries.get(arn);
    if (!e) return { applied: false, reason: 'unknown' };
    Object.assign(e, { status, inUse, ...(observedAt ? { observedAt } : {}) });
    return { applied: true };
  }

  async remove(arn: string): Promise<WriteOutcome> {
    return { applied: this.entries.delete(arn) };
  }

  async roleOfTaskDefinition(arn: string): Promise<string | undefined> {
    return this.entries.get(arn)?.executionRoleArn;
  }

  async executionRoleOf(arn: string): Promise<string | null | undefined> {
    const e = this.entries.get(arn);
    return e ? (e.executionRoleArn ?? null) : undefined;
  }

  async taskRoleUses(roleArn: string): Promise<TaskRoleUse[]> {
    return [...this.entries.values()]
      .filter((e) => e.taskRoleArn && isLive(e) && sameRole(e.taskRoleArn, roleArn))
      .map((e) => ({ taskDefinitionArn: e.taskDefinitionArn, taskRoleArn: e.taskRoleArn! }));
  }

  async entriesForRole(roleArn: string): Promise<IndexEntry[]> {
    return [...this.entries.values()]
      .filter((e) => e.executionRoleArn === roleArn)
      .sort((a, b) => (a.taskDefinitionArn < b.taskDefinitionArn ? -1 : 1))
      .map(clone);
  }

  async allRoles(): Promise<string[]> {
    return [...new Set([...this.entries.values()].flatMap((e) => (e.executionRoleArn ? [e.executionRoleArn] : [])))].sort();
  }
}

export class MemoryFindingsStore implements FindingsStore {
  readonly records = new Map<string, FindingsRecord & { notified: boolean }>();
  readonly past = new Map<string, FindingsRecord[]>();

  async putCurrent(roleArn: string, findings: Finding[], meta: FindingsMeta): Promise<{ changed: boolean; pendingNotice?: boolean }> {
    const setHash = findingSetHash(findings);
    const cur = this.records.get(roleArn);
    if (cur && cur.at > meta.at) return { changed: false };
    const changed = cur ? cur.setHash !== setHash : findings.length > 0;
    const notified = changed ? false : cur?.notified !== false;
    const record = { roleArn, findings: clone(findings), setHash, ...meta, notified };
    this.records.set(roleArn, record);
    if (changed) this.past.set(roleArn, [record, ...(this.past.get(roleArn) ?? [])]);
    return changed ? { changed } : { changed, ...(notified ? {} : { pendingNotice: true }) };
  }

  async markNotified(roleArn: string, findings: Finding[]): Promise<void> {
    const cur = this.records.get(roleArn);
    if (cur && cur.setHash === findingSetHash(findings)) cur.notified = true;
  }

  async current(roleArn: string): Promise<FindingsRecord | undefined> {
    const { notified: _n, ...rest } = this.records.get(roleArn) ?? ({} as FindingsRecord & { notified: boolean });
    return rest.roleArn ? clone(rest) : undefined;
  }

  async history(roleArn: string, limit = 20): Promise<FindingsRecord[]> {
    return (this.past.get(roleArn) ?? []).slice(0, limit).map(clone);
  }
}

export class MemoryEvidenceStore implements EvidenceStore {
  readonly denials: Denial[] = [];
  readonly untrustedEvidence: UntrustedEvidence[] = [];

  async putUntrusted(u: UntrustedEvidence): Promise<void> {
    this.untrustedEvidence.push(clone(u));
  }

  async untrusted(account: string, since: string): Promise<UntrustedEvidence[]> {
    return this.untrustedEvidence.filter((u) => u.account === account && u.at >= since).map(clone);
  }

  readonly uses: Use[] = [];
  readonly coverage = new Map<string, { since: string; until: string }>();

  async putDenial(d: Denial): Promise<void> {
    this.denials.push(clone(d));
  }

  async putUse(u: Use): Promise<void> {
    this.uses.push(clone(u));
  }

  async putCoverage(account: string, since: string, until: string): Promise<void> {
    this.coverage.set(account, { since, until });
  }

  async forRole(roleArn: string, since: string): Promise<RoleEvidence> {
    const coverage = this.coverage.get(roleArn.split(':')[4] ?? '');
    return {
      denials: this.denials.filter((d) => d.roleArn === roleArn && d.at >= since).map(clone),
      uses: this.uses.filter((u) => u.roleArn === roleArn && u.at >= since).map(clone),
      ...(coverage ? { cloudTrail: coverage } : {}),
    };
  }
}

export class MemoryCursors implements Cursors {
  readonly values = new Map<string, string>();
  async get(name: string): Promise<string | undefined> {
    return this.values.get(name) || undefined;
  }
  async put(name: string, cursor: string | undefined): Promise<void> {
    this.values.set(name, cursor ?? '');
  }
}

export class MemorySweepStore implements SweepStore {
  cursor?: string;
  readonly pages = new Map<string, string[]>();
  constructor(private readonly index: MemoryRoleIndex) {}

  async pointers(arns: string[]): Promise<Map<string, IndexedPointer>> {
    const out = new Map<string, IndexedPointer>();
    for (const a of arns) {
      const e = this.index.entries.get(a);
      if (e) out.set(a, { ...(e.executionRoleArn ? { roleArn: e.executionRoleArn } : {}), status: e.status, schema: 2 });
    }
    return out;
  }
  async putLivePage(sweepId: string, page: number, arns: string[]): Promise<void> {
    this.pages.set(`${sweepId}#${page}`, [...arns]);
  }
  async livePages(sweepId: string, pages: number): Promise<Set<string>> {
    return new Set(Array.from({ length: pages }, (_, i) => this.pages.get(`${sweepId}#${i}`) ?? []).flat());
  }
  async getCursor(): Promise<string | undefined> {
    return this.cursor;
  }
  async putCursor(c: string): Promise<void> {
    this.cursor = c;
  }
}

export class MemorySnapshots implements Snapshots {
  readonly stored: StoredState[] = [];
  async put(state: RoleState, hash: string, at: string): Promise<StoredState> {
    const s = {
      id: `${new Date(at).toISOString()}#${hash}`,
      roleArn: state.roleArn,
      at: new Date(at).toISOString(),
      hash,
      state: clone(state),
    };
    this.stored.push(s);
    return clone(s);
  }
  async latest(roleArn: string): Promise<StoredState | undefined> {
    return clone(this.stored.filter((s) => s.roleArn === roleArn).at(-1));
  }
  async get(roleArn: string, id: string): Promise<StoredState | undefined> {
    return clone(this.stored.find((s) => s.roleArn === roleArn && s.id === id));
  }
  async list(roleArn: string, limit?: number): Promise<StoredState[]> {
    return this.stored
      .filter((s) => s.roleArn === roleArn)
      .reverse()
      .slice(0, limit)
      .map(clone);
  }
}

export class MemoryChangeIntents implements ChangeIntents {
  readonly byRole = new Map<string, ChangeIntent>();
  async begin(intent: ChangeIntent): Promise<void> {
    const open = this.byRole.get(intent.roleArn);
    if (open && !open.outcome && Date.parse(intent.at) - Date.parse(open.at) < 15 * 60_000) {
      throw new ConflictError(`another change of ${intent.roleArn} is in progress (${open.kind} ${open.id})`);
    }
    this.byRole.set(intent.roleArn, clone(intent));
  }
  async end(roleArn: string, id: string, outcome: ChangeOutcome, at: string): Promise<void> {
    const open = this.byRole.get(roleArn);
    if (open?.id === id) Object.assign(open, { outcome, endedAt: at });
  }
  async last(roleArn: string): Promise<ChangeIntent | undefined> {
    return clone(this.byRole.get(roleArn));
  }
}

export class MemoryWatches implements Watches {
  readonly windows = new Map<string, Watch>();
  async open(w: Watch): Promise<void> {
    this.windows.set(w.roleArn, clone(w));
  }
  async get(roleArn: string): Promise<Watch | undefined> {
    return clone(this.windows.get(roleArn));
  }
  async close(roleArn: string): Promise<void> {
    this.windows.delete(roleArn);
  }
  async expired(now: string): Promise<string[]> {
    return [...this.windows.values()].filter((w) => Date.parse(w.until) < Date.parse(now)).map((w) => w.roleArn);
  }
}

export class MemoryPlans implements Plans {
  readonly plans = new Map<string, { plan: Plan; expiresAt: string }>();
  readonly statuses = new Map<string, PlanDecision>();
  readonly current = new Map<string, string>();
  readonly used = new Set<string>();
  async putPlan(plan: Plan, expiresAt: string): Promise<void> {
    if (!this.plans.has(plan.planHash)) this.plans.set(plan.planHash, { plan: clone(plan), expiresAt });
    const s = this.statuses.get(plan.planHash);
    if (!s || (s.status === 'pending' && Date.parse(s.expiresAt) < Date.parse(expiresAt)))
      this.statuses.set(plan.planHash, { status: 'pending', roleArn: plan.roleArn, expiresAt });
    this.current.set(plan.roleArn, plan.planHash);
  }
  async getPlan(hash: string, now?: string): Promise<Plan | undefined> {
    const p = this.plans.get(hash);
    const s = this.statuses.get(hash);
    if (!p || !s || (now !== undefined && s.status === 'pending' && Date.parse(s.expiresAt) <= Date.parse(now))) return undefined;
    if (planHash(p.plan) !== hash) throw new RefusedError(`stored plan ${hash} does not match its hash`, 'plan-integrity');
    return clone(p.plan);
  }
  async status(hash: string): Promise<PlanDecision | undefined> {
    return clone(this.statuses.get(hash));
  }
  async transition(hash: string, from: PlanStatus[], to: Omit<PlanDecision, 'roleArn' | 'expiresAt'>): Promise<boolean> {
    const s = this.statuses.get(hash);
    if (!s || !from.includes(s.status)) return false;
    this.statuses.set(hash, { ...s, ...clone(to) });
    return true;
  }
  async currentPlan(roleArn: string): Promise<string | undefined> {
    return this.current.get(roleArn);
  }
  async markUsed(kind: string, id: string): Promise<boolean> {
    const key = `${kind}#${id}`;
    if (this.used.has(key)) return false;
    this.used.add(key);
    return true;
  }
  async isUsed(kind: string, id: string): Promise<boolean> {
    return this.used.has(`${kind}#${id}`);
  }
}

export class MemoryAuditLog implements AuditLog {
  readonly entries: AuditEntry[] = [];
  async record(entry: AuditEntry): Promise<AuditEntry> {
    this.entries.push(clone(entry));
    return entry;
  }
  async history(roleArn: string, limit?: number): Promise<AuditEntry[]> {
    return this.entries
      .filter((e) => e.roleArn === roleArn)
      .reverse()
      .slice(0, limit)
      .map(clone);
  }
}

export class MemoryNotifier implements Notifier {
  readonly findings: { roleArn: string; findings: Finding[] }[] = [];
  readonly links: { planHash: string; approver: string; url: string }[] = [];
  readonly notices: { subject: string; message: string; roleArn?: string }[] = [];
  async publishNotice(notice: { subject: string; message: string; roleArn?: string }): Promise<void> {
    this.notices.push({ ...notice });
  }
  async publishFindings(roleArn: string, findings: Finding[]): Promise<void> {
    this.findings.push({ roleArn, findings: clone(findings) });
  }
  async publishApprovalLink(plan: Plan, link: { approver: string; url: string }): Promise<void> {
    this.links.push({ planHash: plan.planHash, ...link });
  }
  readonly ticketFailures: { roleArn: string; failure: TicketFailure; findings: Finding[] }[] = [];
  async publishTicketFailure(roleArn: string, failure: TicketFailure, findings: Finding[]): Promise<void> {
    this.ticketFailures.push({ roleArn, failure: clone(failure), findings: clone(findings) });
  }
}

/** The change budget as the DynamoDB adapter keeps it, per account (the engine decides; one process, so no races). */
export class MemoryChangeBudget implements ChangeBudget {
  readonly counters = new Map<string, { used: number; windowStart?: string }>();
  readonly deferred = new Map<string, { retryAt: string; why: string }>();
  constructor(readonly settings: BudgetSettings = { max: 5, windowMinutes: 60 }) {}
  async spend(account: string, now: string): Promise<BudgetSpend> {
    const d = budgetDecision({ ...(this.counters.get(account) ?? { used: 0 }), ...this.settings, now });
    if (!d.allowed) return { allowed: false, decision: d };
    this.counters.set(account, d.state);
    return { allowed: true, windowStart: d.state.windowStart, remaining: d.remaining };
  }
  async release(account: string, windowStart: string): Promise<void> {
    const c = this.counters.get(account);
    if (c && c.windowStart === windowStart && c.used > 0) c.used--;
  }
  async defer(roleArn: string, retryAt: string, why: string): Promise<void> {
    this.deferred.set(roleArn, { retryAt, why });
  }
  async due(now: string): Promise<string[]> {
    return [...this.deferred.entries()]
      .filter(([, d]) => d.retryAt <= now)
      .map(([r]) => r)
      .sort();
  }
  async undefer(roleArn: string): Promise<void> {
    this.deferred.delete(roleArn);
  }
}

export class MemoryQueue implements RemediationQueue {
  readonly messages: { roleArn: string; reason: string }[] = [];
  async enqueue(roleArn: string, reason: string): Promise<void> {
    this.messages.push({ roleArn, reason });
  }
}

/** KMS answers by resource (secret or parameter ARN → key ARN or 'aws-managed'); unknown lookups stay unresolved. */
export class MemoryKmsKeys implements KmsKeys {
  constructor(readonly keys: Record<string, LookupResult['keyArn']> = {}) {}
  async resolve(lookups: Lookup[]): Promise<LookupResult[]> {
    return lookups.flatMap((lookup) => (this.keys[lookup.resource] ? [{ lookup, keyArn: this.keys[lookup.resource]! }] : []));
  }
}

export class MemoryTaskDefinitions implements TaskDefinitions {
  readonly revisions = new Map<string, TaskDefinition>();
  readonly inUse = new Set<string>();
  constructor(private readonly fallback?: (id: string) => TaskDefinition | undefined) {}
  async describe(id: string): Promise<TaskDefinition | undefined> {
    const byFamilyRevision = [...this.revisions.values()].find((t) => `${t.family}:${t.revision}` === id);
    return clone(this.revisions.get(id) ?? byFamilyRevision ?? this.fallback?.(id));
  }
  async inUseTaskDefinitionArns(): Promise<Set<string>> {
    return new Set(this.inUse);
  }
  async listPage(status: 'ACTIVE' | 'INACTIVE'): Promise<{ arns: string[] }> {
    return { arns: [...this.revisions.values()].filter((t) => (t.status ?? 'ACTIVE') === status).map((t) => t.taskDefinitionArn!) };
  }
}

type Op = 'PutRolePolicy' | 'DeleteRolePolicy' | 'AttachRolePolicy' | 'DetachRolePolicy';

/**
 * IAM roles in memory, read (Roles) and written (RoleWriter) like IAM: each write changes the role, `log` records it,
 * and `failOn(op, n)` makes the n-th call of that operation fail (fault injection). Managed policies are documents by ARN.
 */
export class MemoryIam implements Roles, RoleWriter {
  readonly roles = new Map<
    string,
    { state: RoleState; tags: Record<string, string>; trustPolicy?: PolicyDocument; boundary?: NamedPolicy }
  >();
  readonly managed = new Map<string, NamedPolicy>();
  /** Role names that sit in an instance profile. */
  readonly inProfiles = new Set<string>();
  readonly log: string[] = [];
  private readonly failures = new Map<Op, Set<number>>();
  private readonly counts = new Map<Op, number>();

  addRole(state: RoleState, opts: { tags?: Record<string, string>; trustPolicy?: PolicyDocument } = {}): void {
    this.roles.set(roleNameOf(state.roleArn), {
      state: clone(state),
      tags: opts.tags ?? {},
      ...(opts.trustPolicy ? { trustPolicy: opts.trustPolicy } : {}),
    });
  }

  /** Fails the `nth` call (1-based, counted from the start) of `op`. */
  failOn(op: Op, nth = 1): void {
    this.failures.set(op, new Set([...(this.failures.get(op) ?? []), nth]));
  }

  current(roleName: string): RoleState | undefined {
    return clone(this.roles.get(roleNameOf(roleName))?.state);
  }

  async readState(roleNameOrArn: string): Promise<RoleState | undefined> {
    return this.current(roleNameOrArn);
  }

  async readGrant(roleNameOrArn: string): Promise<RoleGrant | undefined> {
    const role = this.roles.get(roleNameOf(roleNameOrArn));
    if (!role) return undefined;
    return {
      roleArn: role.state.roleArn,
      roleName: roleNameOf(role.state.roleArn),
      policies: [
        ...role.state.inline.map((p): NamedPolicy => ({ name: p.name, kind: 'inline', document: clone(p.document) })),
        ...role.state.attached.map((arn) =>
          clone(
            this.managed.get(arn) ?? {
              name: roleNameOf(arn),
              kind: 'managed' as const,
              arn,
              document: { Version: '2012-10-17', Statement: [] },
            },
          ),
        ),
      ],
      tags: { ...role.tags },
      // Like IAM, every role has a trust policy: ECS tasks only unless the test gave another.
      trustPolicy: clone(role.trustPolicy ?? ECS_TASKS_TRUST),
    };
  }

  async inInstanceProfile(roleNameOrArn: string): Promise<boolean> {
    return this.inProfiles.has(roleNameOf(roleNameOrArn));
  }

  async rolesUsingPolicy(policyArn: string): Promise<string[]> {
    return [...this.roles.entries()].filter(([, r]) => r.state.attached.includes(policyArn)).map(([name]) => name);
  }

  async managedPolicy(arn: string): Promise<NamedPolicy> {
    const p = this.managed.get(arn);
    if (!p) throw new Error(`no managed policy ${arn}`);
    return clone(p);
  }

  async run(roleName: string, steps: PatchStep[], opts: { tolerateGone?: boolean } = {}): Promise<void> {
    const role = this.roles.get(roleNameOf(roleName));
    if (!role) throw Object.assign(new Error(`role ${roleName} not found`), { name: 'NoSuchEntityException' });
    for (const s of steps) {
      const op: Op =
        s.op === 'put-inline'
          ? 'PutRolePolicy'
          : s.op === 'delete-inline'
            ? 'DeleteRolePolicy'
            : s.op === 'attach'
              ? 'AttachRolePolicy'
              : 'DetachRolePolicy';
      const n = (this.counts.get(op) ?? 0) + 1;
      this.counts.set(op, n);
      if (this.failures.get(op)?.has(n)) throw Object.assign(new Error(`injected ${op} failure`), { name: 'ServiceFailure' });
      const st = role.state;
      if (s.op === 'put-inline') {
        this.log.push(`put ${s.name}`);
        st.inline = [...st.inline.filter((p) => p.name !== s.name), { name: s.name, document: clone(s.document) }].sort((a, b) =>
          a.name < b.name ? -1 : 1,
        );
      } else if (s.op === 'delete-inline') {
        if (!st.inline.some((p) => p.name === s.name) && opts.tolerateGone) continue;
        this.log.push(`delete ${s.name}`);
        st.inline = st.inline.filter((p) => p.name !== s.name);
      } else if (s.op === 'attach') {
        this.log.push(`attach ${s.arn}`);
        st.attached = [...new Set([...st.attached, s.arn])].sort();
      } else {
        if (!st.attached.includes(s.arn) && opts.tolerateGone) continue;
        this.log.push(`detach ${s.arn}`);
        st.attached = st.attached.filter((a) => a !== s.arn);
      }
    }
  }
}
