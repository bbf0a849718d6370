// Safety rules that decide whether a plan may be applied without a human. Pure: every input is a parameter.
import type { AccessRequest, Evaluation, Finding, Mode, NamedPolicy, Plan, Requirement } from '../types.js';
import { inVocabulary } from './vocabulary.js';
import { actionMatches, hasWildcard, parseArn, requestKey, toArray, wildcardMatch } from './match.js';
import { outOfScope, type Scope } from './scope.js';
import { sharedPlanViolations, type SharedRoleStatus } from './shared-role.js';

export type Owner = 'cloudformation' | 'terraform';
export type CoversFn = (policies: NamedPolicy[], req: Requirement) => Evaluation;

export interface GuardrailContext {
  mode: Mode;
  owner?: Owner;
  accountId: string;
  /** "action resource" keys used recently (CloudTrail success, last-accessed). */
  recentUse: Set<string>;
  /** When given, a recent use the plan's own document still allows does not block a removal. */
  covers?: CoversFn;
  /**
   * The role's declared scope (`readScope(tags).scope`; empty when no tag or an invalid one). In auto, every
   * addition must lie inside it; each one outside needs a person ("outside the declared scope"). Removals and
   * narrowings are not scope-bound (CheckNoNewAccess proves them in the verifier).
   */
  scope: Scope;
  /** The role's shared status (`sharedRoleStatus`): a shared role is never changed automatically. */
  shared?: SharedRoleStatus;
}

export interface GuardrailResult {
  allowedAuto: boolean;
  /** Why not automatically; empty when `allowedAuto`. */
  reasons: string[];
  /** Only a ticket (with the template change) may be produced: the role is owned by IaC, or mode is ticket. */
  ticketOnly: boolean;
  /** Things to alert on that no plan may change (trust policy findings). */
  alerts: string[];
}

type PlanDraft = Pick<Plan, 'document' | 'additions' | 'compaction' | 'findings'>;

// ecr:GetAuthorizationToken only accepts Resource "*" (spec §11 item 2), so "*" is its exact scope.
const STAR_ONLY_ACTIONS = new Set(['ecr:getauthorizationtoken']);

/** Why a resource is broader than one named thing, or undefined when it is exact (or a known exact form). */
export function broadness(action: string, resource: string): string | undefined {
  if (resource === '*') return STAR_ONLY_ACTIONS.has(action.toLowerCase()) ? undefined : 'resource is "*"';
  const arn = parseArn(resource);
  if (!arn) return 'resource is not an ARN';
  if ([arn.partition, arn.service, arn.region, arn.account].some(hasWildcard)) return 'wildcard in the ARN prefix';
  let rest = arn.resource;
  // Exact forms that IAM spells with wildcards: a secret's 6-character suffix, a log group's streams.
  if (arn.service === 'secretsmanager' && rest.endsWith('-??????')) rest = rest.slice(0, -'-??????'.length);
  if (arn.service === 'logs' && /^log-group:[^*?:]+:(log-stream:)?\*$/.test(rest)) return undefined;
  return hasWildcard(rest) ? 'wildcard in the resource name' : undefined;
}

function inIntent(plan: PlanDraft, r: AccessRequest): boolean {
  return plan.findings.some(
    (f) =>
      (f.kind === 'missing' || f.kind === 'denied' || f.kind === 'conditional') &&
      f.action.toLowerCase() === r.action.toLowerCase() &&
      f.resource === r.resource &&
      (f.requiredBy?.length ?? 0) > 0,
  );
}

