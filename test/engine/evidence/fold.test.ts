import { describe, expect, it } from 'vitest';
import type { Finding, Requirement } from '../../../lib/engine/types.js';
import { foldEvidence, type Denial, type Use } from '../../../lib/engine/evidence/index.js';

const ACCT = '111122223333';
const ROLE = `arn:aws:iam::${ACCT}:role/app-exec`;
const SECRET_PATTERN = `arn:aws:secretsmanager:eu-west-1:${ACCT}:secret:prod/db-??????`;
const GROUP_PATTERN = `arn:aws:logs:eu-west-1:${ACCT}:log-group:/ecs/app:*`;
const NOW = '2025-03-10T00:00:00Z';
const td = (field: string) => ({ taskDefinition: 'app:12', container: 'app', field });

const reqs: Requirement[] = [
  { action: 'secretsmanager:GetSecretValue', resource: SECRET_PATTERN, reasons: [td('containerDefinitions[0].secrets[0].valueFrom')] },
  { action: 'logs:CreateLogStream', resource: GROUP_PATTERN, reasons: [td('containerDefinitions[0].logConfiguration')] },
  {
    action: 'ecr:BatchGetImage',
    resource: `arn:aws:ecr:eu-west-1:${ACCT}:repository/team/app`,
    reasons: [td('containerDefinitions[0].image')],
  },
];

const findings: Finding[] = [
  {
    kind: 'missing',
    severity: 'urgent',
    action: 'secretsmanager:GetSecretValue',
    resource: SECRET_PATTERN,
    reasons: ['needed by app:12'],
    requiredBy: reqs[0]!.reasons,
  },
  {
    kind: 'excess',
    severity: 'review',
    action: 'ssm:GetParameters',
    resource: '*',
    reasons: ['granted by inline policy extra'],
    grantedBy: [{ policy: 'extra', statement: 0 }],
  },
  {
    kind: 'excess',
    severity: 'review',
    action: 's3:GetObject',
    resource: 'arn:aws:s3:::config/*',
    reasons: ['granted by inline policy extra'],
    grantedBy: [{ policy: 'extra', statement: 1 }],
  },
  {
    kind: 'too-broad',
    severity: 'review',
    action: 'ecr:BatchGetImage',
    resource: '*',
    reasons: ['AmazonECSTaskExecutionRolePolicy grants it on *'],
  },
];

const base = { roleArn: ROLE, source: 'cloudtrail' as const, region: 'eu-west-1' };
const denials: Denial[] = [
  {
    ...base,
    action: 'secretsmanager:GetSecretValue',
    resource: `arn:aws:secretsmanager:eu-west-1:${ACCT}:secret:prod/db-AbC123`,
    kind: 'no-identity-policy',
    errorCode: 'AccessDeniedException',
    at: '2025-03-09T10:00:00Z',
    eventId: 'ev-1',
  },
  // The same record again (EventBridge at-least-once delivery, then backfill).
  {
    ...base,
    action: 'secretsmanager:GetSecretValue',
    resource: `arn:aws:secretsmanager:eu-west-1:${ACCT}:secret:prod/db-AbC123`,
    kind: 'no-identity-policy',
    errorCode: 'AccessDeniedException',
    at: '2025-03-09T10:00:00Z',
    eventId: 'ev-1',
  },
  {
    ...base,
    action: 'logs:CreateLogStream',
    resource: `arn:aws:logs:eu-west-1:${ACCT}:log-group:/ecs/app:log-stream:ecs/app/abc`,
    kind: 'scp',
    errorCode: 'AccessDenied',
    at: '2025-03-08T09:00:00Z',
    eventId: 'ev-2',
  },
  {
    ...base,
    action: 'dynamodb:GetItem',
    resource: `arn:aws:dynamodb:eu-west-1:${ACCT}:table/orders`,
    kind: 'no-identity-policy',
    errorCode: 'AccessDeniedException',
    at: '2025-03-07T08:00:00Z',
    eventId: 'ev-3',
  },
];
const uses: Use[] = [
  {
    roleArn: ROLE,
    action: 'ssm:GetParameters',
    resource: `arn:aws:ssm:eu-west-1:${ACCT}:parameter/app/flag`,
    at: '2025-03-05T00:00:00Z',
    source: 'cloudtrail',
  },
  { roleArn: ROLE, action: 's3:GetObject', resource: 'arn:aws:s3:::config/app.env', at: '2024-08-20T00:00:00Z', source: 'cloudtrail' },
];
const opts = { now: NOW, recentDays: 30 };

