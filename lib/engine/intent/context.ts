// Per-task-definition state shared by the feature modules: the role's account and the task's Region (only real
// values, never placeholders), and collectors for requirements, lookups and warnings with their reasons.
import type { ContainerDefinition, Lookup, Reason, Requirement, TaskDefinition, Warning } from '../types.js';

export interface ContextInit {
  label: string;
  account?: string;
  region?: string;
  td?: TaskDefinition;
}

function sameReason(a: Reason, b: Reason): boolean {
  return a.taskDefinition === b.taskDefinition && a.container === b.container && a.field === b.field && a.note === b.note;
}

export function addReason(list: Reason[], reason: Reason): void {
  if (!list.some((r) => sameReason(r, reason))) list.push(reason);
}

export class IntentContext {
  readonly label: string;
  /** The execution role's account (12 digits) when known. */
  readonly account?: string;
  /** The task's Region when known. */
  readonly region?: string;
  readonly fargateCompatible: boolean;
  readonly ec2Only: boolean;
  readonly requirements: Requirement[] = [];
  readonly unresolved: Lookup[] = [];
  readonly warnings: Warning[] = [];
  private readonly needWarnings = new Map<string, Warning>();

  constructor(init: ContextInit) {
    this.label = init.label;
    if (init.account !== undefined) this.account = init.account;
    if (init.region !== undefined) this.region = init.region;
    const td = init.td;
    const compat = td?.requiresCompatibilities ?? td?.compatibilities ?? [];
    this.fargateCompatible = compat.includes('FARGATE');
    this.ec2Only = compat.length > 0 && compat.every((c) => c === 'EC2');
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

  /**
   * Narrows when both the Region and the account are known. Otherwise nothing may be built for `what`: each
   * missing value becomes an unresolved entry, plus one warning per task definition saying which option to pass.
   */
  known(what: string, reason: Reason, region: string | undefined, account: string | undefined): boolean {
    if (region === undefined) this.needRegion(what, reason);
    if (account === undefined) this.needAccount(what, reason);
    return region !== undefined && account !== undefined;
  }

  needAccount(what: string, reason: Reason): void {
    this.need(
      'needs-account',
      what,
      reason,
      'the account is unknown (no real account in the task definition ARN or executionRoleArn): pass --account so Leash can build the ARNs',
    );
  }

  needRegion(what: string, reason: Reason): void {
    this.need(
      'needs-region',
      what,
      reason,
      "the task's Region is unknown (no taskDefinitionArn): pass --region so Leash can build the ARNs",
    );
  }

  private need(kind: 'needs-account' | 'needs-region', what: string, reason: Reason, message: string): void {
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

  /** True when `account` is known to differ from the role's account. */
  isCrossAccount(account: string): boolean {
    return this.account !== undefined && account !== this.account;
  }
}
