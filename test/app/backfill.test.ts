import { describe, expect, it } from 'vitest';
import { backfillEvidence, type BackfillDeps } from '../../lib/app/backfill.js';
import { foldEvidence, recordedByCloudTrail } from '../../lib/engine/evidence/fold.js';
import type { Denial, Use } from '../../lib/engine/evidence/types.js';
import type { Finding } from '../../lib/engine/types.js';

const ROLE = 'arn:aws:iam::123456789012:role/billing-exec';
const OTHER = 'arn:aws:iam::123456789012:role/not-indexed';

function rec(role: string, name: string, source: string, at: string, extra: Record<string, unknown> = {}) {
  return {
    eventTime: at,
    eventSource: source,
    eventName: name,
    awsRegion: 'eu-west-1',
    recipientAccountId: role.split(':')[4],
    eventID: `${role}-${name}-${at}`,
    userIdentity: {
      type: 'AssumedRole',
      arn: `arn:aws:sts::123456789012:assumed-role/${role.split('/').pop()}/t1`,
      sessionContext: { sessionIssuer: { type: 'Role', arn: role } },
    },
    requestParameters: { secretId: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:billing/db-XyZ123' },
    ...extra,
  };
}

function world(pages: { records: unknown[]; cursor?: string }[], opts: { timeLeft?: () => number; saved?: string } = {}) {
  const stored = {
    denials: [] as Denial[],
    uses: [] as Use[],
    coverage: [] as string[][],
    cursor: opts.saved as string | undefined,
    lookups: [] as unknown[],
  };
  const deps: BackfillDeps = {
    index: { allRoles: async () => [ROLE] },
    cloudTrail: {
      async *pages(o) {
        stored.lookups.push(o);
        const startAt = o.resume ? Number(o.resume) : 0;
        for (let i = startAt; i < pages.length; i++) yield pages[i]!;
      },
    },
    evidence: {
      putDenial: async (d) => void stored.denials.push(d),
      putUse: async (u) => void stored.uses.push(u),
      putCoverage: async (a, s, u) => void stored.coverage.push([a, s, u]),
    },
    cursors: { get: async () => stored.cursor, put: async (_name, c) => void (stored.cursor = c) },
    servedAccounts: async () => new Set(['123456789012']),
    region: 'eu-west-1',
    account: '123456789012',
    windowDays: 90,
    now: () => '2026-11-22T07:00:00.000Z',
    timeLeft: opts.timeLeft ?? (() => 600_000),
  };
  return { deps, stored };
}

describe('backfillEvidence', () => {
  it('stores denials and uses of indexed roles only, then records the window it covered', async () => {
    const denied = rec(ROLE, 'GetSecretValue', 'secretsmanager.amazonaws.com', '2026-11-20T10:00:00Z', {
      errorCode: 'AccessDeniedException',
      errorMessage: `User: arn:aws:sts::123456789012:assumed-role/billing-exec/t1 is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:eu-west-1:123456789012:secret:billing/db-XyZ123 because no identity-based policy allows the secretsmanager:GetSecretValue action`,
    });
    const used = rec(ROLE, 'GetSecretValue', 'secretsmanager.amazonaws.com', '2026-11-21T10:00:00Z');
    const foreign = rec(OTHER, 'GetSecretValue', 'secretsmanager.amazonaws.com', '2026-11-21T11:00:00Z');
    const { deps, stored } = world([{ records: [denied, foreign], cursor: '1' }, { records: [used] }]);
    const summary = await backfillEvidence(deps);
    expect(summary).toMatchObject({ complete: true, pages: 2, denials: 1, uses: 1 });
    expect(stored.denials.map((d) => [d.roleArn, d.action])).toEqual([[ROLE, 'secretsmanager:GetSecretValue']]);
    expect(stored.uses.map((u) => [u.roleArn, u.action, u.at])).toEqual([[ROLE, 'secretsmanager:GetSecretValue', '2026-11-21T10:00:00Z']]);
    expect(stored.coverage).toEqual([['123456789012', '2026-08-24T07:00:00.000Z', '2026-11-22T07:00:00.000Z']]);
    expect(stored.cursor).toBeUndefined();
  });

  it('stops when time runs low, keeps its window, and resumes from the saved page', async () => {
    const pages = [{ records: [], cursor: '1' }, { records: [], cursor: '2' }, { records: [] }];
    let left = 600_000;
    const first = world(pages, { timeLeft: () => (left -= 300_000) });
    const partial = await backfillEvidence(first.deps);
    expect(partial.complete).toBe(false);
    expect(first.stored.coverage).toEqual([]);
    const saved = JSON.parse(first.stored.cursor!);
    expect(saved).toMatchObject({ start: '2026-08-24T07:00:00.000Z', end: '2026-11-22T07:00:00.000Z' });

    const second = world(pages, { saved: first.stored.cursor });
    const done = await backfillEvidence(second.deps);
    expect(done.complete).toBe(true);
    expect(second.stored.lookups[0]).toMatchObject({ resume: saved.resume, start: saved.start, end: saved.end });
    expect(done.pages).toBe(pages.length - Number(saved.resume));
  });
});

describe('confirmed non-use', () => {
  const excess = (action: string): Finding => ({
    kind: 'excess',
    severity: 'review',
    action,
    resource: '*',
    reasons: ['granted, not needed'],
  });

  it('only for actions CloudTrail records as management events', () => {
    expect(recordedByCloudTrail('ssm:GetParameters')).toBe(true);
    expect(recordedByCloudTrail('kms:Decrypt')).toBe(true);
    expect(recordedByCloudTrail('logs:PutLogEvents')).toBe(false);
    expect(recordedByCloudTrail('s3:GetObject')).toBe(false);
    expect(recordedByCloudTrail('s3:ListBucket')).toBe(false);
    expect(recordedByCloudTrail('ssm:Get*')).toBe(false);
  });

  it('says "confirmed unused" when a backfill covered the window, and only then', () => {
    const now = '2026-11-22T07:00:00.000Z';
    const covered = foldEvidence(
      [excess('ssm:GetParameters'), excess('logs:PutLogEvents')],
      [],
      { denials: [], uses: [] },
      { now, recentDays: 90, cloudTrailSince: '2026-08-20T00:00:00.000Z' },
    );
    expect(covered.find((f) => f.action === 'ssm:GetParameters')!.reasons.at(-1)).toMatch(/^confirmed unused/);
    expect(covered.find((f) => f.action === 'logs:PutLogEvents')!.reasons.at(-1)).toMatch(/absence of use is not proof/);
    const shortWindow = foldEvidence(
      [excess('ssm:GetParameters')],
      [],
      { denials: [], uses: [] },
      { now, recentDays: 90, cloudTrailSince: '2026-10-01T00:00:00.000Z' },
    );
    expect(shortWindow[0]!.reasons.at(-1)).toMatch(/absence of use is not proof/);
    const none = foldEvidence([excess('ssm:GetParameters')], [], { denials: [], uses: [] }, { now, recentDays: 90 });
    expect(none[0]!.reasons.at(-1)).toMatch(/absence of use is not proof/);
  });
});
