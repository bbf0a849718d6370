// From findings to action for one role, per its mode: observe (record only), ticket, approve (Slack / signed link),
// auto (apply within the guardrails). Dry-run by default: a plan is recorded and announced, never applied.
import { randomUUID } from 'node:crypto';
import { accountOf } from '../engine/arn.js';
import { createToken } from '../engine/approval/link-token.js';
import { approvalPath } from '../engine/approval/page.js';
import { buildPlan } from '../engine/plan/build-plan.js';
import { guardrails } from '../engine/plan/guardrails.js';
import { modeFor } from '../engine/plan/mode.js';
import { isNoop } from '../engine/plan/noop.js';
import { templateChangeFor } from '../engine/plan/template-change.js';
import { coversRequirement } from '../engine/policy/evaluate.js';
import { roleOwner } from '../engine/role/owner.js';
import { hashState } from '../engine/role/state.js';
import { synthesize } from '../engine/synth/synthesize.js';
import type { Mode, Plan, Warning } from '../engine/types.js';
import type { Applier } from './apply/applier.js';
import type { AuditLog, Notifier, Plans, Roles, Secrets, Tracker } from './ports.js';
import { assessRole, type AssessDeps } from './recompute-role.js';
import { requestApproval, type ApprovalChannels } from './request-approval.js';
import { ticketStep } from './tickets.js';

export interface RemediationSettings {
  defaultMode: Mode;
  dryRun: boolean;
  watchMinutes: number;
  maxChangesPerRun: number;
  planTtlHours: number;
  approvers: string[];
  publicBaseUrl?: string;
}

export interface RemediationDeps extends AssessDeps {
  roles: Pick<Roles, 'readGrant' | 'readState'>;
  applier: Pick<Applier, 'apply'>;
  plans: Pick<Plans, 'putPlan' | 'getPlan' | 'isUsed'>;
  audit: Pick<AuditLog, 'record'>;
  /** Where approval requests go (Slack message, SNS link per approver). */
  channels: ApprovalChannels;
  tracker?: Tracker;
  /** Tells owners on SNS when their ticket could not be written. */
  notifier?: Pick<Notifier, 'publishTicketFailure'>;
  secrets: Pick<Secrets, 'linkSigningSecret'>;
  settings: RemediationSettings;
}

export interface RemediationSummary {
  roleArn: string;
  mode?: Mode;
  outcome: 'skipped' | 'nothing-to-do' | 'ticket' | 'approval-requested' | 'applied' | 'dry-run';
  why: string;
  plan?: Plan;
  steps?: string[];
  warnings?: Warning[];
}

const ACTOR = 'leash-remediate';

/** Builds the role's plan from its current state; undefined when the role is gone. */
export async function planFor(roleArn: string, deps: RemediationDeps) {
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
  });
  return { assessment: a, plan, owner };
}

export async function remediateRole(roleArn: string, deps: RemediationDeps, run: { changedThisRun: number }): Promise<RemediationSummary> {
  const now = deps.now();
  const planned = await planFor(roleArn, deps);
  if (!planned) return { roleArn, outcome: 'skipped', why: 'role no longer exists' };
  const { assessment, plan, owner } = planned;
  const warnings: Warning[] = [];
  const mode = modeFor(assessment.grant.tags, deps.settings.defaultMode, warnings);
  const base = { at: now, roleArn: plan.roleArn, actor: ACTOR, planHash: plan.planHash, before: plan.baseStateHash };
  if (mode === 'observe') {
    await deps.audit.record({ ...base, action: 'skip', why: 'mode observe: findings recorded only' });
    return { roleArn, mode, outcome: 'skipped', why: 'mode observe', warnings };
  }
  if (isNoop(plan, assessment.grant)) return { roleArn, mode, outcome: 'nothing-to-do', why: 'the role already matches its plan', plan };

  const recentUse = new Set(assessment.evidence.uses.map((u) => `${u.action} ${u.resource ?? '*'}`));
  const g = guardrails(plan, {
    mode,
    ...(owner ? { owner } : {}),
    accountId: accountOf(plan.roleArn),
    changedThisRun: run.changedThisRun,
    maxChangesPerRun: deps.settings.maxChangesPerRun,
    recentUse,
    covers: coversRequirement,
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

  if (mode === 'auto' && g.allowedAuto) {
    const result = await deps.applier.apply(plan, {
      dryRun: deps.settings.dryRun,
      actor: 'leash-auto',
      reason: 'auto mode, within guardrails',
      now,
      watchMinutes: deps.settings.watchMinutes,
      requirements: assessment.requirements,
    });
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

  // approve mode, or auto refused by a guardrail: a person decides — once per plan. The same plan (same role state,
  // same content) comes back on every redelivery: re-sending would spam, mint more live links and, for a decided
  // plan, post buttons that can only say "already used".
  if (await deps.plans.isUsed('plan', plan.planHash)) {
    return {
      roleArn,
      mode,
      outcome: 'skipped',
      why: `plan ${plan.planHash} was already decided; a new plan follows when the role or its needs change`,
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
  const links =
    linkSecret && deps.settings.publicBaseUrl
      ? deps.settings.approvers.map((approver) => ({
          approver,
          url:
            deps.settings.publicBaseUrl +
            approvalPath(
              createToken(
                { planHash: plan.planHash, roleArn: plan.roleArn, approverHint: approver, expiresAt, nonce: randomUUID() },
                linkSecret,
              ),
            ),
        }))
      : [];
  const sent = await requestApproval(plan, links, deps.channels);
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
