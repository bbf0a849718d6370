// From findings to action for one role, per its mode: observe (record only), ticket, approve (Slack / signed link),
// auto (apply within the guardrails: removals and narrowings, additions only inside the role's declared scope, never a
// shared or IaC-owned role, and only while the account's change budget lasts). Dry-run by default: a plan is recorded
// and announced, never applied.
import { accountOf, roleNameOf } from '../engine/arn.js';
import { buildPlan } from '../engine/plan/build-plan.js';
import { budgetNotice } from '../engine/plan/change-budget.js';
import { guardrails } from '../engine/plan/guardrails.js';
import { readMode } from '../engine/plan/mode.js';
import { isNoop } from '../engine/plan/noop.js';
import { templateChangeFor } from '../engine/plan/template-change.js';
import { coversRequirement } from '../engine/policy/evaluate.js';
import { roleOwner } from '../engine/role/owner.js';
import { hashState } from '../engine/role/state.js';
import { synthesize } from '../engine/synth/synthesize.js';
import type { Mode, Plan, Requirement, Warning } from '../engine/types.js';
import { ConflictError, RefusedError } from '../errors.js';
import { emailApprovers, mintLink } from './approval-links.js';
import type { Applier } from './apply/applier.js';
import type { AuditLog, ChangeBudget, Notifier, Plans, Roles, Secrets, Tracker } from './ports.js';
import { assessRole, type AssessDeps } from './recompute-role.js';
import { requestApproval, type ApprovalChannels } from './request-approval.js';
import { ticketStep } from './tickets.js';

export interface RemediationSettings {
  defaultMode: Mode;
  dryRun: boolean;
  watchMinutes: number;
  planTtlHours: number;
  approvers: string[];
  publicBaseUrl?: string;
  /** Why this runtime may not change IAM (a member account without a write role); unset when it may. */
  writeRefusal?: string;
}

export interface RemediationDeps extends AssessDeps {
  roles: Pick<Roles, 'readGrant' | 'readState' | 'inInstanceProfile'>;
  applier: Pick<Applier, 'apply'>;
  plans: Pick<Plans, 'putPlan' | 'getPlan' | 'status' | 'transition'>;
  audit: Pick<AuditLog, 'record'>;
  /** Where approval requests go (Slack message, SNS link per approver). */
  channels: ApprovalChannels;
  tracker?: Tracker;
  secrets: Pick<Secrets, 'linkSigningSecret'>;
  settings: RemediationSettings;
  /** The change cap: automatic changes per account per window. */
  budget: Pick<ChangeBudget, 'spend' | 'release' | 'defer'>;
  /** Where a deferred change is announced, and owners told on SNS when their ticket could not be written. */
  notifier?: Pick<Notifier, 'publishNotice' | 'publishTicketFailure'>;
}

export interface RemediationSummary {
  roleArn: string;
  mode?: Mode;
  outcome: 'skipped' | 'nothing-to-do' | 'ticket' | 'approval-requested' | 'applied' | 'dry-run' | 'deferred' | 'refused';
  why: string;
  plan?: Plan;
  steps?: string[];
  warnings?: Warning[];
}

const ACTOR = 'leash-remediate';
const AUTO_ACTOR = 'leash-auto';

/** Builds the role's plan from its current state; undefined when the role is gone. */
export async function planFor(roleArn: string, deps: AssessDeps & { roles: RemediationDeps['roles'] }) {
  const a = await assessRole(roleArn, deps);
  const state = a && (await deps.roles.readState(a.grant.roleArn));
  if (!a || !state) return undefined;
  const owner = roleOwner(a.grant);
  const plan = buildPlan({
    roleArn: a.grant.roleArn,
    state,
    baseStateHash: hashState(state),
    grant: a.grant.policies,
    requirements: a.requirements,
    synthesized: synthesize(a.requirements),
    findings: a.findings,
    ...(owner ? { owner } : {}),
    accountId: accountOf(a.grant.roleArn),
    covers: coversRequirement,
    shared: a.shared,
  });
  return { assessment: a, plan, owner };
}

