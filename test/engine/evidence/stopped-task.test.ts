// A stopped task is evidence only about its own task definition's execution role, in the event's own account, and
// only when it failed to start. Each block tries one class of forgery with the variations an attacker tries next.
import { describe, expect, it } from 'vitest';
import {
  authenticateStoppedTask,
  isIgnored,
  parseStoppedTask,
  type StoppedTask,
  type StoppedTaskEvidence,
  type StoppedTaskFacts,
} from '../../../lib/engine/evidence/index.js';

const ACCT = '123456789012';
const OTHER = '210987654321';
const TASK = `arn:aws:ecs:eu-west-1:${ACCT}:task/app-cluster/a7438eb04296469cbb925934135fa489`;
const TD = `arn:aws:ecs:eu-west-1:${ACCT}:task-definition/web:12`;
const WEB = `arn:aws:iam::${ACCT}:role/web-exec`;
const BILLING = `arn:aws:iam::${ACCT}:role/billing-exec`;
const SECRET = `arn:aws:secretsmanager:eu-west-1:${ACCT}:secret:billing/db-AbCdEf`;

const facts = (over: Partial<StoppedTaskFacts> = {}): StoppedTaskFacts => ({
  servedAccounts: new Set([ACCT]),
  executionRoleArn: WEB,
  ...over,
});

function event(stoppedReason: string, over: Record<string, unknown> = {}, top: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: '0',
    id: '9bcdac79-b31f-4d3d-9410-fbd727c29fab',
    'detail-type': 'ECS Task State Change',
    source: 'aws.ecs',
    account: ACCT,
    time: '2025-03-04T11:00:05Z',
    region: 'eu-west-1',
    resources: [TASK],
    detail: {
      clusterArn: `arn:aws:ecs:eu-west-1:${ACCT}:cluster/app-cluster`,
      containers: [],
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      stopCode: 'TaskFailedToStart',
      stoppedAt: '2025-03-04T11:00:04.512Z',
      stoppedReason,
      taskArn: TASK,
      taskDefinitionArn: TD,
      ...over,
    },
    ...top,
  };
}

function parsed(e: unknown): StoppedTask {
  const t = parseStoppedTask(e);
  if (isIgnored(t)) throw new Error(`ignored: ${t.ignored}`);
  return t;
}

const judge = (e: unknown, f: StoppedTaskFacts = facts()): StoppedTaskEvidence => authenticateStoppedTask(parsed(e), f);

/** A genuine agent message for a secret, naming `principal` as the caller. */
const agentSecretDenial = (principal: string, secret = SECRET) =>
  `ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret ${secret} from secrets manager: AccessDeniedException: User: ${principal} is not authorized to perform: secretsmanager:GetSecretValue on resource: ${secret} because no identity-based policy allows the secretsmanager:GetSecretValue action status code: 400, request id: 53f8285a`;

const session = (role: string, account = ACCT, partition = 'aws') =>
  `arn:${partition}:sts::${account}:assumed-role/${role}/a7438eb04296469cbb925934135fa489`;