describe('foldEvidence', () => {
  const out = foldEvidence(findings, reqs, { denials, uses }, opts);
  const find = (kind: string, action: string) => out.find((f) => f.kind === kind && f.action === action);

  it('produces the final set in a fixed order: urgent first', () => {
    expect(out.map((f) => `${f.kind} ${f.action}`)).toEqual([
      'denied logs:CreateLogStream',
      'denied secretsmanager:GetSecretValue',
      'missing secretsmanager:GetSecretValue',
      'unexplained-denial dynamodb:GetItem',
      'excess-in-use ssm:GetParameters',
      'excess s3:GetObject',
      'too-broad ecr:BatchGetImage',
    ]);
  });

  it('a denial matching intent is `denied` (urgent), keyed on the requirement, with deduplicated evidence', () => {
    const f = find('denied', 'secretsmanager:GetSecretValue')!;
    expect(f.severity).toBe('urgent');
    expect(f.resource).toBe(SECRET_PATTERN);
    expect(f.requiredBy).toEqual(reqs[0]!.reasons);
    expect(f.evidence).toEqual([
      {
        kind: 'denial',
        at: '2025-03-09T10:00:00Z',
        source: 'cloudtrail:ev-1',
        detail: `secretsmanager:GetSecretValue on arn:aws:secretsmanager:eu-west-1:${ACCT}:secret:prod/db-AbC123: no-identity-policy, AccessDeniedException, in eu-west-1`,
      },
    ]);
    expect(f.reasons[0]).toBe('denied 1 time(s) at 2025-03-09T10:00:00Z; the task definitions need this access');
    expect(f.reasons).toContain('the role does not grant it (see the missing finding)');
    // The missing finding is kept.
    expect(find('missing', 'secretsmanager:GetSecretValue')).toEqual(findings[0]);
  });

  it('a denial the grant should allow points at other policy types (here an SCP)', () => {
    const f = find('denied', 'logs:CreateLogStream')!;
    expect(f.resource).toBe(GROUP_PATTERN);
    expect(f.reasons.join('\n')).toMatch(/service control policy/);
    expect(f.reasons.join('\n')).toMatch(/may already grant it/);
  });

  it('a denial no requirement explains is `unexplained-denial` (urgent, like any denial), with what is known', () => {
    const f = find('unexplained-denial', 'dynamodb:GetItem')!;
    expect(f.severity).toBe('urgent');
    expect(f.resource).toBe(`arn:aws:dynamodb:eu-west-1:${ACCT}:table/orders`);
    expect(f.reasons.join('\n')).toMatch(/task role/);
    expect(f.reasons.join('\n')).toMatch(/stale task definition revision/);
    expect(f.evidence).toHaveLength(1);
  });

  it('an excess used recently becomes `excess-in-use` (review only); an unused one stays `excess` with the caveat', () => {
    const inUse = find('excess-in-use', 'ssm:GetParameters')!;
    expect(inUse.severity).toBe('review');
    expect(inUse.grantedBy).toEqual(findings[1]!.grantedBy);
    expect(inUse.evidence).toEqual([
      {
        kind: 'use',
        at: '2025-03-05T00:00:00Z',
        source: 'cloudtrail',
        detail: `ssm:GetParameters on arn:aws:ssm:eu-west-1:${ACCT}:parameter/app/flag`,
      },
    ]);
    expect(inUse.reasons.join('\n')).toMatch(/never removed automatically/);
    const unused = find('excess', 's3:GetObject')!;
    expect(unused.reasons.join('\n')).toMatch(/last seen 2024-08-20T00:00:00Z, more than 30 days ago/);
    expect(unused.reasons.join('\n')).toMatch(/absence of use is not proof.*PutLogEvents/);
  });

  it('passes other findings through unchanged', () => {
    expect(find('too-broad', 'ecr:BatchGetImage')).toEqual(findings[3]);
  });

  it('is deterministic and does not mutate its inputs', () => {
    const snapshot = structuredClone({ findings, reqs, denials, uses });
    const again = foldEvidence(
      [...findings].reverse(),
      [...reqs].reverse(),
      { denials: [...denials].reverse(), uses: [...uses].reverse() },
      opts,
    );
    expect(again).toEqual(out);
    expect({ findings, reqs, denials, uses }).toEqual(snapshot);
  });
});

