// functions/task-definition-change against moto with the demo account: register (and its re-delivery), a failed
// register, deregistrations of revisions still in use and not in use (spec §3.4, §11.18), and the AWS calls one
// event costs on a role shared by many task definitions.
import { CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { DeregisterTaskDefinitionCommand, type RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { beforeAll, describe, expect, it } from 'vitest';
import { everyClient } from '../../support/fault-injection.js';
import { useMoto } from '../../support/moto.js';
import {
  createWorld,
  demoAccount,
  deregisterEvent,
  ecrRepo,
  event,
  keysOf,
  logGroup,
  parameter,
  REGION,
  registerEvent,
  registerInMoto,
  roleArn,
  secret,
  soloRevision,
  tdArn,
  type DemoWorld,
  WEB_SEEDED_FINDINGS,
} from '../../support/world/index.js';

const moto = useMoto({ resetEachTest: false });
const WEB = roleArn('web-exec');

describe('task-definition-change on the demo account', () => {
  let w: DemoWorld;
  beforeAll(async () => {
    w = await createWorld(moto.config(), demoAccount());
  });

  it('RegisterTaskDefinition indexes the revision, records its role’s findings and announces them once', async () => {
    const summary = await w.run.taskDefinitionChange(event('register-task-definition.json'));
    expect(summary.taskDefinitions).toEqual([tdArn('web-api:3')]);
    expect(summary.roles.map((r) => [r.roleArn, r.changed])).toEqual([[WEB, true]]);

    const [entry, ...others] = await w.entries(WEB);
    expect(others).toEqual([]);
    expect(entry).toMatchObject({ taskDefinitionArn: tdArn('web-api:3'), family: 'web-api', revision: 3, status: 'ACTIVE', inUse: true });
    const needs = entry!.requirements.map((r) => `${r.action} ${r.resource}`);
    expect(needs).toEqual(
      expect.arrayContaining([
        'ecr:GetAuthorizationToken *',
        `ecr:BatchGetImage ${ecrRepo('web/api')}`,
        `logs:CreateLogStream ${logGroup('/ecs/web')}:*`,
        `ssm:GetParameters ${parameter('/web/prod/db-password')}`,
        // The `:apiKey::` JSON-key suffix is stripped; the full ARN (with its 6 characters) is exact.
        `secretsmanager:GetSecretValue ${secret('web/stripe-AbCdEf')}`,
      ]),
    );

    expect(keysOf(await w.findings(WEB))).toEqual(WEB_SEEDED_FINDINGS);
    const notices = await w.notices();
    expect(notices).toHaveLength(1);
    expect(notices[0]!.role).toBe(WEB);
    expect(notices[0]!.subject).toBe('Leash: 2 urgent, 5 review findings on role web-exec');
    expect(notices[0]!.lines).toHaveLength(7);
    expect(notices[0]!.lines).toContain(
      `[urgent] missing: logs:CreateLogGroup on ${logGroup('/ecs/web')} (No statement allows logs:CreateLogGroup on ${logGroup('/ecs/web')}.)`,
    );
    expect(notices[0]!.lines.filter((l) => l.startsWith('[review] too-broad: ecr:'))).toHaveLength(3);
  });

  it('the same event delivered again changes nothing and sends nothing', async () => {
    const before = await w.snapshot([WEB]);
    const summary = await w.run.taskDefinitionChange(event('register-task-definition.json'));
    expect(summary.roles.map((r) => [r.roleArn, r.changed])).toEqual([[WEB, false]]);
    expect(await w.snapshot([WEB])).toEqual(before);
    expect(await w.notices()).toEqual([]);
  });

  it('a failed RegisterTaskDefinition (errorCode, null parameters) is skipped without touching anything', async () => {
    const before = await w.snapshot([WEB]);
    const summary = await w.run.taskDefinitionChange(event('register-task-definition-failed.json'));
    expect(summary.skipped).toMatch(/failed call \(ClientException\)/);
    expect(summary.roles).toEqual([]);
    expect(await w.snapshot([WEB])).toEqual(before);
    expect(await w.notices()).toEqual([]);
  });

  it('DeregisterTaskDefinition of a revision a service still runs keeps it as intent', async () => {
    await w.run.taskDefinitionChange(registerEvent('web-api:2'));
    const before = await w.findings(WEB);
    await w.notices();
    // The demo's service web-api-canary runs web-api:2.
    await w.clients.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'web-api:2' }));
    const summary = await w.run.taskDefinitionChange(event('deregister-task-definition.json'));
    expect(summary.taskDefinitions).toEqual([tdArn('web-api:2')]);
    const entry = (await w.entries(WEB)).find((e) => e.taskDefinitionArn === tdArn('web-api:2'));
    expect(entry).toMatchObject({ status: 'INACTIVE', inUse: true });
    expect(await w.findings(WEB)).toEqual(before);
    expect(await w.notices()).toEqual([]);
  });

  it('a deregistered revision nothing runs stops counting; one a service runs keeps counting', async () => {
    // Each revision reads a secret no other revision reads, and ecs-exec-shared grants neither: two `missing` findings.
    await registerInMoto(w.clients, soloRevision('web-legacy', 'legacy/db-QwErTy'), 'web-legacy');
    await registerInMoto(w.clients, soloRevision('web-old', 'old/db-AsDfGh'));
    await w.run.taskDefinitionChange(registerEvent('web-legacy:1'));
    await w.run.taskDefinitionChange(registerEvent('web-old:1'));
    const missing = keysOf(await w.findings(WEB), 'missing');
    expect(missing).toContain(`missing secretsmanager:GetSecretValue ${secret('legacy/db-QwErTy')}`);
    expect(missing).toContain(`missing secretsmanager:GetSecretValue ${secret('old/db-AsDfGh')}`);
    expect((await w.notices()).map((n) => n.subject)).toEqual([
      'Leash: 3 urgent, 5 review findings on role web-exec',
      'Leash: 4 urgent, 5 review findings on role web-exec',
    ]);

    for (const rev of ['web-legacy:1', 'web-old:1']) {
      await w.clients.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: rev }));
      await w.run.taskDefinitionChange(deregisterEvent(rev));
    }
    const entries = await w.entries(WEB);
    expect(entries.find((e) => e.family === 'web-legacy')).toMatchObject({ status: 'INACTIVE', inUse: true });
    expect(entries.find((e) => e.family === 'web-old')).toMatchObject({ status: 'INACTIVE', inUse: false });
    expect(keysOf(await w.findings(WEB))).toEqual(
      [...WEB_SEEDED_FINDINGS, `missing secretsmanager:GetSecretValue ${secret('legacy/db-QwErTy')}`].sort(),
    );
    const [notice, ...more] = await w.notices();
    expect(more).toEqual([]);
    expect(notice!.subject).toBe('Leash: 3 urgent, 5 review findings on role web-exec');
    expect(notice!.lines.join('\n')).not.toContain('old/db-AsDfGh');
  });
});

