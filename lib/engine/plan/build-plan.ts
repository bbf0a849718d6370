// Builds a role's complete proposed policy set: the Leash-owned inline policy plus the deletes/detaches it
// implies. Conservative by construction: a policy goes only when everything it allows is accounted for.
import type {
  AccessRequest,
  Finding,
  KeptPolicy,
  NamedPolicy,
  Plan,
  PolicyDocument,
  PolicyStatement,
  Requirement,
  RoleState,
  SynthesizedPolicy,
} from '../types.js';
import { planHash } from './canonical.js';
import { planRisks, type CoversFn, type Owner } from './guardrails.js';
import { actionMatches, compareText, hasDeny, requestKey, statementPairs, uniqueRequests, wildcardMatch } from './match.js';
import { sharedRoleFinding, splitProposal, vocabularyOnly, type SharedRoleStatus } from './shared-role.js';
import { reviewOf } from './review.js';
import { inVocabulary } from './vocabulary.js';

export const DEFAULT_POLICY_NAME = 'leash-execution-role';
/** IAM's budget for all inline policies of one role, in non-whitespace characters (spec §7). */
export const INLINE_BUDGET = 10_240;

export interface BuildPlanInput {
  roleArn: string;
  state: RoleState;
  baseStateHash: string;
  grant: NamedPolicy[];
  requirements: Requirement[];
  synthesized: SynthesizedPolicy;
  findings: Finding[];
  owner?: Owner;
  accountId: string;
  policyName?: string;
  covers: CoversFn;
  /**
   * The role's shared status (`sharedRoleStatus`). A shared role keeps every policy other than the Leash-owned one,
   * and the Leash-owned policy keeps every statement that is not a vocabulary-only Allow: the plan only adds what task
   * definitions need (and may narrow vocabulary actions, with a person). It gets a `shared-role` finding with the split.
   */
  shared?: SharedRoleStatus;
}

/** Findings whose access the plan adds when its policies allow it: not allowed today, or only under conditions. */
const ADDED_KINDS: ReadonlySet<Finding['kind']> = new Set(['missing', 'denied', 'conditional']);

const SHARED_NOTE = 'kept: the role is shared and this is outside the execution-role vocabulary (the application may use it)';
const SHARED_KEPT = 'the role is shared (more than an execution role): Leash keeps every policy other than its own';

export function policySize(doc: unknown): number {
  return JSON.stringify(doc).replace(/\s/g, '').length;
}

const allows = (covers: CoversFn, policies: NamedPolicy[], r: AccessRequest): boolean =>
  covers(policies, { action: r.action, resource: r.resource, reasons: [] }).decision === 'allowed';

const refersTo = (f: Finding, p: NamedPolicy, statement?: number): boolean =>
  (f.grantedBy ?? []).some(
    (ref) => (ref.policy === p.name || ref.policy === p.arn) && (statement === undefined || ref.statement === statement),
  );

const pairMatches = (f: Finding, r: AccessRequest): boolean => actionMatches(f.action, r.action) && wildcardMatch(f.resource, r.resource);

interface Verdict {
  remove: boolean;
  kept?: string;
  approval?: string;
}

/** Decides one non-Leash policy: remove only if every allowed pair is covered by the Leash policy or is `excess`. */
function judge(p: NamedPolicy, leash: NamedPolicy, findings: Finding[], covers: CoversFn): Verdict {
  if (hasDeny(p.document)) return { remove: false, kept: 'contains Deny statements: removing a Deny could add access' };
  const inUse = findings.filter((f) => f.kind === 'excess-in-use' && refersTo(f, p));
  const pairs: { pair: AccessRequest; statement: number }[] = [];
  for (const [i, stmt] of p.document.Statement.entries()) {
    const list = statementPairs(stmt);
    if (!list)
      return { remove: false, kept: `statement ${i} uses NotAction/NotResource or has no Resource: what it allows cannot be listed` };
    for (const pair of list) pairs.push({ pair, statement: i });
  }
  for (const { pair } of pairs) {
    for (const f of findings) if (f.kind === 'excess-in-use' && pairMatches(f, pair) && !inUse.includes(f)) inUse.push(f);
  }
  if (inUse.length > 0) {
    const what = uniqueRequests(inUse).map(requestKey).join(', ');
    return {
      remove: false,
      kept: `grants access used recently (${what})`,
      approval: `policy ${p.arn ?? p.name} grants ${what}, not needed by any task definition but used recently (excess-in-use): kept; review by hand`,
    };
  }
  for (const { pair, statement } of pairs) {
    if (allows(covers, [leash], pair)) continue;
    const explained = findings.some(
      (f) =>
        (f.kind === 'excess' || f.kind === 'too-broad') &&
        actionMatches(f.action, pair.action) &&
        (wildcardMatch(f.resource, pair.resource) || (f.kind === 'too-broad' && refersTo(f, p, statement))),
    );
    if (!explained)
      return { remove: false, kept: `grants ${requestKey(pair)}, which the Leash policy does not cover and no finding marks as excess` };
  }
  if (p.kind !== 'inline' && !p.arn) return { remove: false, kept: 'managed policy without an ARN cannot be detached' };
  return { remove: true };
}

