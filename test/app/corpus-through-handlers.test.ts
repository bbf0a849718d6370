// The real CloudTrail records of the shared corpus, delivered as EventBridge would deliver them, through the real
// denial handler: only a failed call by an indexed assumed role is stored; everything else is ignored, with a reason.
import { describe, expect, it } from 'vitest';
import { run as runDenial } from '../../functions/denial.js';
import { parseCloudTrailFile } from '../../lib/engine/evidence/parse-file.js';
import type { EvidenceDeps } from '../../lib/app/on-evidence.js';
import { listCorpus, readCorpusText } from '../support/corpus.js';
import { anyRole, basicGrant, memoryPipeline as memoryDeps } from '../support/world/memory.js';

const LEAVE_ORG_ROLE = 'arn:aws:iam::307578594326:role/stratus-red-team-leave-org-role';
const LEAVE_ORG_AT = '2024-08-02T09:30:00.000Z';

function envelope(record: Record<string, unknown>, i: number) {
  const source = `aws.${String(record.eventSource ?? 'unknown.amazonaws.com').split('.')[0]}`;
  return {
    version: '0',
    id: `corpus-${i}`,
    'detail-type': 'AWS API Call via CloudTrail',
    source,
    account: '307578594326',
    time: record.eventTime,
    region: record.awsRegion,
    resources: [],
    detail: record,
  };
}

function corpusRecords(): Record<string, unknown>[] {
  // EA08/EA09 are recorded API responses, not CloudTrail records: the parser refuses them (tested elsewhere).
  return listCorpus('events')
    .filter((f) => !/EA0[89]_/.test(f))
    .flatMap((f) => parseCloudTrailFile(readCorpusText('events', f), f) as Record<string, unknown>[]);
}

describe('corpus CloudTrail records through functions/denial.ts', () => {
  it('stores only the assumed-role denial, and only once its role is an indexed execution role', async () => {
    const records = corpusRecords();
    expect(records.length).toBeGreaterThan(30);
    // The denial is from the detonation's day: evaluate there, so it falls inside the evidence window.
    const deps = {
      ...memoryDeps(LEAVE_ORG_AT),
      roles: {
        ...anyRole,
        readGrant: async () => ({ ...basicGrant(LEAVE_ORG_ROLE), roleArn: LEAVE_ORG_ROLE }),
        rolesUsingPolicy: async () => [],
      },
    };
    // Not indexed yet: every record is ignored.
    for (const [i, r] of records.entries()) {
      const s = await runDenial(envelope(r, i), deps as unknown as EvidenceDeps);
      expect(s.skipped, `record ${i} (${String(r.eventName)})`).toBeTruthy();
    }
    expect(await deps.evidence.forRole(LEAVE_ORG_ROLE, '2000-01-01T00:00:00Z')).toMatchObject({ denials: [] });

    await deps.index.putTaskDefinition({
      taskDefinitionArn: 'arn:aws:ecs:us-east-1:307578594326:task-definition/x:1',
      family: 'x',
      revision: 1,
      status: 'ACTIVE',
      executionRoleArn: LEAVE_ORG_ROLE,
      requirements: [],
    });
    // Indexed, but its account (307578594326) is not one Leash serves: still nothing is stored.
    for (const [i, r] of records.entries())
      expect((await runDenial(envelope(r, i), deps as unknown as EvidenceDeps)).denial).toBeUndefined();
    expect(await deps.evidence.forRole(LEAVE_ORG_ROLE, '2000-01-01T00:00:00Z')).toMatchObject({ denials: [] });

    const served = { ...deps, servedAccounts: async () => new Set(['307578594326']) };
    const outcomes = [];
    for (const [i, r] of records.entries()) outcomes.push(await runDenial(envelope(r, i), served as unknown as EvidenceDeps));
    const recorded = outcomes.filter((o) => o.denial);
    expect(recorded.map((o) => [o.denial!.roleArn, o.denial!.action, o.denial!.errorCode])).toEqual([
      [LEAVE_ORG_ROLE, 'organizations:LeaveOrganization', 'AccessDenied'],
    ]);
    // No task definition explains it: an unexplained denial, urgent.
    const finding = recorded[0]!.role!.findings.find((f) => f.kind === 'unexplained-denial');
    expect(finding).toMatchObject({ severity: 'urgent', action: 'organizations:LeaveOrganization' });
    // Successful calls (GetSecretValue, GetParameters by IAM users) never count as denials.
    const ignored = outcomes.filter((o) => o.skipped).map((o) => o.skipped!);
    expect(ignored.some((why) => /no errorCode|not a denial|succeeded/i.test(why))).toBe(true);
  });
});
