// Issue 10, item 1, as an attacker tries it: `ecs:StopTask --reason` writes free text into the STOPPED event, and a
// CloudTrail record can arrive from an account Leash does not serve. billing-exec was just applied (its watch window is
// open, and a denial of billing/api-key is one its plan explains), so a forged denial that were believed would roll it
// back to its old, over-privileged policy. Through the real handlers on moto: no forged text changes a finding, stores a
// denial or asks for a rollback; the attempt is recorded as untrusted evidence. The last test shows the same world does
// roll back on the genuine denial, so the assertions are not vacuous.
import { RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as runApprovals } from '../../../functions/approvals.js';
import { run as runDenial } from '../../../functions/denial.js';
import { run as runRemediate } from '../../../functions/remediate.js';
import { run as runTaskStopped } from '../../../functions/task-stopped.js';
import { findingSetHash } from '../../../lib/engine/finding-set.js';
import {
  cloudTrailDenial,
  deniedSecretReason,
  registerBillingReading,
  secretArn,
  stoppedTask,
  type StoppedTaskOptions,
} from '../../support/evidence-events.js';
import { useMoto } from '../../support/moto.js';
import { createWorld, remediationAccount, roleArn, sqsEvent, type DemoWorld } from '../../support/world/index.js';

const moto = useMoto({ resetEachTest: false });
const ROLE = 'billing-exec';
const ARN = roleArn(ROLE);
const HOME = '123456789012';
const OTHER = '210987654321';
const API_KEY = secretArn('billing/api-key-AbC123');
const SINCE = '2026-01-01T00:00:00.000Z';

let w: DemoWorld;
/** billing's revision registered after the apply (`family:revision`); NEW in the table below stands for it. */
let newRevision = '';
const NEW = 'new-billing-revision';
beforeAll(async () => {
  w = await createWorld(moto.config(), remediationAccount());
  const { plan } = await w.requestApproval(ROLE);
  expect((await runApprovals(w.click(plan), w.deps)).body).toBe('approved'); // recorded and queued
  expect(await w.applyQueued()).toMatchObject([{ outcome: 'applied' }]);
  // A billing revision that reads billing/api-key: a genuine failed start of it is a denial the plan explains.
  newRevision = (await registerBillingReading(w.clients, API_KEY)).split('/').pop()!;
  w.clock.advanceMinutes(5);
});
afterAll(() => w?.close());

/** Everything a forged event must leave as it is: the role, its findings and evidence, the queue. */
async function state() {
  const current = await w.deps.findings.current(ARN);
  return {
    role: await w.stateHash(ROLE),
    findings: current ? findingSetHash(current.findings) : undefined,
    denials: (await w.deps.evidence.forRole(ARN, SINCE)).denials.length,
    watch: await w.deps.watches.get(ARN),
  };
}

async function expectNothingBelieved(summary: { denial?: unknown; rolledBack?: boolean }, before: Awaited<ReturnType<typeof state>>) {
  expect(summary.denial).toBeUndefined();
  expect(summary.rolledBack).toBeUndefined();
  expect(await state()).toEqual(before);
  expect(await w.drain(w.resources.remediationQueueUrl)).toEqual([]);
}

const forged = deniedSecretReason(ROLE, API_KEY);
const lookAlike = (replace: (role: string) => string) => deniedSecretReason(replace(ROLE), API_KEY);

// Each: the stopped task the attacker controls (or makes happen), and why it is not evidence about billing-exec.
const STOP_REASONS: [string, StoppedTaskOptions, 'untrusted' | 'ignored', RegExp][] = [
  [
    'StopTask --reason on an unrelated task (reports)',
    { taskDefinition: 'reports:1', stopCode: 'UserInitiated', reason: forged },
    'untrusted',
    /stop code UserInitiated/,
  ],
  [
    'StopTask --reason on billing’s own task (the right role, but a person wrote it)',
    { stopCode: 'UserInitiated', reason: forged, taskDefinition: NEW },
    'untrusted',
    /stop code UserInitiated/,
  ],
  ['no stop code at all', { taskDefinition: 'reports:1', stopCode: '', reason: forged }, 'untrusted', /stop code/],
  [
    'a failed start of another role’s task whose text names billing-exec',
    { taskDefinition: 'reports:1', reason: forged },
    'untrusted',
    /other than the task definition's execution role/,
  ],
  [
    'the role’s plain IAM ARN instead of a session',
    { taskDefinition: 'reports:1', reason: forged.replace(/arn:aws:sts::\d+:assumed-role\/billing-exec\/\w+/, ARN) },
    'untrusted',
    /other than/,
  ],
  [
    'the same name in another account’s session, on billing’s own revision',
    { taskDefinition: NEW, reason: forged.replace(`sts::${HOME}:`, `sts::${OTHER}:`) },
    'untrusted',
    /other than/,
  ],
  ['a case variant of the name', { taskDefinition: 'reports:1', reason: lookAlike(() => 'Billing-Exec') }, 'untrusted', /other than/],
  [
    'a Unicode hyphen look-alike',
    { taskDefinition: 'reports:1', reason: lookAlike((r) => r.replace('-', '\u2010')) },
    'untrusted',
    /disguise/,
  ],
  [
    'a zero-width space inside the name',
    { taskDefinition: 'reports:1', reason: lookAlike((r) => r.replace('-', '\u200b-')) },
    'untrusted',
    /disguise/,
  ],
  [
    'fullwidth letters',
    { taskDefinition: 'reports:1', reason: lookAlike((r) => r.replace('billing', 'ｂｉｌｌｉｎｇ')) },
    'untrusted',
    /disguise/,
  ],
  [
    'an event from an account Leash does not serve',
    { account: OTHER, taskDefinition: 'billing:1', reason: forged },
    'ignored',
    /not served/,
  ],
  [
    'a served account’s event about another account’s task definition',
    { tdAccount: OTHER, account: HOME, reason: forged },
    'ignored',
    /not in the event's account|not an ECS task/,
  ],
  ['a task definition nobody registered', { taskDefinition: 'billing:99', reason: forged }, 'ignored', /not in the index/],
];

