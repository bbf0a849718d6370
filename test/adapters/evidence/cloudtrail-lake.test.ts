import {
  CancelQueryCommand,
  CloudTrailClient,
  DescribeQueryCommand,
  GetQueryResultsCommand,
  StartQueryCommand,
} from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { CloudTrailLake, buildLakeQuery, eventDataStoreId } from '../../../lib/adapters/aws/cloudtrail-lake.js';
import { AdapterError, InputError } from '../../../lib/errors.js';
import { denialFromCloudTrail } from '../../../lib/engine/evidence/index.js';

const EDS = 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111';
const ROLE = 'arn:aws:iam::111122223333:role/service-role/app-exec';
const q = { eventDataStore: EDS, roleArn: ROLE, start: '2025-03-01T00:00:00Z', end: '2025-03-08T00:00:00Z' };

/** Splits SQL into string literals (with '' unescaped) and the code between them; an independent reader. */
function literals(sql: string): { literals: string[]; code: string } {
  const out: string[] = [];
  let code = '';
  for (let i = 0; i < sql.length; i++) {
    if (sql[i] !== "'") {
      code += sql[i];
      continue;
    }
    let lit = '';
    for (i++; i < sql.length; i++) {
      if (sql[i] === "'" && sql[i + 1] === "'") {
        lit += "'";
        i++;
      } else if (sql[i] === "'") break;
      else lit += sql[i];
    }
    out.push(lit);
    code += '?';
  }
  return { literals: out, code };
}

describe('buildLakeQuery', () => {
  it('bounds eventTime, filters on sessionIssuer.arn and errorCode, reads from the data store', () => {
    const sql = buildLakeQuery(q);
    const { literals: lits, code } = literals(sql);
    expect(lits).toEqual(['2025-03-01 00:00:00', '2025-03-08 00:00:00', ROLE]);
    expect(code).toContain(
      `FROM ${EDS} WHERE eventTime >= ? AND eventTime < ? AND userIdentity.sessionContext.sessionIssuer.arn = ? AND errorCode IS NOT NULL`,
    );
    expect(code.startsWith('SELECT ')).toBe(true);
    expect(buildLakeQuery({ ...q, denialsOnly: false })).not.toContain('errorCode IS NOT NULL');
  });

  it('keeps a hostile role ARN inside one string literal', () => {
    const hostile = "arn:aws:iam::111122223333:role/x' OR '1'='1' --";
    const sql = buildLakeQuery({ ...q, roleArn: hostile });
    const { literals: lits, code } = literals(sql);
    expect(lits).toEqual(['2025-03-01 00:00:00', '2025-03-08 00:00:00', hostile]);
    // Outside the literals, the hostile query is the benign query, character for character.
    expect(code).toBe(literals(buildLakeQuery(q)).code);
    expect(sql).toContain("'arn:aws:iam::111122223333:role/x'' OR ''1''=''1'' --'");
  });

  it('rejects control characters in the role ARN and unparseable times', () => {
    expect(() => buildLakeQuery({ ...q, roleArn: `${ROLE}\n` })).toThrow(InputError);
    expect(() => buildLakeQuery({ ...q, start: 'last week' })).toThrow(InputError);
  });

  it('accepts only [A-Za-z0-9-] data store IDs (or the ARN around one)', () => {
    expect(eventDataStoreId(EDS)).toBe(EDS);
    expect(eventDataStoreId(`arn:aws:cloudtrail:eu-west-1:111122223333:eventdatastore/${EDS}`)).toBe(EDS);
    for (const bad of [
      '',
      'eds WHERE 1=1',
      "eds'--",
      'eds;DROP',
      'a/b',
      'tab\tle',
      `arn:aws:cloudtrail:eu-west-1:111122223333:eventdatastore/x y`,
    ]) {
      expect(() => eventDataStoreId(bad)).toThrow(InputError);
      expect(() => buildLakeQuery({ ...q, eventDataStore: bad })).toThrow(InputError);
    }
  });
});

