// Checks a plan before it is applied: every requirement still allowed by the NEW policy set, the new document
// clean under Access Analyzer's ValidatePolicy, and, for pure reductions, CheckNoNewAccess = PASS.
import { CheckNoNewAccessCommand, ValidatePolicyCommand, type AccessAnalyzerClient } from '@aws-sdk/client-accessanalyzer';
import { INLINE_BUDGET, policySize } from '../../engine/plan/build-plan.js';
import type { CoversFn } from '../../engine/plan/guardrails.js';
import type { NamedPolicy, Plan, PolicyDocument, Requirement, RoleState } from '../../engine/types.js';
import { call } from './sdk-call.js';

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
  /** Omitted only where Access Analyzer does not exist (moto): those checks are then reported as skipped. */
  analyzer?: AccessAnalyzerClient;
  covers: CoversFn;
  /** A managed policy's default document (e.g. IamReader.managedPolicy). */
  managedPolicy: (arn: string) => Promise<NamedPolicy>;
}

const BLOCKING = new Set(['ERROR', 'SECURITY_WARNING']);

/** All Allow statements of a policy set in one document; Sids dropped (they need not be unique across policies). */
export function mergeAllows(policies: NamedPolicy[]): PolicyDocument {
  const Statement = policies.flatMap((p) => p.document.Statement.filter((s) => s.Effect === 'Allow').map(({ Sid: _sid, ...s }) => s));
  return { Version: '2012-10-17', Statement };
}

export class PlanVerifier {
  constructor(private readonly deps: PlanVerifierDeps) {}

  /** The role's policies now, and after the plan (Leash policy + whatever the plan does not delete or detach). */
  async policySets(plan: Plan, state: RoleState): Promise<{ current: NamedPolicy[]; next: NamedPolicy[] }> {
    const managed = await Promise.all(state.attached.map((arn) => this.deps.managedPolicy(arn)));
    const inline = state.inline.map((p): NamedPolicy => ({ name: p.name, kind: 'inline', document: p.document }));
    const current = [...inline, ...managed];
    const leash: NamedPolicy = { name: plan.policyName, kind: 'inline', document: plan.document };
    const next = [
      leash,
      ...inline.filter((p) => p.name !== plan.policyName && !plan.deleteInline.includes(p.name)),
      ...managed.filter((p) => !plan.detach.includes(p.arn ?? '')),
    ];
    return { current, next };
  }

  async verify({ plan, state, requirements }: VerifyInput): Promise<Verification> {
    const problems: string[] = [];
    const { current, next } = await this.policySets(plan, state);

    for (const req of requirements) {
      const { decision } = this.deps.covers(next, req);
      if (decision !== 'allowed') problems.push(`requirement ${req.action} on ${req.resource} would be ${decision}`);
    }
    const inlineTotal = next.filter((p) => p.kind === 'inline').reduce((n, p) => n + policySize(p.document), 0);
    if (inlineTotal > INLINE_BUDGET) problems.push(`inline policies would total ${inlineTotal} characters, over IAM's ${INLINE_BUDGET}`);

    const analyzer = this.deps.analyzer;
    if (!analyzer)
      return {
        ok: problems.length === 0,
        problems,
        skipped: ['Access Analyzer ValidatePolicy and CheckNoNewAccess: no analyzer configured'],
      };
    problems.push(...(await this.validate(analyzer, plan.document)));
    if (plan.additions.length === 0) problems.push(...(await this.noNewAccess(analyzer, mergeAllows(current), mergeAllows(next))));
    return { ok: problems.length === 0, problems };
  }

  private async validate(analyzer: AccessAnalyzerClient, document: PolicyDocument): Promise<string[]> {
    const problems: string[] = [];
    let nextToken: string | undefined;
    do {
      const res = await call('accessanalyzer', 'ValidatePolicy', () =>
        analyzer.send(new ValidatePolicyCommand({ policyDocument: JSON.stringify(document), policyType: 'IDENTITY_POLICY', nextToken })),
      );
      for (const f of res.findings ?? []) {
        if (BLOCKING.has(f.findingType ?? '')) problems.push(`ValidatePolicy ${f.findingType} ${f.issueCode}: ${f.findingDetails}`);
      }
      nextToken = res.nextToken;
    } while (nextToken);
    return problems;
  }

  private async noNewAccess(analyzer: AccessAnalyzerClient, existing: PolicyDocument, next: PolicyDocument): Promise<string[]> {
    if (next.Statement.length === 0) return []; // nothing allowed afterwards: trivially no new access
    if (existing.Statement.length === 0) return ['the plan grants access to a role that had none, yet lists no additions'];
    const res = await call('accessanalyzer', 'CheckNoNewAccess', () =>
      analyzer.send(
        new CheckNoNewAccessCommand({
          existingPolicyDocument: JSON.stringify(existing),
          newPolicyDocument: JSON.stringify(next),
          policyType: 'IDENTITY_POLICY',
        }),
      ),
    );
    if (res.result === 'PASS') return [];
    const reasons = (res.reasons ?? []).map(
      (r) => `${r.description ?? ''}${r.statementIndex !== undefined ? ` (statement ${r.statementIndex})` : ''}`,
    );
    return [`CheckNoNewAccess ${res.result ?? 'no result'}: ${[res.message, ...reasons].filter(Boolean).join('; ')}`];
  }
}
