// Folds evidence (denials, uses) into the intent/grant findings: denied, unexplained-denial, excess-in-use.
import { InputError } from '../../errors.js';
import type { Finding, FindingKind, Requirement } from '../types.js';
import { cmp, compareRefs, denialRef, kindNote, useRef } from './evidence-refs.js';
import { actionMatches, resourceMatches } from './glob.js';
import type { Denial, Use } from './types.js';

export interface FoldOptions {
  /** ISO timestamp the run is evaluated at (the engine has no clock). */
  now: string;
  /** A use within this many days before `now` makes an excess `excess-in-use`. */
  recentDays: number;
  /** When given, evidence attributed to other roles is dropped. */
  roleArn?: string;
  /** Start of the window a completed CloudTrail backfill covered: unused management-event actions are then confirmed. */
  cloudTrailSince?: string;
}

/**
 * Whether CloudTrail records every call of `action` as a management event, so its absence over a backfilled window
 * means it was not used. Not so for logs:PutLogEvents (never logged), S3 calls (many are data events, off by
 * default) or wildcards that span both.
 */
export function recordedByCloudTrail(action: string): boolean {
  const a = action.toLowerCase();
  if (a.includes('*') || a.includes('?')) return false;
  if (a === 'logs:putlogevents') return false;
  // Many S3 calls (GetObject, ListBucket → ListObjects, …) are data events: never confirm S3 non-use.
  if (a.startsWith('s3:')) return false;
  return true;
}

const KIND_ORDER: FindingKind[] = [
  'denied',
  'missing',
  'unexplained-denial',
  'excess-in-use',
  'excess',
  'too-broad',
  'conditional',
  'trust-policy',
  'shared-role',
  'invalid-mode-tag',
  'invalid-scope-tag',
];

const DAY_MS = 86_400_000;

export const NO_USE_NOTE =
  'absence of use is not proof of non-use: logs:PutLogEvents never appears in CloudTrail, S3 GetObject only with data events, ' +
  'and IAM last-accessed data lags about 4 hours and is not action-level for ecr/logs/secretsmanager/ssm/kms';

const UNEXPLAINED_CAUSES =
  'no task definition requirement explains it: the application may be using the execution role (it should use the task role), ' +
  'a stale task definition revision may still run, a sidecar Leash does not know (GuardDuty, Service Connect) may need it, ' +
  'or a RunTask override may be in use';

function dedupe(denials: Denial[]): Denial[] {
  const seen = new Map<string, Denial>();
  for (const d of denials) {
    // EventBridge delivers at least once and the backfill may return the same record: key on eventID.
    const key = d.eventId ?? [d.source, d.taskArn, d.at, d.roleArn, d.action, d.resource].join('\u0000');
    if (!seen.has(key)) seen.set(key, d);
  }
  return [...seen.values()];
}

function requirementMatches(r: Requirement, d: Denial): boolean {
  if (!d.action || !actionMatches(r.action, d.action)) return false;
  // A truncated message may have lost its resource: the action alone then ties it to intent.
  return d.resource === undefined || resourceMatches(r.resource, d.resource);
}

function span(ds: { at: string }[]): string {
  const ats = ds.map((d) => d.at).sort();
  const first = ats[0]!;
  const last = ats[ats.length - 1]!;
  return first === last ? `at ${first}` : `between ${first} and ${last}`;
}

function denialNotes(ds: Denial[]): string[] {
  const notes = new Set<string>();
  for (const d of [...ds].sort((a, b) => cmp(a.kind, b.kind))) {
    const note = kindNote(d.kind);
    if (note) notes.add(note);
  }
  if (ds.some((d) => d.resource === undefined)) notes.add('the resource is unknown (message truncated or without resource)');
  if (ds.some((d) => d.truncated)) notes.add('at least one error message was truncated');
  if (ds.some((d) => d.rolePathUnknown)) notes.add('attributed from an ECS stop reason: the role path is unknown');
  return [...notes];
}

function key(action: string, resource: string): string {
  return `${action}\u0000${resource}`;
}

