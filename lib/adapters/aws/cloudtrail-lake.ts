// Optional CloudTrail Lake source: one SQL query per role and window, polled to completion.
import {
  CancelQueryCommand,
  DescribeQueryCommand,
  GetQueryResultsCommand,
  StartQueryCommand,
  type CloudTrailClient,
} from '@aws-sdk/client-cloudtrail';
import type { CloudTrail, CloudTrailPage, CloudTrailQuery } from '../../app/ports.js';
import { AdapterError, InputError } from '../../errors.js';
import { realSleep, type Sleep } from '../../app/rate-limit.js';

export interface LakeQuery {
  /** Event data store ID, or its ARN (the ID is the part after `eventdatastore/`). */
  eventDataStore: string;
  roleArn: string;
  start: string | Date;
  end: string | Date;
  /** Only failed calls (errorCode set); otherwise successful calls too, for evidence of use. */
  denialsOnly?: boolean;
}

/** The table name is inlined in SQL (it cannot be a parameter): only letters, digits and dashes pass. */
export function eventDataStoreId(idOrArn: string): string {
  const id = /^arn:[^:]+:cloudtrail:[^:]*:\d{12}:eventdatastore\/(.+)$/.exec(idOrArn)?.[1] ?? idOrArn;
  if (!/^[A-Za-z0-9-]{1,128}$/.test(id)) {
    throw new InputError('event data store ID may contain only letters, digits and dashes', 'cloudtrail-lake', 'eventDataStore');
  }
  return id;
}

/** A SQL string literal: single quotes doubled (Trino/Presto rules; backslash is not an escape). */
export function sqlString(value: string): string {
  // Control characters (newlines included) have no place in an ARN; refusing them keeps the literal on one line.
  if ([...value].some((c) => c.charCodeAt(0) < 0x20))
    throw new InputError('control characters are not allowed in a query value', 'cloudtrail-lake', 'roleArn');
  return `'${value.replace(/'/g, "''")}'`;
}

