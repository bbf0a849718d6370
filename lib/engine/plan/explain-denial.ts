// Rollback needs a reason: a denial inside a watch window rolls a role back only when the applied plan explains
// it, i.e. the denied request was allowed before the apply and is not after (the plan removed or narrowed it).
// A denial the plan did not touch (a resource policy, an SCP, access the role never had) is reported, not undone:
// otherwise any denial, even a provoked one, would restore an over-privileged policy.
import type { Denial, DenialKind } from '../evidence/types.js';
import { coversRequirement, evaluate } from '../policy/evaluate.js';
import type { AccessRequest, Decision, NamedPolicy, Plan } from '../types.js';
import { actionMatches, requestKey, wildcardMatch } from './match.js';

/** What an apply changed, as the apply use case recorded it. */
export interface AppliedChange {
  roleArn: string;
  /** `plan.removals`: the access the plan took away. */
  removals: AccessRequest[];
  /** The role's identity policies just before the apply. */
  before: NamedPolicy[];
  /** The role's identity policies as the apply left them (the Leash policy plus every kept policy). */
  after: NamedPolicy[];
  /** The role's permissions boundary (unchanged by Leash), if any. */
  boundary?: NamedPolicy;
  /** The watch window; a denial outside it is not the apply's doing. */
  window?: { from: string; until: string };
}

/**
 * The identity policies a fully applied `plan` leaves, from those just before it (inline and managed, documents
 * included): the Leash policy put (replacing its old version), the deleted inline policies and detached managed ones gone.
 */
export function policiesAfter(
  plan: Pick<Plan, 'policyName' | 'document' | 'deleteInline' | 'detach'>,
  before: NamedPolicy[],
): NamedPolicy[] {
  const kept = before.filter((p) =>
    p.kind === 'inline' ? p.name !== plan.policyName && !plan.deleteInline.includes(p.name) : !plan.detach.includes(p.arn ?? ''),
  );
  return [{ name: plan.policyName, kind: 'inline', document: plan.document }, ...kept];
}

export type DenialExplanation =
  | {
      explains: true;
      reason: string;
      /** The listed removal that covers the denied request, when one does. */
      removal?: AccessRequest;
      before: Decision;
      after: Decision;
      /** The denial did not name its resource: explained by a removal of the same action. */
      resourceUnknown?: true;
    }
  | { explains: false; reason: string };

// Kinds that say a policy other than the role's identity policies refused: Leash's change cannot be the cause.
const NOT_IDENTITY: ReadonlySet<DenialKind> = new Set([
  'resource-policy',
  'kms-key-policy',
  'scp',
  'permissions-boundary',
  'session-policy',
  'vpc-endpoint',
]);

const RANK: Record<Decision, number> = { 'explicit-deny': 0, 'implicit-deny': 1, conditional: 2, allowed: 3 };

/** Was it (possibly) allowed before and is it less allowed after? */
const lost = (before: Decision, after: Decision): boolean => RANK[before] >= RANK.conditional && RANK[after] < RANK[before];

// A secret ARN rebuilt from a bare secretId has no 6-character suffix, while IAM sees the full ARN; a name may also
// end like a suffix (`my-secret`). Both readings are tried, and the change explains the denial only under both.
const SECRET = /:secretsmanager:[^:]*:[^:]*:secret:[^*?]*$/;

function decisions(change: AppliedChange, req: AccessRequest): { before: Decision; after: Decision; lostUnderEveryReading: boolean } {
  const opts = change.boundary ? { boundary: change.boundary } : {};
  const once = (r: AccessRequest) => ({
    before: evaluate(change.before, r, opts).decision,
    after: evaluate(change.after, r, opts).decision,
  });
  const d = once(req);
  const readings = SECRET.test(req.resource) ? [d, once({ ...req, resource: `${req.resource}-XXXXXX` })] : [d];
  return { ...d, lostUnderEveryReading: readings.every((x) => lost(x.before, x.after)) };
}

/**
 * Does the applied change explain `denial`? Yes only when the denial is of the changed role, inside the window,
 * refused by the role's identity policies (or the message does not say), and the evaluator shows the request was
 * allowed (or conditionally allowed) by the policies before the apply and is less allowed by those after it. A
 * denial without a resource is explained when the change took the same action away on some resource.
 */
export function explainsDenial(
  change: AppliedChange,
  denial: Pick<Denial, 'roleArn' | 'action' | 'resource' | 'kind' | 'at'>,
): DenialExplanation {
  if (denial.roleArn !== change.roleArn) return { explains: false, reason: `the denial is of ${denial.roleArn}, not ${change.roleArn}` };
  if (change.window) {
    const t = Date.parse(denial.at);
    if (!(t >= Date.parse(change.window.from) && t <= Date.parse(change.window.until))) {
      return { explains: false, reason: `the denial at ${denial.at} is outside the watch window` };
    }
  }
  if (NOT_IDENTITY.has(denial.kind)) {
    return { explains: false, reason: `denied by a ${denial.kind} policy: the plan changed only the role's identity policies` };
  }
  if (!denial.action) return { explains: false, reason: 'the denial does not say which action was denied' };
  const action = denial.action;

  if (denial.resource !== undefined) {
    const req = { action, resource: denial.resource };
    const { lostUnderEveryReading, ...d } = decisions(change, req);
    if (!lostUnderEveryReading) {
      const reason = lost(d.before, d.after)
        ? `${requestKey(req)} is still allowed after the apply when read as the full secret ARN (6-character suffix)`
        : `${requestKey(req)} was ${d.before} before the apply and is ${d.after} after it: the plan did not take it away`;
      return { explains: false, reason };
    }
    const removal = change.removals.find((r) => actionMatches(r.action, action) && wildcardMatch(r.resource, denial.resource!));
    return {
      explains: true,
      reason: `${requestKey(req)} was ${d.before} before the apply and is ${d.after} after it${removal ? ` (removed: ${requestKey(removal)})` : ''}`,
      ...(removal ? { removal } : {}),
      ...d,
    };
  }

  const opts = change.boundary ? { boundary: change.boundary } : {};
  for (const r of change.removals) {
    if (!actionMatches(r.action, action) && !actionMatches(action, r.action)) continue;
    const before = coversRequirement(change.before, r, opts).decision;
    const after = coversRequirement(change.after, r, opts).decision;
    if (lost(before, after)) {
      return {
        explains: true,
        reason: `the denial names no resource; the plan took ${action} away on ${r.resource}`,
        removal: r,
        before,
        after,
        resourceUnknown: true,
      };
    }
  }
  return { explains: false, reason: `the denial names no resource and the plan took no ${action} away` };
}
