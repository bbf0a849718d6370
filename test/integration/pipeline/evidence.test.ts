// functions/denial and functions/task-stopped against moto with the demo account: CloudTrail denials and ECS stop
// reasons become stored denial evidence and `denied` findings (spec §4, §11.12); network failures and ordinary
// container exits do not.
import { beforeAll, describe, expect, it } from 'vitest';
import { useMoto } from '../../support/moto.js';
import {
  createWorld,
  demoAccount,
  ecrRepo,
  event,
  keysOf,
  logGroup,
  parameter,
  roleArn,
  secret,
  type DemoWorld,
} from '../../support/world/index.js';

const moto = useMoto({ resetEachTest: false });

const WEB = roleArn('web-exec');
const BILLING = roleArn('billing-exec');
const REPORTS = roleArn('reports-exec');
const SINCE = '2026-01-01T00:00:00.000Z';

describe('denial and task-stopped events', () => {
  let w: DemoWorld;
  const denials = async (role: string) => (await w.deps.evidence.forRole(role, SINCE)).denials;
  beforeAll(async () => {
    w = await createWorld(moto.config(), demoAccount());
    await w.run.reconcile(event('scheduled-reconcile.json'));
    await w.notices();
  });

  // reports-exec's grant (reports-base) lacks its parameter, its secret and CreateLogGroup: the denials match intent.
  it.each([
    ['denial-secretsmanager.json', 'secretsmanager:GetSecretValue', secret('reports/smtp-QwErTy')],
    ['denial-ssm.json', 'ssm:GetParameters', parameter('/reports/api-token')],
    // Denied on `…:log-group:/ecs/reports:log-stream:`, which the `:*` requirement covers (spec §2.3 row 7b).
    ['denial-logs.json', 'logs:CreateLogGroup', `${logGroup('/ecs/reports')}:*`],
  ])('%s → a stored denial and an urgent `denied` finding for reports-exec, announced', async (file, action, resource) => {
    const count = (await denials(REPORTS)).length;
    const summary = await w.run.denial(event(file));
    expect(summary.denial).toMatchObject({ roleArn: REPORTS, action, source: 'cloudtrail' });
    expect(await denials(REPORTS)).toHaveLength(count + 1);
    const findings = await w.findings(REPORTS);
    const denied = findings!.find((f) => f.kind === 'denied' && f.action === action && f.resource === resource);
    expect(denied?.severity).toBe('urgent');
    // The grant lacks it too: both findings stand.
    expect(keysOf(findings, 'missing')).toContain(`missing ${action} ${resource}`);
    const notices = await w.notices();
    expect(notices.map((n) => n.role)).toEqual([REPORTS]);
    expect(notices[0]!.lines.some((l) => l.startsWith(`[urgent] denied: ${action} on ${resource}`))).toBe(true);
  });

  it('denial-ecr.json → `denied` on the cross-account repository the identity policy already grants (its repository policy refuses)', async () => {
    await w.run.denial(event('denial-ecr.json'));
    const findings = await w.findings(REPORTS);
    const repo = ecrRepo('shared/reports', '210987654321');
    expect(keysOf(findings).filter((k) => k.includes(repo))).toEqual([`denied ecr:BatchGetImage ${repo}`]);
    const denied = findings!.find((f) => f.kind === 'denied' && f.resource === repo)!;
    expect(denied.reasons.join(' ')).toMatch(/may already grant it/);
    expect((await w.notices()).map((n) => n.role)).toEqual([REPORTS]);
  });

  it('a re-delivered denial is stored once and announced once', async () => {
    const before = await w.snapshot([REPORTS]);
    const count = (await denials(REPORTS)).length;
    await w.run.denial(event('denial-secretsmanager.json'));
    expect(await denials(REPORTS)).toHaveLength(count);
    expect(await w.snapshot([REPORTS])).toEqual(before);
    expect(await w.notices()).toEqual([]);
  });

  it('denial-kms.json names a key no web-exec requirement names → an unexplained denial, not a denied requirement', async () => {
    const key = 'arn:aws:kms:eu-west-1:123456789012:key/0b7f1c2e-3d4a-4b5c-8d6e-7f8091a2b3c4';
    await w.run.denial(event('denial-kms.json'));
    const findings = await w.findings(WEB);
    expect(keysOf(findings).filter((k) => k.includes('kms:'))).toEqual([`unexplained-denial kms:Decrypt ${key}`]);
    expect((await w.notices()).map((n) => n.role)).toEqual([WEB]);
  });

  it('the same denial on the key behind web-exec’s secrets → `denied`, although the grant allows it', async () => {
    const e = event('denial-kms.json');
    const d = e.detail as { eventID: string; errorMessage: string };
    d.eventID = 'kms-denial-on-the-demo-key';
    d.errorMessage = d.errorMessage.replace(/arn:aws:kms:\S+/, w.account.keyArn);
    e.id = 'kms-denial-on-the-demo-key';
    await w.run.denial(e);
    const findings = await w.findings(WEB);
    expect(keysOf(findings).filter((k) => k.includes(w.account.keyArn))).toEqual([`denied kms:Decrypt ${w.account.keyArn}`]);
    expect(keysOf(findings, 'missing')).not.toContain(`missing kms:Decrypt ${w.account.keyArn}`);
    expect((await w.notices()).map((n) => n.role)).toEqual([WEB]);
  });

  it('task-stopped-access-denied.json → a stop-reason denial for billing-exec’s secret', async () => {
    const summary = await w.run.taskStopped(event('task-stopped-access-denied.json'));
    expect(summary.denial).toMatchObject({
      roleArn: BILLING,
      action: 'secretsmanager:GetSecretValue',
      resource: secret('billing/db-XyZ123'),
      source: 'stop-reason',
    });
    const [stored, ...more] = await denials(BILLING);
    expect(more).toEqual([]);
    expect(stored?.source).toBe('stop-reason');
    const denied = (await w.findings(BILLING))!.find((f) => f.kind === 'denied');
    expect([denied?.action, denied?.resource, denied?.severity]).toEqual([
      'secretsmanager:GetSecretValue',
      secret('billing/db-XyZ123'),
      'urgent',
    ]);
    expect((await w.notices()).map((n) => n.role)).toEqual([BILLING]);
  });

  it('task-stopped-cannot-pull.json → more evidence on the known ECR denial: recorded, not re-announced', async () => {
    const repo = ecrRepo('shared/reports', '210987654321');
    await w.run.taskStopped(event('task-stopped-cannot-pull.json'));
    const denied = (await w.findings(REPORTS))!.find((f) => f.kind === 'denied' && f.resource === repo)!;
    expect(denied.evidence?.map((r) => r.kind).sort()).toEqual(['denial', 'stop-reason']);
    // Same (kind, severity, action, resource) set: the new evidence is detail.
    expect(await w.notices()).toEqual([]);
  });

  it('task-stopped-network.json is reported as a network failure: no denial stored, nothing announced', async () => {
    const before = await w.snapshot([WEB]);
    const count = (await denials(WEB)).length;
    const summary = await w.run.taskStopped(event('task-stopped-network.json'));
    expect(summary.network?.service).toBe('secretsmanager');
    expect(summary.denial).toBeUndefined();
    expect(await denials(WEB)).toHaveLength(count);
    expect(await w.snapshot([WEB])).toEqual(before);
    expect(await w.notices()).toEqual([]);
  });

  it('task-stopped-essential-exit.json is ignored', async () => {
    const before = await w.snapshot([WEB, BILLING, REPORTS]);
    const summary = await w.run.taskStopped(event('task-stopped-essential-exit.json'));
    // Only a failed start is evidence: an essential container that exited is not (whatever its reason says).
    expect(summary.skipped).toMatch(/stop code EssentialContainerExited is not TaskFailedToStart/);
    expect(await w.snapshot([WEB, BILLING, REPORTS])).toEqual(before);
    expect(await w.notices()).toEqual([]);
  });
});