describe('foldEvidence edge cases', () => {
  it('a denial with intent behind it but no missing finding is still `denied`', () => {
    const d: Denial = {
      ...base,
      action: 'ecr:BatchGetImage',
      resource: `arn:aws:ecr:eu-west-1:${ACCT}:repository/team/app`,
      kind: 'resource-policy',
      errorCode: 'AccessDeniedException',
      at: '2025-03-09T00:00:00Z',
    };
    const out = foldEvidence([], reqs, { denials: [d], uses: [] }, opts);
    expect(out).toHaveLength(1);
    expect(out[0]!.kind).toBe('denied');
    expect(out[0]!.reasons.join('\n')).toMatch(/resource-based policy/);
  });

  it('a truncated denial without resource matches intent by action and says the resource is unknown', () => {
    const d: Denial = {
      roleArn: ROLE,
      source: 'stop-reason',
      taskArn: 'arn:aws:ecs:eu-west-1:111122223333:task/c/1',
      action: 'logs:CreateLogStream',
      kind: 'unknown',
      errorCode: 'AccessDeniedException',
      at: '2025-03-09T00:00:00Z',
      truncated: true,
      rolePathUnknown: true,
    };
    const [f] = foldEvidence([], reqs, { denials: [d], uses: [] }, opts);
    expect(f!.kind).toBe('denied');
    expect(f!.evidence![0]).toMatchObject({ kind: 'stop-reason', source: 'ecs-task:arn:aws:ecs:eu-west-1:111122223333:task/c/1' });
    expect(f!.reasons.join('\n')).toMatch(/resource is unknown/);
    expect(f!.reasons.join('\n')).toMatch(/role path is unknown/);
  });

  it('a secret denied by bare name matches the -?????? requirement', () => {
    const d: Denial = {
      ...base,
      action: 'secretsmanager:GetSecretValue',
      resource: `arn:aws:secretsmanager:eu-west-1:${ACCT}:secret:prod/db`,
      kind: 'unknown',
      errorCode: 'AccessDenied',
      at: '2025-03-09T00:00:00Z',
    };
    expect(foldEvidence([], reqs, { denials: [d], uses: [] }, opts)[0]!.kind).toBe('denied');
  });

  it('a service-level last-accessed use counts as in use, and says it is service-level', () => {
    const u: Use = { roleArn: ROLE, action: 'ssm:*', at: '2025-03-09T00:00:00Z', source: 'last-accessed' };
    const [f] = foldEvidence([findings[1]!], [], { denials: [], uses: [u] }, opts);
    expect(f!.kind).toBe('excess-in-use');
    expect(f!.evidence).toEqual([{ kind: 'last-accessed', at: '2025-03-09T00:00:00Z', source: 'last-accessed', detail: 'ssm:*' }]);
    expect(f!.reasons.join('\n')).toMatch(/service-level/);
  });

  it('an excess with no use at all stays excess and says absence of use is not proof', () => {
    const [f] = foldEvidence([findings[2]!], [], { denials: [], uses: [] }, opts);
    expect(f!.kind).toBe('excess');
    expect(f!.reasons).toContain('no use seen in the last 30 days');
    expect(f!.evidence).toBeUndefined();
  });

  it('with opts.roleArn, evidence of other roles is dropped', () => {
    const other: Denial = { ...denials[3]!, roleArn: `arn:aws:iam::${ACCT}:role/other` };
    expect(foldEvidence([], reqs, { denials: [other], uses: [] }, { ...opts, roleArn: ROLE })).toEqual([]);
    expect(foldEvidence([], reqs, { denials: [other], uses: [] }, opts)).toHaveLength(1);
  });

  it('rejects a bad `now`', () => {
    expect(() => foldEvidence([], [], { denials: [], uses: [] }, { now: 'soon', recentDays: 30 })).toThrow(/opts\.now/);
  });
});
