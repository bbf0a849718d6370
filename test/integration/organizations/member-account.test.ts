// Organizations: an event from a member account is handled with that account's clients (through the member role
// Leash assumes there), while the index and findings stay in the home account's table.
import { describe, expect, it } from 'vitest';
import { RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { makeClients, type AwsConfig } from '../../../lib/adapters/aws/clients.js';
import { assumeRoleCredentials } from '../../../lib/adapters/aws/member-account.js';
import { createTables } from '../../../lib/dev/account-seed.js';
import { buildPipeline } from '../../../lib/composition.js';
import { loadConfig } from '../../../lib/config.js';
import { run as runTaskDefinitionChange } from '../../../functions/task-definition-change.js';
import { TEST_ACCOUNT, useMoto } from '../../support/moto.js';

const moto = useMoto();
const MEMBER = '111122223333';
const trust = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

function registerEvent(tdArn: string) {
  return {
    version: '0',
    id: 'org-1',
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.ecs',
    account: MEMBER,
    time: '2026-11-22T07:00:00Z',
    region: 'eu-west-1',
    resources: [],
    detail: {
      eventSource: 'ecs.amazonaws.com',
      eventName: 'RegisterTaskDefinition',
      awsRegion: 'eu-west-1',
      eventTime: '2026-11-22T07:00:00Z',
      userIdentity: { type: 'AssumedRole', sessionContext: { sessionIssuer: { arn: `arn:aws:iam::${MEMBER}:role/deployer` } } },
      requestParameters: { family: 'shop' },
      responseElements: { taskDefinition: { taskDefinitionArn: tdArn } },
    },
  };
}

describe('member accounts of an organization', () => {
  it('reads ECS and IAM in the member account and records findings in the home table', async () => {
    const aws: AwsConfig = { ...moto.config(), region: 'eu-west-1' };
    const home = makeClients(aws);
    await createTables(home.ddb, 'leash');
    // What the StackSet would have created: resources live in the member account, reached through its role.
    const member = makeClients({
      ...aws,
      credentials: assumeRoleCredentials(home.sts, `arn:aws:iam::${MEMBER}:role/leash-member`, 'ext-123'),
    });
    await member.iam.send(new CreateRoleCommand({ RoleName: 'shop-exec', AssumeRolePolicyDocument: trust }));
    await member.iam.send(
      new PutRolePolicyCommand({
        RoleName: 'shop-exec',
        PolicyName: 'base',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' }],
        }),
      }),
    );
    const td = await member.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'shop',
        executionRoleArn: `arn:aws:iam::${MEMBER}:role/shop-exec`,
        containerDefinitions: [{ name: 'app', image: `${MEMBER}.dkr.ecr.eu-west-1.amazonaws.com/shop:1`, essential: true, memory: 128 }],
      }),
    );
    const tdArn = td.taskDefinition!.taskDefinitionArn!;
    expect(tdArn).toContain(`:${MEMBER}:`);

    const config = {
      ...loadConfig({}),
      table: 'leash',
      homeAccount: TEST_ACCOUNT,
      member: { roleName: 'leash-member', externalId: 'ext-123', accounts: [MEMBER] },
    };
    const deps = buildPipeline(config, aws, { now: () => '2026-11-22T07:00:01.000Z', account: MEMBER });
    const summary = await runTaskDefinitionChange(registerEvent(tdArn), deps);

    expect(summary.taskDefinitions).toEqual([tdArn]);
    const role = summary.roles[0]!;
    expect(role.roleArn).toBe(`arn:aws:iam::${MEMBER}:role/shop-exec`);
    // The member role's policy grants the token but not the pull on the shop repository.
    const missing = role.findings.filter((f) => f.kind === 'missing').map((f) => `${f.action} ${f.resource}`);
    expect(missing).toContain(`ecr:BatchGetImage arn:aws:ecr:eu-west-1:${MEMBER}:repository/shop`);
    // Stored in the home table.
    const stored = await deps.findings.current(`arn:aws:iam::${MEMBER}:role/shop-exec`);
    expect(stored?.findings.length).toBe(role.findings.length);

    // The home account's own clients do not see the member's task definition: the event really was handled there.
    const homeDeps = buildPipeline(config, aws, { now: () => '2026-11-22T07:00:01.000Z' });
    expect(await homeDeps.ecs.describe(tdArn)).toBeUndefined();
  });
});