function lakeTime(x: string | Date, field: string): string {
  const ms = x instanceof Date ? x.getTime() : Date.parse(x);
  if (Number.isNaN(ms)) throw new InputError(`not a timestamp: ${String(x)}`, 'cloudtrail-lake', field);
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

// Aliased so result rows have unambiguous column names (several fields are called `arn` or `type`).
const COLUMNS = [
  'eventID',
  'eventTime',
  'eventSource',
  'eventName',
  'awsRegion',
  'recipientAccountId',
  'errorCode',
  'errorMessage',
  'userIdentity.type AS identityType',
  'userIdentity.arn AS identityArn',
  'userIdentity.accountId AS identityAccount',
  'userIdentity.sessionContext.sessionIssuer.arn AS issuerArn',
  'userIdentity.sessionContext.sessionIssuer.type AS issuerType',
];

export function buildLakeQuery(q: LakeQuery): string {
  const table = eventDataStoreId(q.eventDataStore);
  const where = [
    // Always bound eventTime: Lake bills per byte scanned and an unbounded query scans everything.
    `eventTime >= ${sqlString(lakeTime(q.start, 'start'))}`,
    `eventTime < ${sqlString(lakeTime(q.end, 'end'))}`,
    `userIdentity.sessionContext.sessionIssuer.arn = ${sqlString(q.roleArn)}`,
  ];
  if (q.denialsOnly ?? true) where.push('errorCode IS NOT NULL');
  return `SELECT ${COLUMNS.join(', ')} FROM ${table} WHERE ${where.join(' AND ')} ORDER BY eventTime, eventID`;
}

function lakeTimeToIso(t: string | undefined): string | undefined {
  if (!t) return undefined;
  const iso = t.includes('T') ? t : t.replace(' ', 'T');
  return /[zZ]|[+-]\d\d:?\d\d$/.test(iso) ? iso : `${iso}Z`;
}

/** A result row (a list of one-key objects) → a CloudTrail-shaped record the evidence engine reads. */
export function rowToRecord(row: Record<string, string>[]): Record<string, unknown> {
  const v: Record<string, string> = {};
  for (const cell of row) Object.assign(v, cell);
  const rec: Record<string, unknown> = {
    eventID: v.eventID,
    eventTime: lakeTimeToIso(v.eventTime),
    eventSource: v.eventSource,
    eventName: v.eventName,
    awsRegion: v.awsRegion,
    recipientAccountId: v.recipientAccountId,
    userIdentity: {
      type: v.identityType,
      arn: v.identityArn,
      accountId: v.identityAccount,
      sessionContext: { sessionIssuer: { arn: v.issuerArn, type: v.issuerType } },
    },
  };
  if (v.errorCode) rec.errorCode = v.errorCode;
  if (v.errorMessage) rec.errorMessage = v.errorMessage;
  return rec;
}

export interface LakeDeps {
  sleep?: Sleep;
  pollIntervalMs?: number;
  maxPolls?: number;
}

export class CloudTrailLake {
  private readonly sleep: Sleep;
  private readonly pollIntervalMs: number;
  private readonly maxPolls: number;

  constructor(
    private readonly client: CloudTrailClient,
    deps: LakeDeps = {},
  ) {
    this.sleep = deps.sleep ?? realSleep;
    this.pollIntervalMs = deps.pollIntervalMs ?? 2_000;
    this.maxPolls = deps.maxPolls ?? 150;
  }

  async records(q: LakeQuery): Promise<Record<string, unknown>[]> {
    const statement = buildLakeQuery(q);
    const started = await this.call('StartQuery', () => this.client.send(new StartQueryCommand({ QueryStatement: statement })));
    const queryId = started.QueryId;
    if (!queryId) throw new AdapterError('no QueryId returned', 'cloudtrail', 'StartQuery');
    await this.waitFinished(queryId);
    const out: Record<string, unknown>[] = [];
    let token: string | undefined;
    do {
      const page = await this.call('GetQueryResults', () =>
        this.client.send(new GetQueryResultsCommand({ QueryId: queryId, ...(token ? { NextToken: token } : {}) })),
      );
      for (const row of page.QueryResultRows ?? []) out.push(rowToRecord(row));
      token = page.NextToken;
    } while (token);
    return out;
  }

  private async waitFinished(queryId: string): Promise<void> {
    for (let poll = 0; poll < this.maxPolls; poll++) {
      const d = await this.call('DescribeQuery', () => this.client.send(new DescribeQueryCommand({ QueryId: queryId })));
      switch (d.QueryStatus) {
        case 'FINISHED':
          return;
        case 'FAILED':
        case 'CANCELLED':
        case 'TIMED_OUT':
          throw new AdapterError(`query ${queryId} ${d.QueryStatus}: ${d.ErrorMessage ?? 'no message'}`, 'cloudtrail', 'DescribeQuery');
        default:
          await this.sleep(this.pollIntervalMs);
      }
    }
    // Stop paying for a query nobody will read.
    await this.client.send(new CancelQueryCommand({ QueryId: queryId })).catch(() => undefined);
    throw new AdapterError(`query ${queryId} not finished after ${this.maxPolls} polls`, 'cloudtrail', 'DescribeQuery');
  }

  private async call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (cause) {
      if (cause instanceof AdapterError) throw cause;
      throw new AdapterError('request failed', 'cloudtrail', operation, { cause });
    }
  }
}

/** The backfill's CloudTrail source when an event data store is configured: one query per role (instead of the
 *  2-per-second LookupEvents scan). The cursor is the next role's position, so a stopped run resumes with it. */
export class CloudTrailLakeSource implements CloudTrail {
  constructor(
    private readonly lake: Pick<CloudTrailLake, 'records'>,
    private readonly eventDataStore: string,
  ) {}

  async *pages(q: CloudTrailQuery): AsyncIterable<CloudTrailPage> {
    for (let i = Number(q.resume ?? 0); i < q.roles.length; i++) {
      const records = await this.lake.records({ eventDataStore: this.eventDataStore, roleArn: q.roles[i]!, start: q.start, end: q.end });
      yield { records, ...(i + 1 < q.roles.length ? { cursor: String(i + 1) } : {}) };
    }
  }
}
