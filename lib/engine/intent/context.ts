// Per-task-definition state shared by the feature modules: the role's account, partition and the task's Region (real
// values or placeholders kept as written), and collectors for requirements, lookups and warnings with their reasons.
import { partitionForRegion } from '../arn.js';
import type { ContainerDefinition, Lookup, Reason, Requirement, TaskDefinition, Warning } from '../types.js';
import { realSlot, type Slot } from './slots.js';

/** `keep`: a placeholder filling one slot stays literally in the policy (the policy is a template too).
 *  `omit`: such grants are left out (for comparisons with a real grant, and for anything written to IAM). */
export type PlaceholderMode = 'keep' | 'omit';

/** How a placeholder was handled, said in the unresolved entry's reason. */
export type PlaceholderUse = 'kept' | 'omitted' | 'whole' | 'ignored' | 'role' | 'assumed-true';

const USE_NOTE: Record<PlaceholderUse, string> = {
  kept: 'kept literally in the policy: substitute it there too',
  omitted: 'grant left out until the placeholder is substituted',
  whole: 'the whole reference is a placeholder: no grant until it is substituted',
  ignored: 'does not change any grant',
  role: 'names the execution role: the account and partition of the ARNs Leash builds come from it',
  'assumed-true': 'unknown until substituted: the grant covers "true"',
};

export interface ContextInit {
  label: string;
  account?: Slot;
  region?: Slot;
  /** The role's partition (from the role or task-definition ARN, or the partition of --region). */
  partition?: Slot;
  td?: TaskDefinition;
  placeholders?: PlaceholderMode;
  /** JSON path of container `i` inside the task definition (`containerDefinitions[i]`, or `[i]` for a bare array). */
  containerPath?: (i: number) => string;
}

function sameReason(a: Reason, b: Reason): boolean {
  return a.taskDefinition === b.taskDefinition && a.container === b.container && a.field === b.field && a.note === b.note;
}

export function addReason(list: Reason[], reason: Reason): void {
  if (!list.some((r) => sameReason(r, reason))) list.push(reason);
}

export class IntentContext {
  readonly label: string;
  /** The execution role's account when known: 12 digits, or a placeholder kept as written. */
  readonly account?: Slot;
  /** The task's Region when known. */
  readonly region?: Slot;
  readonly partition?: Slot;
  readonly placeholders: PlaceholderMode;
  readonly containerPath: (i: number) => string;
  readonly fargateCompatible: boolean;
  readonly ec2Only: boolean;
  /** EC2-only and no execution role: ECR pulls and awslogs are the container instance role's business. */
  instanceRole = false;
  readonly instanceRoleNeeds: Reason[] = [];
  /** Something here needs an execution role (a requirement, or one that cannot be built yet). */
  needsRole = false;
  readonly requirements: Requirement[] = [];
  readonly unresolved: Lookup[] = [];
  readonly warnings: Warning[] = [];
  private readonly needWarnings = new Map<string, Warning>();

  constructor(init: ContextInit) {
    this.label = init.label;
    if (init.account !== undefined) this.account = init.account;
    if (init.region !== undefined) this.region = init.region;
    if (init.partition !== undefined) this.partition = init.partition;
    this.placeholders = init.placeholders ?? 'omit';
    this.containerPath = init.containerPath ?? ((i) => `containerDefinitions[${i}]`);
    const td = init.td;
    const compat = td?.requiresCompatibilities ?? td?.compatibilities ?? [];
    this.fargateCompatible = compat.includes('FARGATE');
    // Fargate, ECS Managed Instances and external instances use awsvpc or declare themselves; a task definition
    // that declares only EC2, or declares nothing and uses bridge or host networking, can only run on EC2 instances.
    const network = typeof td?.networkMode === 'string' ? td.networkMode : undefined;
    this.ec2Only = compat.length > 0 ? compat.every((c) => c === 'EC2') : network === 'bridge' || network === 'host';
  }

