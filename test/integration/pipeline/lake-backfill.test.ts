// With a CloudTrail Lake event data store configured, the reconcile backfill runs one query per indexed role
// (no LookupEvents scan) and stores what it finds as evidence. moto has no CloudTrail Lake: the SDK client is mocked.
import { afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CloudTrailClient,
  DescribeQueryCommand,
  GetQueryResultsCommand,
  LookupEventsCommand,
  StartQueryCommand,
} from '@aws-sdk/client-cloudtrail';
import { makeClients } from '../../../lib/adapters/aws/clients.js';
import { createTables } from '../../../lib/dev/account-seed.js';
import { backfillEvidence } from '../../../lib/app/backfill.js';
import { buildPipeline } from '../../../lib/composition.js';
import { loadConfig } from '../../../lib/config.js';
import { useMoto } from '../../support/moto.js';

const moto = useMoto();
const trail = mockClient(CloudTrailClient);
afterEach(() => trail.reset());

const ACCOUNT = '123456789012';
const role = (n: string) => `arn:aws:iam::${ACCOUNT}:role/${n}`;

function row(id: string, issuer: string, errorCode = ''): Record<string, string>[] {
  const name = issuer.split('/').pop();
  return [
    { eventID: id },
    { eventTime: '2026-11-20 10:15:00.000' },
    { eventSource: 'secretsmanager.amazonaws.com' },
    { eventName: 'GetSecretValue' },
    { awsRegion: 'eu-west-1' },
    { recipientAccountId: ACCOUNT },
    { errorCode },
    {
      errorMessage: errorCode
        ? `User: arn:aws:sts::${ACCOUNT}:assumed-role/${name}/a20b735e9bbc41598825b6f0269f6fef is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:prod/db-AbC123 because no identity-based policy allows the secretsmanager:GetSecretValue action`
        : '',
    },
    { identityType: 'AssumedRole' },
    { identityArn: `arn:aws:sts::${ACCOUNT}:assumed-role/${name}/a20b735e9bbc41598825b6f0269f6fef` },
    { identityAccount: ACCOUNT },
    { issuerArn: issuer },
    { issuerType: 'Role' },
  ];
}

describe('evidence backfill from CloudTrail Lake', () => {
  it('queries each indexed role once and stores its denials and uses', async () => {
    const aws = { ...moto.config(), region: 'eu-west-1' };
    const c = makeClients(aws);
    await createTables(c.ddb, 'leash');
    const config = { ...loadConfig({}), table: 'leash', homeAccount: ACCOUNT, cloudTrailLake: 'eds-0123' };
    const deps = buildPipeline(config, aws, { now: () => '2026-11-22T07:00:00.000Z', local: { lastAccessed: false } });
    for (const [n, r] of [
      ['a', 'app-exec'],
      ['b', 'web-exec'],
    ] as const) {
      await deps.index.putTaskDefinition({
        taskDefinitionArn: `arn:aws:ecs:eu-west-1:${ACCOUNT}:task-definition/${n}:1`,
        family: n,
        revision: 1,
        status: 'ACTIVE',
        executionRoleArn: role(r),
        requirements: [],
      });
    }
    let queries = 0;
    trail.on(StartQueryCommand).callsFake((input: { QueryStatement: string }) => ({
      QueryId: `q-${++queries}-${input.QueryStatement.includes('app-exec') ? 'app' : 'web'}`,
    }));
    trail.on(DescribeQueryCommand).resolves({ QueryStatus: 'FINISHED' });
    trail.on(GetQueryResultsCommand).callsFake((input: { QueryId: string }) => ({
      QueryStatus: 'FINISHED',
      QueryResultRows: input.QueryId.endsWith('app')
        ? [row('e-1', role('app-exec'), 'AccessDeniedException')]
        : [row('e-2', role('web-exec'))],
    }));

    const summary = await backfillEvidence({
      ...deps,
      cloudTrail: deps.cloudTrail!,
      account: deps.accountId,
      windowDays: 90,
      timeLeft: () => 600_000,
    });
    expect(summary).toMatchObject({ complete: true, pages: 2, denials: 1, uses: 1 });
    const statements = trail.commandCalls(StartQueryCommand).map((call) => call.args[0].input.QueryStatement ?? '');
    expect(statements).toHaveLength(2);
    expect(statements.every((s) => s.includes('eds-0123'))).toBe(true);
    expect(trail.commandCalls(LookupEventsCommand)).toHaveLength(0);
    const app = await deps.evidence.forRole(role('app-exec'), '2026-01-01T00:00:00.000Z');
    expect(app.denials.map((d) => d.action)).toEqual(['secretsmanager:GetSecretValue']);
    expect(app.cloudTrail?.since).toBe('2026-08-24T07:00:00.000Z');
    const web = await deps.evidence.forRole(role('web-exec'), '2026-01-01T00:00:00.000Z');
    expect(web.uses.map((u) => u.action)).toEqual(['secretsmanager:GetSecretValue']);
  });
});