/** Rules that depend on the plan alone (buildPlan records them in `needsApproval`). */
export function planRisks(plan: PlanDraft, ctx: { owner?: Owner; accountId: string }): string[] {
  const reasons: string[] = [];
  for (const add of plan.additions) {
    const what = `adds ${add.action} on ${add.resource}`;
    if (!inVocabulary(add.action)) reasons.push(`${what}: action outside the execution-role vocabulary`);
    const arn = parseArn(add.resource);
    const service = add.action.split(':')[0]?.toLowerCase();
    if (arn && arn.service !== service) reasons.push(`${what}: resource belongs to service ${arn.service}`);
    if (arn && arn.account !== '' && arn.account !== ctx.accountId)
      reasons.push(`${what}: cross-account resource (account ${arn.account})`);
    // S3 ARNs carry no account, so a bucket cannot be proven in-account: only intent puts it in scope.
    if (arn?.service === 's3' && !inIntent(plan, add)) reasons.push(`${what}: S3 resource not named by any task definition`);
    const broad = broadness(add.action, add.resource);
    if (broad) reasons.push(`${what}: ${broad}`);
  }
  for (const stmt of plan.document.Statement) {
    if (stmt.Effect !== 'Allow') continue;
    if (stmt.NotAction !== undefined) reasons.push('the Leash policy uses NotAction');
    for (const action of toArray(stmt.Action)) {
      if (!inVocabulary(action)) reasons.push(`the Leash policy grants ${action}, outside the execution-role vocabulary`);
    }
  }
  for (const c of plan.compaction) reasons.push(`compaction of ${c.action} to ${c.to} adds access: ${c.extraAccess}`);
  if (ctx.owner) reasons.push(`role is managed by ${ctx.owner}: change the template, not the role`);
  return reasons;
}

function trustAlerts(findings: Finding[]): string[] {
  return findings
    .filter((f) => f.kind === 'trust-policy')
    .map((f) => `trust policy: ${f.reasons.join('; ') || `${f.action} ${f.resource}`} (alert only, never patched automatically)`);
}

function usedRemovals(plan: Plan, ctx: GuardrailContext): string[] {
  const reasons: string[] = [];
  const leash: NamedPolicy = { name: plan.policyName, kind: 'inline', document: plan.document };
  for (const key of [...ctx.recentUse].sort()) {
    const space = key.indexOf(' ');
    if (space < 0) continue;
    const used = { action: key.slice(0, space), resource: key.slice(space + 1) };
    // Last-accessed evidence has no resource ("*") and may be service-level ("ssm:*"): it may have been any resource,
    // and any action of the service, so it meets every removal of a matching action.
    const serviceLevel = used.action.endsWith(':*');
    const hit = plan.removals.find(
      (r) =>
        (actionMatches(r.action, used.action) || actionMatches(used.action, r.action)) &&
        (used.resource === '*' || wildcardMatch(r.resource, used.resource)),
    );
    if (!hit) continue;
    // A service-level use says no more than "the service was used": it is served while the Leash policy keeps the service.
    if (serviceLevel && grantsServiceAction(plan, used.action)) continue;
    if (!serviceLevel && ctx.covers?.([leash], { ...used, reasons: [] }).decision === 'allowed') continue;
    reasons.push(`removes ${requestKey(hit)}, which covers ${key}, used recently`);
  }
  return reasons;
}

function grantsServiceAction(plan: Plan, servicePattern: string): boolean {
  return plan.document.Statement.some((s) => s.Effect === 'Allow' && toArray(s.Action).some((a) => actionMatches(servicePattern, a)));
}

export function guardrails(plan: Plan, ctx: GuardrailContext): GuardrailResult {
  const reasons: string[] = [...plan.needsApproval, ...planRisks(plan, ctx), ...usedRemovals(plan, ctx)];
  if (ctx.mode !== 'auto') reasons.push(`mode is ${ctx.mode}: no automatic change`);
  else reasons.push(...outOfScope(ctx.scope, plan.roleArn, plan.additions));
  if (ctx.shared?.shared) {
    reasons.push(`role is shared: ${ctx.shared.causes.map((c) => c.detail).join('; ')}: never changed automatically`);
    reasons.push(...sharedPlanViolations(plan).map((v) => `shared role: the plan ${v}`));
  }
  // Plans never carry trust-policy changes; a Statement with Principal in the identity document is refused too.
  if (plan.document.Statement.some((s) => s.Principal !== undefined || s.NotPrincipal !== undefined)) {
    reasons.push('the Leash policy names a Principal: trust policies are never patched automatically');
  }
  const unique = [...new Set(reasons)];
  const ticketOnly = ctx.owner !== undefined || ctx.mode === 'ticket';
  return { allowedAuto: unique.length === 0 && !ticketOnly, reasons: unique, ticketOnly, alerts: trustAlerts(plan.findings) };
}
