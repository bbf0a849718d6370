// Shared set-up for the remediation integration tests: a role on moto built like the fixtures, the single table, and
// the apply use case wired to the real IAM adapters and stores, with Access Analyzer (absent from moto) mocked.
import { AccessAnalyzerClient, CheckNoNewAccessCommand, ValidatePolicyCommand } from '@aws-sdk/client-accessanalyzer';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AttachRolePolicyCommand, CreatePolicyCommand, CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { AwsAccessAnalyzer } from '../../../lib/adapters/aws/access-analyzer.js';
import { DynamoAuditLog } from '../../../lib/adapters/aws/audit-log.js';
import { IamRoleWriter } from '../../../lib/adapters/aws/iam-role-writer.js';
import { IamRoles } from '../../../lib/adapters/aws/iam-roles.js';
import { DynamoChangeIntents, DynamoSnapshots, DynamoWatches } from '../../../lib/adapters/aws/state-store.js';
import { tableDefinition } from '../../../lib/adapters/aws/table-schema.js';
import { Applier } from '../../../lib/app/apply/applier.js';
import { PlanVerifier } from '../../../lib/app/apply/plan-verifier.js';
import { buildPlan } from '../../../lib/engine/plan/build-plan.js';
import { hashState } from '../../../lib/engine/role/state.js';
import type { Plan } from '../../../lib/engine/types.js';
import type { AwsTestConfig } from '../../support/moto.js';
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

export const TABLE = 'leash-test';
const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

export interface World {
  iam: IAMClient;
  reader: IamRoles;
  snapshots: DynamoSnapshots;
  watches: DynamoWatches;
  intents: DynamoChangeIntents;
  audit: DynamoAuditLog;
  patcher: Applier;
  analyzer: AwsClientStub<AccessAnalyzerClient>;
  stateHash: () => Promise<string>;
  makePlan: () => Promise<Plan>;
  managedArn: string;
}

export async function makeWorld(cfg: AwsTestConfig, clock: () => string = () => new Date().toISOString()): Promise<World> {
  const iam = new IAMClient(cfg);
  await iam.send(new CreateRoleCommand({ RoleName: ROLE_NAME, AssumeRolePolicyDocument: TRUST }));
  // The real AmazonECSTaskExecutionRolePolicy document (corpus) as a customer managed policy: moto only has AWS
  // managed policies when told to load all of them, which makes every reset take seconds.
  const created = await iam.send(
    new CreatePolicyCommand({
      PolicyName: 'AmazonECSTaskExecutionRolePolicy',
      Path: '/service-role/',
      PolicyDocument: JSON.stringify(managedDocument()),
    }),
  );
  const managedArn = created.Policy?.Arn ?? '';
  await iam.send(new AttachRolePolicyCommand({ RoleName: ROLE_NAME, PolicyArn: managedArn }));
  await iam.send(
    new PutRolePolicyCommand({ RoleName: ROLE_NAME, PolicyName: broadInline.name, PolicyDocument: JSON.stringify(broadInline.document) }),
  );

  const ddbRaw = new DynamoDBClient(cfg);
  await ddbRaw.send(new CreateTableCommand(tableDefinition(TABLE)));
  const ddb = DynamoDBDocumentClient.from(ddbRaw, { marshallOptions: { removeUndefinedValues: true } });

  const analyzer = mockClient(AccessAnalyzerClient);
  analyzer.on(ValidatePolicyCommand).resolves({ findings: [] });
  analyzer.on(CheckNoNewAccessCommand).resolves({ result: 'PASS', message: 'no new access', reasons: [] });

  const reader = new IamRoles(iam, new Map());
  const snapshots = new DynamoSnapshots(ddb, TABLE);
  const watches = new DynamoWatches(ddb, TABLE);
  const intents = new DynamoChangeIntents(ddb, TABLE);
  const audit = new DynamoAuditLog(ddb, TABLE);
  const verifier = new PlanVerifier({
    analyzer: new AwsAccessAnalyzer(new AccessAnalyzerClient({ region: 'us-east-1' })),
    covers: fakeCovers,
    managedPolicy: (arn) => reader.managedPolicy(arn),
  });
  const patcher = new Applier({ roles: reader, writer: new IamRoleWriter(iam), snapshots, intents, watches, audit, verifier, now: clock });

  const stateHash = async () => {
    const s = await reader.readState(ROLE_NAME);
    if (!s) throw new Error('role missing');
    return hashState(s);
  };
  const makePlan = async (): Promise<Plan> => {
    const [grant, state] = await Promise.all([reader.readGrant(ROLE_NAME), reader.readState(ROLE_NAME)]);
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
  };
  return { iam, reader, snapshots, watches, intents, audit, patcher, analyzer, stateHash, makePlan, managedArn };
}