export async function remediateRole(roleArn: string, deps: RemediationDeps): Promise<RemediationSummary> {
  const now = deps.now();
  const planned = await planFor(roleArn, deps);
  if (!planned) return { roleArn, outcome: 'skipped', why: 'role no longer exists' };
  const { assessment, plan, owner } = planned;
  // Exact tag values only: anything else is an invalid-mode-tag finding (stored with the role's findings) and observe.
  const reading = readMode(assessment.grant.tags, deps.settings.defaultMode, plan.roleArn);
  const mode = reading.mode;
  const warnings: Warning[] = reading.finding ? [{ code: 'invalid-mode-tag', message: reading.finding.reasons.join('; ') }] : [];
  const base = { at: now, roleArn: plan.roleArn, actor: ACTOR, planHash: plan.planHash, before: plan.baseStateHash };
  if (mode === 'observe') {
    const why = reading.finding ? `${reading.finding.reasons[0]}: treated as observe` : 'mode observe: findings recorded only';
    await deps.audit.record({ ...base, action: 'skip', why });
    return { roleArn, mode, outcome: 'skipped', why: reading.finding ? why : 'mode observe', warnings };
  }
  if (isNoop(plan, assessment.grant)) return { roleArn, mode, outcome: 'nothing-to-do', why: 'the role already matches its plan', plan };

  const recentUse = new Set(assessment.evidence.uses.map((u) => `${u.action} ${u.resource ?? '*'}`));
  const g = guardrails(plan, {
    mode,
    ...(owner ? { owner } : {}),
    accountId: accountOf(plan.roleArn),
    recentUse,
    covers: coversRequirement,
    scope: assessment.scope.scope,
    shared: assessment.shared,
  });

  if (g.ticketOnly || mode === 'ticket') {
    // IaC-owned roles get the template change in the ticket instead of a mutation.
    const template = owner ? templateChangeFor(plan, owner) : undefined;
    // A tracker that cannot be used (token unreadable or refused) degrades: reported, never a failed message.
    const t = await ticketStep(deps, plan.roleArn, plan.findings, template);
    const ticket = t.action === 'no-tracker' ? 'no ticket tracker configured' : t.action;
    const detail = { ticket, ...(t.problem ? { problem: t.problem } : {}) };
    await deps.audit.record({ ...base, action: 'ticket', why: g.ticketOnly ? g.reasons.join('; ') : 'mode ticket', detail });
    const why = t.problem ? `${ticket}: ${t.problem}` : ticket;
    return { roleArn, mode, outcome: 'ticket', why, plan, warnings: [...warnings, ...t.warnings] };
  }

  if (mode === 'auto' && g.allowedAuto) return autoApply(plan, assessment.requirements, mode, warnings, deps);

  // approve mode, or auto refused by a guardrail: a person decides — once per plan. The same plan (same role state,
  // same content) comes back on every redelivery: re-sending would spam, mint more live links and, for a decided
  // plan, post buttons that can only say "already used".
  const status = await deps.plans.status(plan.planHash);
  if (status && status.status !== 'pending') {
    return {
      roleArn,
      mode,
      outcome: 'skipped',
      why: `plan ${plan.planHash} was already decided (${status.status}); a new plan follows when the role or its needs change`,
      plan,
      warnings,
    };
  }
  if ((await deps.plans.getPlan(plan.planHash, now)) !== undefined) {
    return {
      roleArn,
      mode,
      outcome: 'approval-requested',
      why: `approval of plan ${plan.planHash} is already pending; not sent again`,
      plan,
      warnings,
    };
  }
  const expiresAt = new Date(Date.parse(now) + deps.settings.planTtlHours * 3_600_000).toISOString();
  await deps.plans.putPlan(plan, expiresAt);
  const linkSecret = deps.settings.publicBaseUrl ? await deps.secrets.linkSigningSecret() : undefined;
  const baseUrl = deps.settings.publicBaseUrl;
  // Links by message go to email approvers only, each on the approvals topic; Slack approvers approve in Slack.
  const links =
    linkSecret && baseUrl ? emailApprovers(deps.settings.approvers).map((a) => mintLink(plan, a, expiresAt, linkSecret, baseUrl)) : [];
  const { sent, message } = await requestApproval(plan, links, deps.channels);
  // Where the message is, with the plan: whichever way the plan is decided, the remediation function updates it.
  if (message) await deps.plans.transition(plan.planHash, ['pending'], { status: 'pending', message });
  const why = mode === 'auto' ? `auto refused by guardrails: ${g.reasons.join('; ')}` : 'mode approve';
  await deps.audit.record({ ...base, action: 'plan', why, detail: { expiresAt, sent, needsApproval: plan.needsApproval } });
  return {
    roleArn,
    mode,
    outcome: 'approval-requested',
    why: `${why}; sent to ${sent.join(', ') || 'nobody (no channel configured)'}`,
    plan,
    warnings,
  };
}

/**
 * An automatic apply within the guardrails. A real (non-dry-run) one first takes a change from the account's budget,
 * atomically, and gives it back if the apply stops before its first IAM write; when the budget is spent the role is
 * deferred (said in a notice and the audit trail) and handed back to the remediation function when the window resets.
 */
async function autoApply(
  plan: Plan,
  requirements: Requirement[],
  mode: Mode,
  warnings: Warning[],
  deps: RemediationDeps,
): Promise<RemediationSummary> {
  const now = deps.now();
  const roleArn = plan.roleArn;
  const account = accountOf(roleArn);
  const base = { at: now, roleArn, actor: AUTO_ACTOR, planHash: plan.planHash, before: plan.baseStateHash };
  const dryRun = deps.settings.dryRun;
  if (!dryRun && deps.settings.writeRefusal) {
    await deps.audit.record({ ...base, action: 'refuse', why: deps.settings.writeRefusal });
    return { roleArn, mode, outcome: 'refused', why: deps.settings.writeRefusal, plan, warnings };
  }
  const spent = dryRun ? undefined : await deps.budget.spend(account, now);
  if (spent && !spent.allowed) {
    const notice = budgetNotice(account, [roleArn], spent.decision);
    await deps.budget.defer(roleArn, spent.decision.resetsAt, notice);
    await deps.audit.record({ ...base, action: 'skip', why: `deferred: ${notice}`, detail: { deferredUntil: spent.decision.resetsAt } });
    await deps.notifier?.publishNotice({
      subject: `Leash: change to ${roleNameOf(roleArn)} deferred (change budget)`,
      message: notice,
      roleArn,
    });
    return { roleArn, mode, outcome: 'deferred', why: notice, plan, warnings };
  }
  let result;
  try {
    result = await deps.applier.apply(plan, {
      dryRun,
      actor: AUTO_ACTOR,
      reason: 'auto mode, within guardrails',
      now,
      watchMinutes: deps.settings.watchMinutes,
      requirements,
      via: 'auto',
    });
  } catch (err) {
    // Refused or lost its compare-and-swap: it stopped before the first IAM write, so the change was not spent.
    if (spent?.allowed && (err instanceof RefusedError || err instanceof ConflictError))
      await deps.budget.release(account, spent.windowStart);
    throw err;
  }
  return {
    roleArn,
    mode,
    outcome: result.applied ? 'applied' : 'dry-run',
    why: result.applied ? 'applied automatically' : 'dry-run: not applied',
    plan,
    steps: result.steps,
    warnings,
  };
}