  reason(container: ContainerDefinition | undefined, field: string, note?: string): Reason {
    const r: Reason = { taskDefinition: this.label, field };
    if (container?.name !== undefined) r.container = container.name;
    if (note !== undefined) r.note = note;
    return r;
  }

  withNote(reason: Reason, note: string | undefined): Reason {
    if (!note) return reason;
    return { ...reason, note: reason.note ? `${reason.note}; ${note}` : note };
  }

  require(actions: string[], resource: string, reason: Reason, crossAccount = false): void {
    this.needsRole = true;
    for (const action of actions) {
      const req: Requirement = { action, resource, reasons: [reason] };
      if (crossAccount) req.crossAccount = true;
      this.requirements.push(req);
    }
  }

  warn(code: string, message: string, reason?: Reason): void {
    const w: Warning = { code, message };
    if (reason) w.reasons = [reason];
    this.warnings.push(w);
  }

  lookup(kind: Lookup['kind'], resource: string, reason: Reason): void {
    const existing = this.unresolved.find((l) => l.kind === kind && l.resource === resource);
    if (existing) addReason(existing.reasons, reason);
    else this.unresolved.push({ kind, resource, reasons: [reason] });
  }

  /** Lists each placeholder as unresolved, with the field and what became of it. */
  template(placeholders: string[], reason: Reason, use: PlaceholderUse): void {
    if (use !== 'ignored' && use !== 'role') this.needsRole = true;
    for (const p of new Set(placeholders)) this.lookup('placeholder', p, this.withNote(reason, USE_NOTE[use]));
  }

  /**
   * A resource built from task-definition text: returned as it is when it holds no placeholder; when it does, kept
   * (mode `keep`) or left out (mode `omit`), and every placeholder is listed either way.
   */
  accept(resource: string, placeholders: string[], reason: Reason): string | undefined {
    if (placeholders.length === 0) return resource;
    const keep = this.placeholders === 'keep';
    this.template(placeholders, reason, keep ? 'kept' : 'omitted');
    return keep ? resource : undefined;
  }

  /** The partition for an ARN in `region`: from a real Region, else the role's. */
  partitionFor(region: Slot | undefined): Slot | undefined {
    if (region?.real) return realSlot(partitionForRegion(region.value) as string);
    return this.partition;
  }

  /**
   * Narrows when the Region, its partition and the account are known. Otherwise nothing may be built for `what`:
   * each missing value becomes an unresolved entry, plus one warning per task definition saying which option to pass.
   */
  known(what: string, reason: Reason, region: Slot | undefined, account: Slot | undefined): boolean {
    const partition = this.partitionFor(region);
    if (region === undefined || partition === undefined) this.needRegion(what, reason);
    if (account === undefined) this.needAccount(what, reason);
    const ok = region !== undefined && partition !== undefined && account !== undefined;
    // The placeholders that are known still belong to this field's list, though nothing is built yet.
    if (!ok) this.template([...(region?.placeholders ?? []), ...(account?.placeholders ?? [])], reason, 'omitted');
    return ok;
  }

  needAccount(what: string, reason: Reason): void {
    this.need(
      'needs-account',
      what,
      reason,
      'the account is unknown (no account in the executionRoleArn or taskDefinitionArn): pass --account so Leash can build the ARNs',
    );
  }

  needRegion(what: string, reason: Reason): void {
    this.need(
      'needs-region',
      what,
      reason,
      "the task's Region (or the partition of a placeholder Region) is unknown: pass --region so Leash can build the ARNs",
    );
  }

  private need(kind: 'needs-account' | 'needs-region', what: string, reason: Reason, message: string): void {
    this.needsRole = true;
    this.lookup(kind, what, reason);
    const w = this.needWarnings.get(kind);
    if (w) {
      addReason((w.reasons ??= []), reason);
      return;
    }
    const warning: Warning = { code: kind, message, reasons: [reason] };
    this.needWarnings.set(kind, warning);
    this.warnings.push(warning);
  }

  /** True when `account` is known to differ from the role's account (both real). */
  isCrossAccount(account: Slot): boolean {
    return account.real && this.account?.real === true && account.value !== this.account.value;
  }
}
