// One execution role built like the engine's plan fixtures (test/engine/plan/fixtures.ts): the AWS managed execution
// policy (as a customer managed copy) and an over-broad inline policy, with Access Analyzer (absent from moto) mocked.
// Its applier checks plans with the fixtures' covers, so a plan made from the fixtures verifies.
import { AccessAnalyzerClient, CheckNoNewAccessCommand, ValidatePolicyCommand } from '@aws-sdk/client-accessanalyzer';
import { CreatePolicyCommand } from '@aws-sdk/client-iam';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import type { AwsClients } from '../../../lib/adapters/aws/clients.js';
import { AwsAccessAnalyzer } from '../../../lib/adapters/aws/access-analyzer.js';
import { DynamoChangeIntents } from '../../../lib/adapters/aws/state-store.js';
import { IamRoleWriter } from '../../../lib/adapters/aws/iam-role-writer.js';
import { Applier } from '../../../lib/app/apply/applier.js';
import { PlanVerifier } from '../../../lib/app/apply/plan-verifier.js';
import type { Remediation } from '../../../lib/composition-remediation.js';
import { createRole } from '../../../lib/dev/account-seed.js';
import { buildPlan } from '../../../lib/engine/plan/build-plan.js';
import { hashState } from '../../../lib/engine/role/state.js';
import type { Plan } from '../../../lib/engine/types.js';
import { fakeCovers } from '../../engine/plan/fake-covers.js';
import {
  ACCOUNT,
  broadInline,
  findings,
  managedDocument,
  requirements,
  ROLE_ARN,
  ROLE_NAME,
  synthesized,
} from '../../engine/plan/fixtures.js';
import type { World } from './index.js';

export interface SingleRole {
  /** The managed execution policy's ARN (the customer managed copy). */
  managedArn: string;
  /** Access Analyzer, mocked: every policy valid, every check PASS unless a test says otherwise. Restore after each test. */
  analyzer: AwsClientStub<AccessAnalyzerClient>;
}

export async function seedSingleRole(c: AwsClients): Promise<SingleRole> {
  // The real AmazonECSTaskExecutionRolePolicy document (corpus) as a customer managed policy: moto only has AWS
  // managed policies when told to load all of them, which makes every reset take seconds.
  const created = await c.iam.send(
    new CreatePolicyCommand({
      PolicyName: 'AmazonECSTaskExecutionRolePolicy',
      Path: '/service-role/',
      PolicyDocument: JSON.stringify(managedDocument()),
    }),
  );
  const managedArn = created.Policy?.Arn ?? '';
  await createRole(c, { name: ROLE_NAME, attach: [managedArn], inline: { [broadInline.name]: JSON.stringify(broadInline.document) } });
  const analyzer = mockClient(AccessAnalyzerClient);
  analyzer.on(ValidatePolicyCommand).resolves({ findings: [] });
  analyzer.on(CheckNoNewAccessCommand).resolves({ result: 'PASS', message: 'no new access', reasons: [] });
  return { managedArn, analyzer };
}

/** What the apply use case is built from in a world: the composition's role reader, stores, and an IAM writer. */
export function applierDeps(deps: Remediation) {
  const { roles, snapshots, watches, audit } = deps;
  const intents = new DynamoChangeIntents(deps.clients.home.ddb, deps.config.table);
  return { roles, writer: new IamRoleWriter(deps.clients.home.iam), snapshots, intents, watches, audit };
}

/** The composition's applier rebuilt with a verifier that uses the fixtures' covers and the mocked analyzer. */
export function fixtureApplier(deps: Remediation): Remediation {
  const verifier = new PlanVerifier({
    analyzer: new AwsAccessAnalyzer(new AccessAnalyzerClient({ region: 'us-east-1' })),
    covers: fakeCovers,
    managedPolicy: (arn) => deps.roles.managedPolicy(arn),
  });
  return { ...deps, applier: new Applier({ ...applierDeps(deps), verifier, now: deps.now }) };
}

/** The plan the engine makes for the fixture role from its current state (what remediation would propose). */
export async function makePlan(w: Pick<World, 'deps'>): Promise<Plan> {
  const [grant, state] = await Promise.all([w.deps.roles.readGrant(ROLE_NAME), w.deps.roles.readState(ROLE_NAME)]);
  if (!grant || !state) throw new Error('role missing');
  return buildPlan({
    roleArn: ROLE_ARN,
    state,
    baseStateHash: hashState(state),
    grant: grant.policies,
    requirements,
    synthesized,
    findings: findings(),
    accountId: ACCOUNT,
    covers: fakeCovers,
  });
}