const compareFindings = (a: Finding, b: Finding): number =>
  compareText(a.kind, b.kind) ||
  compareText(a.action, b.action) ||
  compareText(a.resource, b.resource) ||
  compareText(JSON.stringify(a), JSON.stringify(b));

/** For a shared role: the current Leash policy's statements that are not vocabulary-only Allows, carried over verbatim. */
function carriedStatements(input: BuildPlanInput, policyName: string): PolicyStatement[] {
  const current = input.grant.find((p) => p.kind === 'inline' && p.name === policyName);
  const taken = new Set(input.synthesized.document.Statement.map((s) => s.Sid).filter((sid) => sid !== undefined));
  // Sids must be unique within a policy: a carried statement whose Sid the synthesized ones use is renamed.
  return (current?.document.Statement ?? [])
    .filter((s) => !vocabularyOnly(s))
    .map((s, i) => (s.Sid !== undefined && taken.has(s.Sid) ? { ...s, Sid: `Kept${i}${s.Sid.replace(/[^A-Za-z0-9]/g, '')}` } : s));
}

/**
 * A shared role's findings: outside-vocabulary excess is the application's, not a removal candidate; plus the
 * `shared-role` finding with the proposed split (once). The findings store and the plan use the same wording.
 */
export function findingsForSharedRole(
  input: Pick<BuildPlanInput, 'findings' | 'roleArn' | 'requirements' | 'synthesized'> & { shared: SharedRoleStatus },
  policyName = DEFAULT_POLICY_NAME,
): Finding[] {
  const status = input.shared;
  const out = input.findings.map((f) =>
    (f.kind === 'excess' || f.kind === 'too-broad' || f.kind === 'excess-in-use') && !inVocabulary(f.action)
      ? {
          ...f,
          severity: 'info' as const,
          reasons: f.reasons.includes(SHARED_NOTE) ? f.reasons : [...f.reasons, SHARED_NOTE],
        }
      : f,
  );
  if (!out.some((f) => f.kind === 'shared-role')) {
    const tds = input.requirements.flatMap((r) => r.reasons.map((x) => x.taskDefinition));
    out.push(sharedRoleFinding(input.roleArn, status, splitProposal(input.roleArn, policyName, input.synthesized.document, tds)));
  }
  return out;
}

