// Trust-policy check for an execution role: only ECS (`ecs-tasks.amazonaws.com`) should be able to assume it.
// Pure; the IAM reader supplies the decoded trust policy. Alerts only: trust policies are never auto-patched (spec §8).
import type { Finding, PolicyDocument, PolicyStatement, Severity, StatementRef } from './types.js';

// The China partition historically also accepted the `.com.cn` form of the service principal.
const ECS_TASKS = new Set(['ecs-tasks.amazonaws.com', 'ecs-tasks.amazonaws.com.cn']);

interface Principal {
  type: string;
  value: string;
}

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

/** Flattens `"*"`, `{ AWS: [...] }`, `{ Service: "..." }` into (type, value) pairs. */
function principalsOf(principal: unknown): Principal[] {
  if (principal === '*') return [{ type: '*', value: '*' }];
  if (!principal || typeof principal !== 'object') return [];
  return Object.entries(principal as Record<string, unknown>).flatMap(([type, values]) =>
    asList(values).map((value) => ({ type, value: String(value) })),
  );
}

function describe(p: Principal): string {
  if (p.type === '*') return 'anyone (Principal "*")';
  if (p.value === '*') return `any ${p.type} principal ("*")`;
  return `${p.type} principal ${p.value}`;
}

function statementLabel(i: number, s: PolicyStatement): string {
  return s.Sid ? `statement ${i} (${s.Sid})` : `statement ${i}`;
}

function finding(roleArn: string, s: PolicyStatement, i: number, severity: Severity, reason: string): Finding {
  const actions = asList(s.Action ?? s.NotAction).map(String);
  const ref: StatementRef = { policy: 'trust-policy', statement: i, ...(s.Sid ? { sid: s.Sid } : {}) };
  const reasons = [reason];
  if (s.Condition) reasons.push(`conditions apply: ${JSON.stringify(s.Condition)}`);
  return {
    kind: 'trust-policy',
    severity,
    action: actions.length ? actions.join(',') : 'sts:AssumeRole',
    resource: roleArn,
    reasons,
    grantedBy: [ref],
  };
}

/** One finding per principal, other than ECS tasks, that an Allow statement lets assume the role. */
export function trustFindings(roleArn: string, trust: PolicyDocument): Finding[] {
  const out: Finding[] = [];
  let trustsEcs = false;
  asList(trust.Statement).forEach((raw, i) => {
    const s = raw as PolicyStatement;
    if (s.Effect !== 'Allow') return;
    if (s.NotPrincipal !== undefined) {
      // Allow + NotPrincipal admits everyone not listed.
      out.push(
        finding(
          roleArn,
          s,
          i,
          'urgent',
          `${statementLabel(i, s)} uses NotPrincipal with Allow: every principal not listed may assume the role`,
        ),
      );
      return;
    }
    for (const p of principalsOf(s.Principal)) {
      if (p.type === 'Service' && ECS_TASKS.has(p.value)) {
        trustsEcs = true;
        continue;
      }
      const severity: Severity = p.value === '*' ? 'urgent' : 'review';
      out.push(
        finding(
          roleArn,
          s,
          i,
          severity,
          `${statementLabel(i, s)} lets ${describe(p)} assume the role; an execution role should trust only ecs-tasks.amazonaws.com`,
        ),
      );
    }
  });
  if (!trustsEcs) {
    out.push({
      kind: 'trust-policy',
      severity: 'review',
      action: 'sts:AssumeRole',
      resource: roleArn,
      reasons: ['the trust policy does not allow ecs-tasks.amazonaws.com: ECS cannot use this role as a task execution role'],
    });
  }
  return out;
}

// Actions that let the principal become the role; sts:TagSession / sts:SetSourceIdentity alone do not.
const ASSUME_ACTIONS = ['sts:AssumeRole', 'sts:AssumeRoleWithWebIdentity', 'sts:AssumeRoleWithSAML'];

function globMatch(pattern: string, value: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 'i').test(value);
}

function allowsAssume(s: PolicyStatement): boolean {
  if (s.NotAction !== undefined) return true; // "everything but …" may include AssumeRole
  const actions = asList(s.Action).map(String);
  if (actions.length === 0) return true; // malformed: cannot tell, so assume the worst
  return actions.some((a) => ASSUME_ACTIONS.some((x) => globMatch(a, x)));
}

/**
 * Who other than ECS tasks may assume the role, one line each; empty when only `ecs-tasks.amazonaws.com` can.
 * Conservative on purpose (the answer decides whether Leash may remove anything): conditions are not evaluated
 * (a condition on another principal still lets it in when met), Deny statements are not credited, NotPrincipal
 * and NotAction count as letting others in, and an unread trust policy counts as "unknown".
 */
export function othersWhoCanAssume(trust: PolicyDocument | undefined): string[] {
  if (!trust) return ['the trust policy was not read: who may assume the role is unknown'];
  const out: string[] = [];
  asList(trust.Statement).forEach((raw, i) => {
    const s = raw as PolicyStatement;
    if (s?.Effect !== 'Allow' || !allowsAssume(s)) return;
    const where = statementLabel(i, s);
    const conditional = s.Condition ? ' (under conditions Leash does not evaluate)' : '';
    if (s.NotPrincipal !== undefined) {
      out.push(`${where} allows every principal not listed in NotPrincipal${conditional}`);
      return;
    }
    const principals = principalsOf(s.Principal);
    if (principals.length === 0) out.push(`${where} allows without a readable Principal`);
    for (const p of principals) {
      if (p.type === 'Service' && ECS_TASKS.has(p.value)) continue;
      out.push(`${where} lets ${describe(p)} assume the role${conditional}`);
    }
  });
  return out;
}
