import { GenerateServiceLastAccessedDetailsCommand, GetServiceLastAccessedDetailsCommand, IAMClient } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { IamLastAccessed as LastAccessed } from '../../../lib/adapters/aws/last-accessed.js';
import { AdapterError } from '../../../lib/errors.js';

const ROLE = 'arn:aws:iam::111122223333:role/app-exec';
const created = new Date('2025-03-10T00:00:00Z');

describe('LastAccessed.uses', () => {
  it('polls the job, follows Marker pages, and reports action-level and service-level uses only', async () => {
    const iam = new IAMClient({ region: 'us-east-1' });
    const mock = mockClient(iam);
    mock.on(GenerateServiceLastAccessedDetailsCommand).resolves({ JobId: 'job-1' });
    mock
      .on(GetServiceLastAccessedDetailsCommand, { JobId: 'job-1' })
      .resolvesOnce({ JobStatus: 'IN_PROGRESS', JobCreationDate: created, ServicesLastAccessed: [], JobCompletionDate: undefined })
      .resolvesOnce({
        JobStatus: 'COMPLETED',
        JobType: 'ACTION_LEVEL',
        JobCreationDate: created,
        JobCompletionDate: created,
        IsTruncated: true,
        Marker: 'm-2',
        ServicesLastAccessed: [
          // ecr: accessed, no action-level tracking → one service-level use.
          {
            ServiceName: 'Amazon Elastic Container Registry',
            ServiceNamespace: 'ecr',
            LastAuthenticated: new Date('2025-03-09T12:00:00Z'),
            LastAuthenticatedEntity: ROLE,
            TotalAuthenticatedEntities: 1,
          },
          // kms: never accessed → nothing (not evidence of non-use either).
          { ServiceName: 'AWS Key Management Service', ServiceNamespace: 'kms', TotalAuthenticatedEntities: 0 },
        ],
      });
    mock.on(GetServiceLastAccessedDetailsCommand, { JobId: 'job-1', Marker: 'm-2' }).resolves({
      JobStatus: 'COMPLETED',
      JobCreationDate: created,
      JobCompletionDate: created,
      IsTruncated: false,
      ServicesLastAccessed: [
        {
          ServiceName: 'Amazon S3',
          ServiceNamespace: 's3',
          LastAuthenticated: new Date('2025-03-08T00:00:00Z'),
          TrackedActionsLastAccessed: [
            {
              ActionName: 'GetObject',
              LastAccessedTime: new Date('2025-03-08T00:00:00Z'),
              LastAccessedRegion: 'eu-west-1',
              LastAccessedEntity: ROLE,
            },
            { ActionName: 'PutObject' },
          ],
        },
      ],
    });
    const sleeps: number[] = [];
    const uses = await new LastAccessed(iam, { sleep: async (ms) => void sleeps.push(ms), pollIntervalMs: 2000 }).uses(ROLE);

    expect(mock.commandCalls(GenerateServiceLastAccessedDetailsCommand)[0]!.args[0].input).toEqual({
      Arn: ROLE,
      Granularity: 'ACTION_LEVEL',
    });
    expect(sleeps).toEqual([2000]);
    expect(uses).toEqual([
      { roleArn: ROLE, action: 'ecr:*', at: '2025-03-09T12:00:00.000Z', source: 'last-accessed' },
      { roleArn: ROLE, action: 's3:GetObject', at: '2025-03-08T00:00:00.000Z', source: 'last-accessed' },
    ]);
  });

  it('a FAILED job is an AdapterError with the job error', async () => {
    const iam = new IAMClient({ region: 'us-east-1' });
    const mock = mockClient(iam);
    mock.on(GenerateServiceLastAccessedDetailsCommand).resolves({ JobId: 'job-2' });
    mock.on(GetServiceLastAccessedDetailsCommand).resolves({
      JobStatus: 'FAILED',
      JobCreationDate: created,
      JobCompletionDate: created,
      ServicesLastAccessed: [],
      Error: { Code: 'InternalError', Message: 'try again later' },
    });
    const err = await new LastAccessed(iam, { sleep: async () => undefined }).uses(ROLE).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AdapterError);
    expect((err as Error).message).toMatch(/try again later/);
  });

  it('wraps SDK errors as AdapterError keeping the cause', async () => {
    const iam = new IAMClient({ region: 'us-east-1' });
    const mock = mockClient(iam);
    const boom = Object.assign(new Error('Rate exceeded'), { name: 'Throttling' });
    mock.on(GenerateServiceLastAccessedDetailsCommand).rejects(boom);
    const err = await new LastAccessed(iam, { sleep: async () => undefined }).uses(ROLE).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AdapterError);
    expect((err as AdapterError).operation).toBe('GenerateServiceLastAccessedDetails');
    expect((err as AdapterError).cause).toBe(boom);
  });
});
