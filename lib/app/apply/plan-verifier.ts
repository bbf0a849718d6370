// Checks a plan before it is applied: every requirement still allowed by the NEW policy set, nothing granted beyond
// the role's current intent (that it does not already have), the inline policies within budget (engine/role/verify.ts),
// the new document clean under Access Analyzer's ValidatePolicy, and, for pure reductions, CheckNoNewAccess = PASS.
import type { CoversFn } from '../../engine/plan/guardrails.js';
import { policySets } from '../../engine/role/state.js';
import { beyondIntent, localProblems, mergeAllows, noNewAccessCheck } from '../../engine/role/verify.js';
import type { NamedPolicy, Plan, Requirement, RoleState } from '../../engine/types.js';
import type { AccessAnalyzer } from '../ports.js';

export interface VerifyInput {
  plan: Plan;
  /** The role's current state (already checked against plan.baseStateHash by the caller). */
  state: RoleState;
  requirements: Requirement[];
}

export interface Verification {
  ok: boolean;
  problems: string[];
  /** Checks not run, and why (only where no Access Analyzer exists, e.g. the local moto demo). */
  skipped?: string[];
}

export interface PlanVerifierDeps {
  /** Omitted only where Access Analyzer does not exist (moto): its checks are then reported as skipped. */
  analyzer?: AccessAnalyzer;
  covers: CoversFn;
  /** A managed policy's default document (Roles.managedPolicy). */
  managedPolicy: (arn: string) => Promise<NamedPolicy>;
}

export class PlanVerifier {
  constructor(private readonly deps: PlanVerifierDeps) {}

  async verify({ plan, state, requirements }: VerifyInput): Promise<Verification> {
    const managed = await Promise.all(state.attached.map((arn) => this.deps.managedPolicy(arn)));
    const { current, next } = policySets(plan, state, managed);
    // Both directions: every requirement still allowed, and nothing granted beyond what the role needs now.
    const problems = [
      ...localProblems(next, requirements, this.deps.covers),
      ...beyondIntent(plan.document, current, requirements, this.deps.covers),
    ];
    const analyzer = this.deps.analyzer;
    if (!analyzer) {
      return {
        ok: problems.length === 0,
        problems,
        skipped: ['Access Analyzer ValidatePolicy and CheckNoNewAccess: no analyzer configured'],
      };
    }
    problems.push(...(await analyzer.validatePolicy(plan.document)));
    if (plan.additions.length === 0) {
      const existing = mergeAllows(current);
      const after = mergeAllows(next);
      const check = noNewAccessCheck(existing, after);
      problems.push(...(check.ask ? await analyzer.checkNoNewAccess(existing, after) : check.problems));
    }
    return { ok: problems.length === 0, problems };
  }
}