function deniedFindings(denials: Denial[], reqs: Requirement[], findings: Finding[]): Finding[] {
  const byReq = new Map<string, { req: Requirement; denials: Denial[]; reasons: Requirement['reasons'] }>();
  const unexplained = new Map<string, Denial[]>();
  for (const d of denials) {
    const matched = reqs.filter((r) => requirementMatches(r, d));
    if (matched.length === 0) {
      const k = key(d.action ?? 'unknown', d.resource ?? 'unknown');
      unexplained.set(k, [...(unexplained.get(k) ?? []), d]);
    }
    for (const r of matched) {
      const k = key(r.action, r.resource);
      const entry = byReq.get(k) ?? { req: r, denials: [], reasons: [] };
      if (!entry.denials.includes(d)) entry.denials.push(d);
      for (const reason of r.reasons) if (!entry.reasons.includes(reason)) entry.reasons.push(reason);
      byReq.set(k, entry);
    }
  }
  const missing = new Set(findings.filter((f) => f.kind === 'missing').map((f) => key(f.action, f.resource)));
  const out: Finding[] = [];
  for (const [k, { req, denials: ds, reasons }] of byReq) {
    out.push({
      kind: 'denied',
      severity: 'urgent',
      action: req.action,
      resource: req.resource,
      reasons: [
        `denied ${ds.length} time(s) ${span(ds)}; the task definitions need this access`,
        missing.has(k)
          ? 'the role does not grant it (see the missing finding)'
          : 'the identity policies may already grant it: look at boundaries, SCPs, resource or key policies, or a policy change since',
        ...denialNotes(ds),
      ],
      requiredBy: reasons,
      evidence: ds.map(denialRef).sort(compareRefs),
    });
  }
  for (const [k, ds] of unexplained) {
    const [action, resource] = k.split('\u0000') as [string, string];
    out.push({
      kind: 'unexplained-denial',
      severity: 'urgent', // DESIGN: a denial is urgent with or without intent behind it
      action,
      resource,
      reasons: [`denied ${ds.length} time(s) ${span(ds)}`, UNEXPLAINED_CAUSES, ...denialNotes(ds)],
      evidence: ds.map(denialRef).sort(compareRefs),
    });
  }
  return out;
}

function useMatches(f: Finding, u: Use): boolean {
  // A service-level use (`ecr:*` from last-accessed) counts for every action of that service: erring toward "in use".
  const actionOk = actionMatches(f.action, u.action) || actionMatches(u.action, f.action);
  return actionOk && (u.resource === undefined || resourceMatches(f.resource, u.resource));
}

function foldExcess(f: Finding, uses: Use[], nowMs: number, recentDays: number, cloudTrailSince?: string): Finding {
  const matched = uses.filter((u) => useMatches(f, u));
  const since = nowMs - recentDays * DAY_MS;
  const recent = matched.filter((u) => Date.parse(u.at) >= since);
  const evidence = [...(f.evidence ?? []), ...matched.map(useRef)].sort(compareRefs);
  const last = matched
    .map((u) => u.at)
    .sort()
    .at(-1);
  if (recent.length > 0) {
    const serviceLevel = recent.some((u) => u.action.endsWith(':*'));
    return {
      ...f,
      kind: 'excess-in-use',
      severity: 'review',
      reasons: [
        ...f.reasons,
        `used ${recent.length} time(s) in the last ${recentDays} days (last ${last}): review only, never removed automatically`,
        ...(serviceLevel
          ? ['some evidence is service-level (IAM last-accessed): a use of the service, not necessarily of this action']
          : []),
      ],
      evidence,
    };
  }
  const older = last ? [`last seen ${last}, more than ${recentDays} days ago`] : [`no use seen in the last ${recentDays} days`];
  const covered = cloudTrailSince !== undefined && Date.parse(cloudTrailSince) <= since && recordedByCloudTrail(f.action);
  const note = covered
    ? `confirmed unused: CloudTrail records every ${f.action} call, and the backfill since ${cloudTrailSince} found none by this role`
    : NO_USE_NOTE;
  return { ...f, reasons: [...f.reasons, ...older, note], ...(evidence.length > 0 ? { evidence } : {}) };
}

function compareFindings(a: Finding, b: Finding): number {
  return (
    KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) ||
    cmp(a.action, b.action) ||
    cmp(a.resource, b.resource) ||
    cmp(JSON.stringify(a), JSON.stringify(b))
  );
}

/**
 * Final findings for one role: the diff findings (missing/excess/too-broad/conditional) with evidence folded
 * in. Pass the evidence of that role only (or set `opts.roleArn`). Inputs are not mutated; order is fixed.
 */
export function foldEvidence(
  findings: Finding[],
  reqs: Requirement[],
  evidence: { denials: Denial[]; uses: Use[] },
  opts: FoldOptions,
): Finding[] {
  const nowMs = Date.parse(opts.now);
  if (Number.isNaN(nowMs)) throw new InputError(`not a timestamp: ${opts.now}`, 'foldEvidence', 'opts.now');
  const mine = <T extends { roleArn: string }>(xs: T[]): T[] =>
    opts.roleArn === undefined ? xs : xs.filter((x) => x.roleArn === opts.roleArn);
  const denials = dedupe(mine(evidence.denials));
  const uses = mine(evidence.uses);
  const out = findings.map((f) => (f.kind === 'excess' ? foldExcess(f, uses, nowMs, opts.recentDays, opts.cloudTrailSince) : { ...f }));
  out.push(...deniedFindings(denials, reqs, findings));
  return out.sort(compareFindings);
}
