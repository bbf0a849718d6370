// Issue 10, item 7 (code side): in a member account Leash reads through the member read role and writes IAM only
// through the separate write role (LEASH_MEMBER_WRITE_ROLE_NAME, set only on the remediation function). Without it a
// member apply is refused with the reason, before anything is written. Through functions/remediate on moto.
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { CreateRoleCommand, ListRolePoliciesCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { run as runReconcile } from '../../../functions/reconcile.js';
import { run as runRemediate } from '../../../functions/remediate.js';
import { accountClients, servedAccounts } from '../../../lib/adapters/aws/accounts.js';
import { makeClients, type AwsClients, type AwsConfig } from '../../../lib/adapters/aws/clients.js';
import { assumeRoleCredentials } from '../../../lib/adapters/aws/member-account.js';
import { createTables } from '../../../lib/dev/account-seed.js';
import { buildRemediation } from '../../../lib/composition-remediation.js';
import { loadConfig, type LeashConfig } from '../../../lib/config.js';
import type { Plan } from '../../../lib/engine/types.js';
import { TEST_ACCOUNT, useMoto } from '../../support/moto.js';
import { sqsEvent } from '../../support/world/index.js';

const moto = useMoto();
const MEMBER = '111122223333';
const ROLE = `arn:aws:iam::${MEMBER}:role/shop-exec`;
const trust = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

/** The member account as the StackSet leaves it, with an auto role whose plan is within its scope. */
async function memberWorld(writeRoleName?: string) {
  const aws: AwsConfig = { ...moto.config(), region: 'eu-west-1' };
  const home = makeClients(aws);
  await createTables(home.ddb, 'leash');
  const member: AwsClients = makeClients({
    ...aws,
    credentials: assumeRoleCredentials(home.sts, `arn:aws:iam::${MEMBER}:role/leash-member`, 'ext-123'),
  });
  await member.iam.send(
    new CreateRoleCommand({
      RoleName: 'shop-exec',
      AssumeRolePolicyDocument: trust,
      Tags: [
        { Key: 'leash:mode', Value: 'auto' },
        { Key: 'leash:scope', Value: 'repository/shop' },
      ],
    }),
  );
  await member.iam.send(
    new PutRolePolicyCommand({
      RoleName: 'shop-exec',
      PolicyName: 'broad',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:*', Resource: '*' }] }),
    }),
  );
  await member.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'shop',
      executionRoleArn: ROLE,
      containerDefinitions: [{ name: 'app', image: `${MEMBER}.dkr.ecr.eu-west-1.amazonaws.com/shop:1`, essential: true, memory: 128 }],
    }),
  );
  const config: LeashConfig = {
    ...loadConfig({ LEASH_DRY_RUN: 'false' }),
    table: 'leash',
    homeAccount: TEST_ACCOUNT,
    member: { roleName: 'leash-member', externalId: 'ext-123', accounts: [MEMBER], ...(writeRoleName ? { writeRoleName } : {}) },
  };
  const rt = buildRemediation(config, aws, { analyzer: null }, () => '2026-11-22T07:00:01.000Z', MEMBER);
  await runReconcile({ 'detail-type': 'Scheduled Event', detail: {} }, { ...rt, concurrency: 2, timeLeft: () => 600_000 });
  const policies = async () => (await member.iam.send(new ListRolePoliciesCommand({ RoleName: 'shop-exec' }))).PolicyNames ?? [];
  return { rt, policies };
}

describe('member accounts: reads through the read role, IAM writes only through the write role', () => {
  it('without a write role, an automatic apply in a member account is refused with the reason, and nothing is written', async () => {
    const { rt, policies } = await memberWorld();
    const out = await runRemediate(sqsEvent([JSON.stringify({ roleArn: ROLE, reason: 'findings changed' })]), rt);
    expect(out.batchItemFailures).toEqual([]);
    expect(out.outcomes).toMatchObject([{ roleArn: ROLE, outcome: 'refused' }]);
    expect(out.outcomes[0]!.why).toMatch(/no write role is configured for member account 111122223333 \(LEASH_MEMBER_WRITE_ROLE_NAME/);
    expect(await policies()).toEqual(['broad']);
    expect((await rt.audit.history(ROLE))[0]).toMatchObject({ action: 'refuse', why: expect.stringMatching(/no write role/) });
    // The apply use case refuses on its own too (an approved plan reaches it directly), before any write.
    const { plan } = out.outcomes[0] as { plan?: Plan };
    const err = await rt.applier
      .apply(plan!, {
        dryRun: false,
        actor: 'U0APPROVER',
        reason: 'approved',
        now: '2026-11-22T07:01:00.000Z',
        watchMinutes: 60,
        requirements: [],
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'RefusedError', rule: 'write-role' });
    expect(await policies()).toEqual(['broad']);
  });

  it('with the write role configured, the same apply goes through in the member account', async () => {
    const { rt, policies } = await memberWorld('leash-member-write');
    const out = await runRemediate(sqsEvent([JSON.stringify({ roleArn: ROLE, reason: 'findings changed' })]), rt);
    expect(out.outcomes).toMatchObject([{ roleArn: ROLE, outcome: 'applied' }]);
    expect(await policies()).toEqual(['leash-execution-role']);
  });

  it('the write clients assume the write role, every other client the read role (same ExternalId)', async () => {
    const sts = mockClient(STSClient);
    const creds = { AccessKeyId: 'AKIA', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(Date.now() + 3_600_000) };
    sts.on(AssumeRoleCommand).resolves({ Credentials: creds });
    try {
      const settings = {
        homeAccount: TEST_ACCOUNT,
        member: { roleName: 'leash-member', externalId: 'ext-123', writeRoleName: 'leash-member-write' },
      };
      const clients = accountClients(settings, { region: 'eu-west-1' }, MEMBER);
      await clients.world.iam.config.credentials();
      await clients.writer!.iam.config.credentials();
      expect(sts.commandCalls(AssumeRoleCommand).map((c) => [c.args[0].input.RoleArn, c.args[0].input.ExternalId])).toEqual([
        [`arn:aws:iam::${MEMBER}:role/leash-member`, 'ext-123'],
        [`arn:aws:iam::${MEMBER}:role/leash-member-write`, 'ext-123'],
      ]);
      // Leash's own changes through either role are its own (ignored as events).
      expect(clients.ownRoles).toEqual([`arn:aws:iam::${MEMBER}:role/leash-member`, `arn:aws:iam::${MEMBER}:role/leash-member-write`]);
      const readOnly = accountClients(
        { ...settings, member: { ...settings.member, writeRoleName: undefined } },
        { region: 'eu-west-1' },
        MEMBER,
      );
      expect(readOnly.writer).toBeUndefined();
      expect(readOnly.writeRefusal).toMatch(/no write role is configured for member account 111122223333/);
      // Home writes with home's own clients.
      expect(accountClients(settings, { region: 'eu-west-1' }, TEST_ACCOUNT).writer).toBeDefined();
    } finally {
      sts.restore();
    }
  });

  it('evidence is accepted from home and the configured member accounts only', async () => {
    const home = makeClients({ ...moto.config(), region: 'eu-west-1' });
    expect([
      ...(await servedAccounts({ homeAccount: TEST_ACCOUNT, member: { roleName: 'r', externalId: 'e', accounts: [MEMBER] } }, home)()),
    ]).toEqual([TEST_ACCOUNT, MEMBER]);
    // Without LEASH_HOME_ACCOUNT, the home account is the caller's own (STS GetCallerIdentity; moto's default account).
    expect([...(await servedAccounts({}, home)())]).toEqual([TEST_ACCOUNT]);
  });
});