describe('authenticateStoppedTask: a genuine failed start is a denial of the task definition’s execution role', () => {
  it('attributes the denial to the authenticated role; action and resource come from the text as details', () => {
    const r = judge(event(agentSecretDenial(session('web-exec'), `arn:aws:secretsmanager:eu-west-1:${ACCT}:secret:web/db-AbCdEf`)));
    expect(r).toMatchObject({
      kind: 'denial',
      denial: {
        roleArn: WEB,
        action: 'secretsmanager:GetSecretValue',
        resource: `arn:aws:secretsmanager:eu-west-1:${ACCT}:secret:web/db-AbCdEf`,
        kind: 'no-identity-policy',
        errorCode: 'AccessDeniedException',
        at: '2025-03-04T11:00:04.512Z',
        region: 'eu-west-1',
        taskArn: TASK,
        source: 'stop-reason',
      },
    });
    expect((r as { denial: { rolePathUnknown?: boolean } }).denial.rolePathUnknown).toBeUndefined();
  });

  it('a role with a path: the assumed-role session (which drops the path) agrees, and the path is kept', () => {
    const role = `arn:aws:iam::${ACCT}:role/ecs/prod/web-exec`;
    const r = judge(event(agentSecretDenial(session('web-exec'))), facts({ executionRoleArn: role }));
    expect(r.kind).toBe('denial');
    expect((r as Extract<StoppedTaskEvidence, { kind: 'denial' }>).denial.roleArn).toBe(role);
  });

  it('a message that names no principal ("Access to KMS is not allowed") is a denial of the authenticated role', () => {
    const r = judge(
      event(
        `ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret ${SECRET} from secrets manager: AccessDeniedException: Access to KMS is not allowed status code: 400`,
      ),
    );
    expect(r).toMatchObject({ kind: 'denial', denial: { roleArn: WEB, action: 'kms:Decrypt', kind: 'unknown' } });
  });

  it('a message cut inside the session ARN still agrees when what is left is a prefix of the role’s session', () => {
    const r = judge(
      event(
        `ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: AccessDeniedException: User: arn:aws:sts::${ACCT}:assumed-role/web-ex...`,
      ),
    );
    expect(r).toMatchObject({ kind: 'denial', denial: { roleArn: WEB, action: 'logs:CreateLogStream', truncated: true } });
  });

  it('a denial found in a container reason counts the same way', () => {
    const r = judge(
      event('Essential container in task exited', {
        containers: [
          {
            name: 'app',
            reason: `CannotPullContainerError: pull access denied: denied: User: ${session('web-exec')} is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:eu-west-1:${ACCT}:repository/web because no identity-based policy allows the ecr:BatchGetImage action`,
          },
        ],
      }),
    );
    expect(r).toMatchObject({ kind: 'denial', denial: { roleArn: WEB, action: 'ecr:BatchGetImage' } });
  });

  it('network failures are reported as such, never as denials', () => {
    const r = judge(
      event(
        'ResourceInitializationError: unable to pull secrets or registry auth: The task cannot pull registry auth from Amazon ECR: There is a connection issue between the task and Amazon ECR. RequestError: send request failed caused by: Post "https://api.ecr.eu-west-1.amazonaws.com/": dial tcp 172.40.1.94:443: i/o timeout',
      ),
    );
    expect(r.kind).toBe('network');
  });
});

