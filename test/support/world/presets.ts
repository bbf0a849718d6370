// Presets: what a world seeds and how Leash is set up there. Each takes overrides (any WorldOptions field), so a
// test names the preset and only what it changes: `createWorld(moto.config(), remediationAccount({ watchMinutes: 30 }))`.
import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { PutRolePolicyCommand } from '@aws-sdk/client-iam';
import type { AwsClients } from '../../../lib/adapters/aws/clients.js';
import { policyDocument } from '../../../lib/dev/account-seed.js';
import { DEMO_REGION, seedDemoAccount } from '../../../lib/dev/demo/seed.js';
import { eventsTaskDefinitions, seedEventsAccount } from './events-account.js';
import { logGroup, NOW } from './events.js';
import type { WorldOptions } from './index.js';
import { fixtureApplier, seedSingleRole, type SingleRole } from './single-role.js';

/** The options a test changes on a preset (the demo account's by default). */
export type WorldOverrides<A = { keyArn: string }> = Partial<WorldOptions<A>>;
type Overrides<A> = WorldOverrides<A>;

/** The demo account (lib/dev/demo/seed.ts, as `npm start` seeds it), dry run, the clock fixed after every event. */
export function demoAccount(o: Overrides<{ keyArn: string }> = {}): WorldOptions<{ keyArn: string }> {
  return { seed: seedDemoAccount, region: DEMO_REGION, start: NOW, dryRun: true, ...o };
}

/** Where the events in events/ happen (the billing task stops at 07:30:12Z): a remediation world's clock starts before. */
export const REMEDIATION_START = '2026-11-22T07:20:00.000Z';

/**
 * The demo account with Leash acting: not dry run, a Slack fake, approvers, every revision indexed. One change to the
 * demo: reports-exec lacks the pull from account 210987654321 too, so its plan adds cross-account access.
 */
export function remediationAccount(o: Overrides<{ keyArn: string }> = {}): WorldOptions<{ keyArn: string }> {
  const seed = async (c: AwsClients) => {
    const demo = await seedDemoAccount(c);
    const logsOnly = { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: `${logGroup('/ecs/reports')}:*` };
    await c.iam.send(
      new PutRolePolicyCommand({ RoleName: 'reports-exec', PolicyName: 'reports-base', PolicyDocument: policyDocument(logsOnly) }),
    );
    return demo;
  };
  return demoAccount({ seed, start: REMEDIATION_START, dryRun: false, slack: true, index: true, ...o });
}

/** The account the events describe, with several revisions per role (resilience tests, benchmarks); no remediation queue. */
export function eventsAccount(o: Overrides<void> & { taskDefinitions?: RegisterTaskDefinitionCommandInput[] } = {}): WorldOptions<void> {
  const { taskDefinitions = eventsTaskDefinitions(), ...rest } = o;
  return {
    seed: (c) => seedEventsAccount(c, taskDefinitions),
    region: DEMO_REGION,
    start: '2026-11-20T10:00:00.000Z',
    dryRun: 'config-default',
    ...rest,
    config: { remediationQueueUrl: undefined, ...rest.config },
  };
}

/** One fixture role and the apply use case over it (Access Analyzer mocked: restore `world.account.analyzer`). */
export function singleRoleApply(o: Overrides<SingleRole> = {}): WorldOptions<SingleRole> {
  return { seed: seedSingleRole, region: 'us-east-1', start: '2026-03-01T10:00:00.000Z', dryRun: false, wire: fixtureApplier, ...o };
}