describe('AWS calls per event', () => {
  let w: DemoWorld;
  beforeAll(async () => {
    await moto.server().reset();
    w = await createWorld(moto.config(), demoAccount());
  });

  const trust = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
  });
  const pull = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' }],
  });

  function td(family: string, role: string): RegisterTaskDefinitionCommandInput {
    return {
      family,
      executionRoleArn: roleArn(role),
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        {
          name: 'app',
          image: `123456789012.dkr.ecr.${REGION}.amazonaws.com/${family}:1`,
          logConfiguration: {
            logDriver: 'awslogs',
            options: { 'awslogs-group': `/ecs/${role}`, 'awslogs-region': REGION, 'awslogs-stream-prefix': 'app' },
          },
        },
      ],
    };
  }

  /** Indexes `n` families on a fresh role, then counts the SDK calls of one more RegisterTaskDefinition event. */
  async function callsForRegister(role: string, n: number): Promise<Record<string, number>> {
    await w.clients.iam.send(new CreateRoleCommand({ RoleName: role, AssumeRolePolicyDocument: trust }));
    await w.clients.iam.send(new PutRolePolicyCommand({ RoleName: role, PolicyName: 'pull', PolicyDocument: pull }));
    for (let i = 0; i < n; i++) {
      await registerInMoto(w.clients, td(`${role}-${i}`, role));
      await w.run.taskDefinitionChange(registerEvent(`${role}-${i}:1`));
    }
    expect(await w.entries(roleArn(role))).toHaveLength(n);
    // Revision 2 of the first family, identical to revision 1.
    await registerInMoto(w.clients, td(`${role}-0`, role));
    const calls: Record<string, number> = {};
    const counter = (next: (a: unknown) => Promise<unknown>, ctx: { clientName?: string; commandName?: string }) => (args: unknown) => {
      const key = `${ctx.clientName}.${ctx.commandName}`;
      calls[key] = (calls[key] ?? 0) + 1;
      return next(args);
    };
    const clients = everyClient(w.deps.clients.home, [REGION, 'us-east-1']);
    for (const c of clients) c.middlewareStack.add(counter, { step: 'initialize', name: 'countCalls', override: true });
    try {
      const summary = await w.run.taskDefinitionChange(registerEvent(`${role}-0:2`));
      expect(summary.roles.map((r) => r.taskDefinitions)).toEqual([n + 1]);
    } finally {
      for (const c of clients) (c.middlewareStack as unknown as { remove(name: string): boolean }).remove('countCalls');
    }
    return calls;
  }

  it('a RegisterTaskDefinition event on a role shared by 10 task definitions describes one revision and lists none', async () => {
    const shared = await callsForRegister('shared-exec', 10);
    expect(shared['ECSClient.DescribeTaskDefinitionCommand']).toBe(1);
    // No account scan: nothing listed, no service/task lookups for an ACTIVE revision.
    const ecsCalls = Object.keys(shared).filter((k) => k.startsWith('ECSClient.'));
    expect(ecsCalls).toEqual(['ECSClient.DescribeTaskDefinitionCommand']);
    const total = Object.values(shared).reduce((a, b) => a + b, 0);
    expect(total).toBeLessThanOrEqual(20);

    // The cost does not grow with the number of task definitions sharing the role.
    const solo = await callsForRegister('solo-exec', 1);
    expect(shared).toEqual(solo);
  });
});