describe('authenticateStoppedTask: a reason naming another principal is untrusted, never that principal’s denial', () => {
  const untrustedFor = (principal: string) => judge(event(agentSecretDenial(principal)));

  it.each([
    ['another role in the same account', session('billing-exec')],
    ['the same role name in another account', session('web-exec', OTHER)],
    ['another role in another account', session('billing-exec', OTHER)],
    ['the same role in another partition', session('web-exec', ACCT, 'aws-cn')],
    ['the same role in a made-up partition', session('web-exec', ACCT, 'aws-evil')],
    ['the role ARN of another role', BILLING],
    ['the right name under another path', `arn:aws:iam::${ACCT}:role/other/web-exec`],
    ['the role name in another case', session('Web-Exec')],
    ['an upper-case ARN', session('web-exec').toUpperCase()],
    ['an IAM user', `arn:aws:iam::${ACCT}:user/mallory`],
    ['the account root', `arn:aws:iam::${ACCT}:root`],
    ['a federated user', `arn:aws:sts::${ACCT}:federated-user/mallory`],
    ['a bare role name', 'web-exec'],
    ['an empty session name', `arn:aws:sts::${ACCT}:assumed-role/web-exec/`],
    ['a session of a role whose name extends ours', session('web-exec-admin')],
    ['a session whose name is a prefix of ours', session('web-exe')],
  ])('%s', (_label, principal) => {
    const r = untrustedFor(principal);
    expect(r.kind).toBe('untrusted');
    const u = (r as Extract<StoppedTaskEvidence, { kind: 'untrusted' }>).untrusted;
    expect(u.authenticatedRole).toBe(WEB);
    expect(u.account).toBe(ACCT);
    expect(u.taskDefinitionArn).toBe(TD);
    expect(u.claimed.length).toBeGreaterThan(0);
    expect(JSON.stringify(r)).not.toContain('"roleArn"');
  });

  it.each([
    ['a fullwidth ARN', agentSecretDenial('ａｒｎ:aws:sts::123456789012:assumed-role/billing-exec/x')],
    ['a zero-width space inside "arn"', agentSecretDenial(`ar\u200bn:aws:sts::${ACCT}:assumed-role/billing-exec/x`)],
    ['a zero-width space inside the role name', agentSecretDenial(`arn:aws:sts::${ACCT}:assumed-role/web\u200b-exec/x`)],
    ['a Cyrillic look-alike letter in the role name', agentSecretDenial(`arn:aws:sts::${ACCT}:assumed-role/w\u0435b-exec/x`)],
    ['a non-breaking hyphen', agentSecretDenial(`arn:aws:sts::${ACCT}:assumed-role/web\u2011exec/x`)],
    ['a right-to-left override', agentSecretDenial(`arn:aws:sts::${ACCT}:assumed-role/\u202ecexe-bew/x`)],
    ['a second principal after the right one', `${agentSecretDenial(session('web-exec'))} User: ${session('billing-exec')}`],
    ['the principal hidden in a URL', `${agentSecretDenial(session('web-exec'))} see https://evil.example/${session('billing-exec')}`],
    ['extra whitespace inside the ARN', agentSecretDenial(`arn:aws:sts::${ACCT}:assumed-role/ billing-exec/x`)],
    ['a newline before the principal', agentSecretDenial(`\n${session('billing-exec')}`)],
  ])('disguised: %s', (_label, text) => {
    const r = judge(event(text));
    expect(r.kind).toBe('untrusted');
    const u = (r as Extract<StoppedTaskEvidence, { kind: 'untrusted' }>).untrusted;
    // The stored text is inert: no raw control or invisible characters, no live URL scheme.
    expect([...u.text].some((ch) => ch.charCodeAt(0) < 0x20 || ch === '\u200b' || ch === '\u202e')).toBe(false);
    expect(u.text).not.toContain('https://');
  });

  it('the issue’s forged reason, on a task of another role, changes nothing about billing-exec', () => {
    const forged = `User: arn:aws:sts::${ACCT}:assumed-role/billing-exec/x is not authorized to perform: secretsmanager:GetSecretValue`;
    for (const stopCode of ['UserInitiated', 'TaskFailedToStart']) {
      const r = judge(event(forged, { stopCode }));
      expect(r.kind).toBe('untrusted');
      expect(JSON.stringify(r)).not.toMatch(/"roleArn"/);
    }
  });
});

describe('authenticateStoppedTask: only a failed start counts', () => {
  it.each([
    'UserInitiated',
    'EssentialContainerExited',
    'ServiceSchedulerInitiated',
    'SpotInterruption',
    'TerminationNotice',
    'InfrastructureHealth',
    'taskfailedtostart',
    'TaskFailedToStart ',
    'SomethingNew',
  ])('%s with a denial text that names the right role is recorded untrusted, not a denial', (stopCode) => {
    const r = judge(event(agentSecretDenial(session('web-exec')), { stopCode }));
    expect(r.kind).toBe('untrusted');
    expect((r as Extract<StoppedTaskEvidence, { kind: 'untrusted' }>).untrusted.why).toContain(`stop code ${stopCode}`);
  });

  it('no stop code at all is not a failed start', () => {
    const e = event(agentSecretDenial(session('web-exec')));
    delete (e.detail as Record<string, unknown>).stopCode;
    expect(judge(e).kind).toBe('untrusted');
  });

  it('a user stop with an ordinary reason is simply ignored', () => {
    expect(judge(event('Task stopped by user', { stopCode: 'UserInitiated' }))).toEqual({
      kind: 'ignored',
      why: 'stop code UserInitiated is not TaskFailedToStart',
    });
  });
});