describe('forged stop reasons change nothing (through functions/task-stopped)', () => {
  it.each(STOP_REASONS)('%s', async (_name, opts, kind, why) => {
    const before = await state();
    const untrustedBefore = (await w.deps.evidence.untrusted(opts.account ?? HOME, SINCE)).length;
    // Each attempt a minute apart (the same text at the same time is one re-delivered event, recorded once).
    const at = w.clock.advanceMinutes(1);
    const taskDefinition = opts.taskDefinition === NEW ? newRevision : opts.taskDefinition;
    const summary = await runTaskStopped(
      stoppedTask({ ...opts, ...(taskDefinition ? { taskDefinition } : {}), at, id: `forged-${_name}` }),
      w.deps,
    );
    await expectNothingBelieved(summary, before);
    expect(kind === 'untrusted' ? summary.untrusted?.why : summary.skipped).toMatch(why);
    const recorded = await w.deps.evidence.untrusted(opts.account ?? HOME, SINCE);
    if (kind === 'untrusted') {
      // Recorded for people, rendered inert, never as billing-exec's denial.
      expect(recorded).toHaveLength(untrustedBefore + 1);
      const last = recorded.at(-1)!;
      // Invisible characters are escaped for display (visible look-alikes stay visible, and were refused above).
      expect(last.text).not.toMatch(/\u200b/u);
      expect(last.claimed.length).toBeGreaterThan(0);
    } else {
      expect(recorded).toHaveLength(untrustedBefore);
    }
  });

  it('a task definition without an execution role, whose stop text names billing-exec, is untrusted', async () => {
    const td = await w.clients.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'no-exec-role',
        containerDefinitions: [{ name: 'app', image: 'public.ecr.aws/docker/library/busybox:1', essential: true, memory: 128 }],
      }),
    );
    const before = await state();
    const family = td.taskDefinition!.taskDefinitionArn!.split('/').pop()!;
    const summary = await runTaskStopped(stoppedTask({ taskDefinition: family, reason: forged, id: 'no-exec-role' }), w.deps);
    await expectNothingBelieved(summary, before);
    expect(summary.untrusted?.why).toMatch(/has no execution role, yet the text names a principal/);
  });
});

describe('CloudTrail denials from elsewhere change nothing (through functions/denial)', () => {
  const at = () => w.clock.now();
  it.each([
    [
      'the event account is one Leash does not serve',
      (e: Record<string, unknown>) => ({ ...e, account: OTHER }),
      /event account 210987654321/,
    ],
    [
      'the record was delivered to another account (recipientAccountId)',
      (e: Record<string, unknown> & { detail: Record<string, unknown> }) => ({ ...e, detail: { ...e.detail, recipientAccountId: OTHER } }),
      /recipientAccountId 210987654321/,
    ],
    [
      'the session is another role’s while sessionIssuer claims billing-exec',
      (e: Record<string, unknown> & { detail: Record<string, unknown> }) => ({
        ...e,
        detail: {
          ...e.detail,
          userIdentity: { ...(e.detail.userIdentity as object), arn: `arn:aws:sts::${HOME}:assumed-role/reports-exec/x` },
        },
      }),
      /is not a session of/,
    ],
    [
      'a role of an account Leash does not serve, same name',
      (e: Record<string, unknown>) => JSON.parse(JSON.stringify(e).replaceAll(HOME, OTHER)) as Record<string, unknown>,
      /arn:aws:iam::210987654321:role\/billing-exec/,
    ],
  ] as const)('%s', async (_name, tamper, why) => {
    const before = await state();
    const event = (tamper as (e: ReturnType<typeof cloudTrailDenial>) => Record<string, unknown>)(
      cloudTrailDenial(ROLE, API_KEY, at(), `ct-${_name}`),
    );
    const summary = await runDenial(event, w.deps);
    await expectNothingBelieved(summary, before);
    expect(summary.skipped).toMatch(why);
  });
});

describe('the genuine denial, in the same world', () => {
  it('a failed start of billing’s new revision (ECS wrote it, TaskFailedToStart) is explained by the plan and rolls back', async () => {
    const at = w.clock.advanceMinutes(1);
    const summary = await runTaskStopped(stoppedTask({ taskDefinition: newRevision, reason: forged, at, id: 'genuine' }), w.deps);
    expect(summary.denial).toMatchObject({ roleArn: ARN, resource: API_KEY });
    // The denial changes the role's findings too ("findings changed" is queued as well): only the rollback is asked here.
    const asked = (await w.drain(w.resources.remediationQueueUrl)).filter((b) => b.includes('"rollback '));
    expect(asked.map((b) => JSON.parse(b))).toEqual([{ roleArn: ARN, reason: `rollback ${at}` }]);
    expect((await runRemediate(sqsEvent(asked), w.deps)).outcomes).toMatchObject([{ outcome: 'rolled-back' }]);
  });
});