describe('CloudTrailLake.records', () => {
  const row = (id: string, code: string | null): Record<string, string>[] => [
    { eventID: id },
    { eventTime: '2025-03-02 10:15:00.000' },
    { eventSource: 'secretsmanager.amazonaws.com' },
    { eventName: 'GetSecretValue' },
    { awsRegion: 'eu-west-1' },
    { recipientAccountId: '111122223333' },
    { errorCode: code ?? '' },
    {
      errorMessage: code
        ? 'User: arn:aws:sts::111122223333:assumed-role/app-exec/a20b735e9bbc41598825b6f0269f6fef is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db-AbC123 because no identity-based policy allows the secretsmanager:GetSecretValue action'
        : '',
    },
    { identityType: 'AssumedRole' },
    { identityArn: 'arn:aws:sts::111122223333:assumed-role/app-exec/a20b735e9bbc41598825b6f0269f6fef' },
    { identityAccount: '111122223333' },
    { issuerArn: ROLE },
    { issuerType: 'Role' },
  ];

  it('starts the query, polls until FINISHED, pages the results and maps rows to records', async () => {
    const client = new CloudTrailClient({ region: 'eu-west-1' });
    const mock = mockClient(client);
    mock.on(StartQueryCommand).resolves({ QueryId: 'q-1' });
    mock
      .on(DescribeQueryCommand)
      .resolvesOnce({ QueryStatus: 'QUEUED' })
      .resolvesOnce({ QueryStatus: 'RUNNING' })
      .resolves({ QueryStatus: 'FINISHED' });
    mock
      .on(GetQueryResultsCommand, { QueryId: 'q-1' })
      .resolvesOnce({ QueryStatus: 'FINISHED', QueryResultRows: [row('e-1', 'AccessDenied')], NextToken: 'p2' })
      .resolvesOnce({ QueryStatus: 'FINISHED', QueryResultRows: [row('e-2', 'AccessDeniedException')] });
    const sleeps: number[] = [];
    const lake = new CloudTrailLake(client, { sleep: async (ms) => void sleeps.push(ms), pollIntervalMs: 1000 });
    const records = await lake.records(q);

    expect(mock.commandCalls(StartQueryCommand)[0]!.args[0].input).toEqual({ QueryStatement: buildLakeQuery(q) });
    expect(sleeps).toEqual([1000, 1000]);
    expect(mock.commandCalls(GetQueryResultsCommand).map((c) => c.args[0].input.NextToken)).toEqual([undefined, 'p2']);
    expect(records.map((r) => r.eventID)).toEqual(['e-1', 'e-2']);
    const d = denialFromCloudTrail(records[0]);
    expect(d).toMatchObject({
      roleArn: ROLE,
      action: 'secretsmanager:GetSecretValue',
      resource: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db-AbC123',
      at: '2025-03-02T10:15:00.000Z',
      errorCode: 'AccessDenied',
    });
  });

  it('an empty errorCode column is a successful call, not a denial', async () => {
    const client = new CloudTrailClient({ region: 'eu-west-1' });
    const mock = mockClient(client);
    mock.on(StartQueryCommand).resolves({ QueryId: 'q-2' });
    mock.on(DescribeQueryCommand).resolves({ QueryStatus: 'FINISHED' });
    mock.on(GetQueryResultsCommand).resolves({ QueryResultRows: [row('e-3', null)] });
    const [rec] = await new CloudTrailLake(client, { sleep: async () => undefined }).records({ ...q, denialsOnly: false });
    expect(rec).not.toHaveProperty('errorCode');
  });

  it('a FAILED query is an AdapterError carrying its message', async () => {
    const client = new CloudTrailClient({ region: 'eu-west-1' });
    const mock = mockClient(client);
    mock.on(StartQueryCommand).resolves({ QueryId: 'q-3' });
    mock.on(DescribeQueryCommand).resolves({ QueryStatus: 'FAILED', ErrorMessage: 'Query exceeded scan limit' });
    await expect(new CloudTrailLake(client, { sleep: async () => undefined }).records(q)).rejects.toThrow(
      /FAILED: Query exceeded scan limit/,
    );
  });

  it('gives up after maxPolls and cancels the query', async () => {
    const client = new CloudTrailClient({ region: 'eu-west-1' });
    const mock = mockClient(client);
    mock.on(StartQueryCommand).resolves({ QueryId: 'q-4' });
    mock.on(DescribeQueryCommand).resolves({ QueryStatus: 'RUNNING' });
    mock.on(CancelQueryCommand).resolves({ QueryId: 'q-4', QueryStatus: 'CANCELLED' });
    const err = await new CloudTrailLake(client, { sleep: async () => undefined, maxPolls: 3 }).records(q).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AdapterError);
    expect(mock.commandCalls(DescribeQueryCommand)).toHaveLength(3);
    expect(mock.commandCalls(CancelQueryCommand)[0]!.args[0].input).toEqual({ QueryId: 'q-4' });
  });
});