export function buildPlan(input: BuildPlanInput): Plan {
  const { covers } = input;
  const policyName = input.policyName ?? DEFAULT_POLICY_NAME;
  const shared = input.shared?.shared === true;
  const carried = shared ? carriedStatements(input, policyName) : [];
  const document: PolicyDocument =
    carried.length > 0
      ? { ...input.synthesized.document, Statement: [...input.synthesized.document.Statement, ...carried] }
      : input.synthesized.document;
  const findings = shared ? findingsForSharedRole({ ...input, shared: input.shared! }, policyName) : input.findings;
  const leash: NamedPolicy = { name: policyName, kind: 'inline', document };
  const deleteInline: string[] = [];
  const detach: string[] = [];
  const kept: KeptPolicy[] = [];
  const keptPolicies: NamedPolicy[] = [];
  const goneOrReplaced: NamedPolicy[] = [];
  const approvals: string[] = [];

  for (const p of input.grant) {
    if (p.kind === 'inline' && p.name === policyName) {
      goneOrReplaced.push(p); // replaced in place by PutRolePolicy
      if (shared) continue; // its Deny, NotAction and outside-vocabulary statements are carried over verbatim
      // Overwritten without being judged: what a person added to it goes too, so anything judge() would keep needs a human.
      if (hasDeny(p.document))
        approvals.push(`replaces ${policyName}, whose current version has Deny statements: overwriting them could add access`);
      if (p.document.Statement.some((s) => s.Effect === 'Allow' && !statementPairs(s))) {
        approvals.push(
          `replaces ${policyName}, whose current version uses NotAction/NotResource or has no Resource: what it allows cannot be listed`,
        );
      }
      continue;
    }
    if (shared) {
      keptPolicies.push(p);
      kept.push({ policy: p.kind === 'inline' ? p.name : (p.arn ?? p.name), reason: SHARED_KEPT });
      continue;
    }
    const v = judge(p, leash, findings, covers);
    if (v.approval) approvals.push(v.approval);
    if (v.remove) {
      goneOrReplaced.push(p);
      if (p.kind === 'inline') deleteInline.push(p.name);
      else detach.push(p.arn as string);
    } else {
      keptPolicies.push(p);
      kept.push({ policy: p.kind === 'inline' ? p.name : (p.arn ?? p.name), reason: v.kept ?? 'kept' });
    }
  }

  // Anything on the role that the grant did not describe is left alone: without its document it cannot be judged.
  const described = new Set(input.grant.map((p) => (p.kind === 'inline' ? `inline ${p.name}` : `managed ${p.arn}`)));
  for (const i of input.state.inline) {
    if (i.name !== policyName && !described.has(`inline ${i.name}`))
      kept.push({ policy: i.name, reason: 'not in the grant read for this plan' });
  }
  for (const arn of input.state.attached) {
    if (!described.has(`managed ${arn}`)) kept.push({ policy: arn, reason: 'not in the grant read for this plan' });
  }

  const newSet = [leash, ...keptPolicies];
  for (const req of input.requirements) {
    if (!allows(covers, newSet, req)) approvals.push(`the planned policies do not allow ${requestKey(req)}, which a task definition needs`);
  }
  // An addition is anything the planned policies allow outright that the role did not: missing and denied access,
  // and access granted today only under a Condition (the Leash policy grants it without one), so the scope, the
  // guardrails and the approver see it. Requirements the current policies do not allow outright count whatever
  // their finding says: what makes an addition is the before/after, not the finding's kind.
  const notAllowedBefore = input.requirements.filter((r) => !allows(covers, input.grant, r));
  const additions = uniqueRequests(
    [...findings.filter((f) => ADDED_KINDS.has(f.kind)), ...notAllowedBefore].filter((f) => allows(covers, newSet, f)),
  );
  const candidates: AccessRequest[] = findings.filter((f) => f.kind === 'excess' || f.kind === 'too-broad');
  for (const p of goneOrReplaced) {
    for (const stmt of p.document.Statement) if (stmt.Effect === 'Allow') candidates.push(...(statementPairs(stmt) ?? []));
  }
  const removals = uniqueRequests(
    candidates.filter((r) => {
      const d = covers(newSet, { action: r.action, resource: r.resource, reasons: [] }).decision;
      return d !== 'allowed' && d !== 'conditional';
    }),
  );

  if (shared) {
    approvals.push(`role is shared: ${input.shared!.causes.map((c) => c.detail).join('; ')}: never changed automatically`);
    for (const r of removals) {
      approvals.push(`shared role: removes ${requestKey(r)}; the application using this role may need it (the split avoids this)`);
    }
  }

  const inlineTotal =
    policySize(leash.document) + keptPolicies.filter((p) => p.kind === 'inline').reduce((n, p) => n + policySize(p.document), 0);
  if (inlineTotal > INLINE_BUDGET)
    approvals.push(`inline policies would total ${inlineTotal} non-whitespace characters, over IAM's ${INLINE_BUDGET}`);
  // Putting the new policy before deleting the old ones would pass IAM's inline limit: the deletes must go first,
  // leaving the role briefly with less than either state. That moment is a person's call.
  const beforeDeletes =
    policySize(leash.document) + input.state.inline.filter((p) => p.name !== policyName).reduce((n, p) => n + policySize(p.document), 0);
  if (inlineTotal <= INLINE_BUDGET && beforeDeletes > INLINE_BUDGET) {
    approvals.push(
      `the role's inline policies leave no room to add ${policyName} first: the old ones are deleted just before it is put (a brief window with less access)`,
    );
  }

  const draft = {
    roleArn: input.roleArn,
    baseStateHash: input.baseStateHash,
    policyName,
    document,
    deleteInline: deleteInline.sort(compareText),
    detach: detach.sort(compareText),
    additions,
    removals,
    compaction: [...input.synthesized.compaction].sort((a, b) => compareText(a.action, b.action) || compareText(a.to, b.to)),
    findings: [...findings].sort(compareFindings),
    needsApproval: [] as string[],
    kept: kept.sort((a, b) => compareText(a.policy, b.policy)),
    ...reviewOf(goneOrReplaced, input.requirements, policyName),
  };
  const risks = planRisks(draft, { owner: input.owner, accountId: input.accountId });
  draft.needsApproval = [...new Set([...approvals, ...risks])].sort(compareText);
  return { ...draft, planHash: planHash(draft) };
}