describe('authenticateStoppedTask: the facts must hold together', () => {
  const genuine = agentSecretDenial(session('web-exec'));

  it('an account Leash does not serve is ignored', () => {
    const r = judge(event(genuine), facts({ servedAccounts: new Set([OTHER]) }));
    expect(r).toEqual({ kind: 'ignored', why: `account ${ACCT} is not served by Leash` });
  });

  it('a task definition ARN of another account than the event is ignored', () => {
    const r = judge(event(genuine, { taskDefinitionArn: `arn:aws:ecs:eu-west-1:${OTHER}:task-definition/web:12` }));
    expect(r.kind).toBe('ignored');
    expect((r as { why: string }).why).toContain('not in the event');
  });

  it('a task definition ARN of another region than the event is ignored', () => {
    const r = judge(event(genuine, { taskDefinitionArn: `arn:aws:ecs:us-east-1:${ACCT}:task-definition/web:12` }));
    expect(r.kind).toBe('ignored');
  });

  it('a task ARN of another account than the event is refused at parse time', () => {
    const t = parseStoppedTask(event(genuine, { taskArn: `arn:aws:ecs:eu-west-1:${OTHER}:task/c/1` }));
    expect(isIgnored(t) && t.ignored).toMatch(/not an ECS task of account/);
  });

  it('a task definition unknown to the index gives no denial', () => {
    const r = judge(event(genuine), facts({ executionRoleArn: undefined }));
    expect(r.kind).toBe('ignored');
    expect((r as { why: string }).why).toContain('not in the index');
  });

  it('a task definition without an execution role: a text naming a principal is untrusted, never a denial', () => {
    expect(judge(event(genuine), facts({ executionRoleArn: null })).kind).toBe('untrusted');
    const noPrincipal = judge(
      event('ResourceInitializationError: AccessDeniedException: Access to KMS is not allowed'),
      facts({ executionRoleArn: null }),
    );
    expect(noPrincipal).toEqual({ kind: 'ignored', why: `task definition ${TD} has no execution role` });
  });

  it('an execution role in another account or partition than the event is ignored', () => {
    expect(judge(event(genuine), facts({ executionRoleArn: `arn:aws:iam::${OTHER}:role/web-exec` })).kind).toBe('ignored');
    expect(judge(event(genuine), facts({ executionRoleArn: `arn:aws-cn:iam::${ACCT}:role/web-exec` })).kind).toBe('ignored');
    expect(judge(event(genuine), facts({ executionRoleArn: 'web-exec' })).kind).toBe('ignored');
  });

  it.each([
    ['a non-AWS source', { source: 'my.app' }],
    ['another detail-type', { 'detail-type': 'ECS Container Instance State Change' }],
    ['a malformed account', { account: '12345' }],
  ])('an event with %s is refused at parse time', (_label, top) => {
    expect(isIgnored(parseStoppedTask(event(genuine, {}, top)))).toBe(true);
  });

  it('a running task is not a stopped one', () => {
    expect(isIgnored(parseStoppedTask(event(genuine, { lastStatus: 'RUNNING' })))).toBe(true);
  });

  it('a bare DescribeTasks task takes its account from the task ARN', () => {
    const bare = (event(genuine).detail as Record<string, unknown>)!;
    const t = parsed(bare);
    expect(t.account).toBe(ACCT);
    expect(authenticateStoppedTask(t, facts()).kind).toBe('denial');
  });
});

describe('authenticateStoppedTask: RunTask overrides of the execution role', () => {
  // ECS writes a KMS refusal without naming the caller: only the override tells whose failure it was.
  const kmsText = `ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret ${SECRET} from secrets manager: AccessDeniedException: Access to KMS is not allowed`;
  const withOverride = (executionRoleArn: unknown) => event(kmsText, { overrides: { containerOverrides: [], executionRoleArn } });

  it('without an override, the text is a denial of the task definition’s role', () => {
    expect(judge(event(kmsText, { overrides: { containerOverrides: [] } }))).toMatchObject({ kind: 'denial', denial: { roleArn: WEB } });
  });

  it.each([
    ['the same role by ARN', WEB],
    ['the same role by name', 'web-exec'],
  ])('an override naming %s changes nothing', (_label, override) => {
    expect(judge(withOverride(override))).toMatchObject({ kind: 'denial', denial: { roleArn: WEB } });
  });

  it.each([
    ['another role', BILLING],
    ['another role by name', 'billing-exec'],
    ['the same name in another account', `arn:aws:iam::${OTHER}:role/web-exec`],
    ['the same name with a path', `arn:aws:iam::${ACCT}:role/team/web-exec`],
    ['a case variant', 'Web-Exec'],
    ['something that is not a string', { arn: WEB }],
    ['an empty string', ''],
  ])('an override naming %s: the failure is not the task definition role’s', (_label, override) => {
    const r = judge(withOverride(override));
    expect(r.kind).toBe('ignored');
    expect(r.kind === 'ignored' && r.why).toMatch(/execution role override/);
  });
});
