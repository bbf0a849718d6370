import { CloudTrailClient, LookupEventsCommand, ThrottlingException, type LookupEventsCommandInput } from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CloudTrailBackfill, EXECUTION_ROLE_EVENT_SOURCES, type BackfillPage } from '../../../lib/adapters/aws/cloudtrail-backfill.js';
import { AdapterError, InputError } from '../../../lib/errors.js';
import { denialFromCloudTrail, isIgnored } from '../../../lib/engine/evidence/index.js';
import { denied, identity, record } from '../../engine/evidence/fixtures.js';
import { fakeTime, maxInWindow } from './fake-time.js';

const ROLE = 'arn:aws:iam::111122223333:role/service-role/app-exec';
const TASK_ROLE = 'arn:aws:iam::111122223333:role/app-task';
const SESSION_OF_TASK_ROLE = 'arn:aws:sts::111122223333:assumed-role/app-task/a20b735e9bbc41598825b6f0269f6fef';

// Pages per event source: [token that fetches it, token it returns].
const PAGES: Record<string, [string | undefined, string | undefined][]> = {
  'secretsmanager.amazonaws.com': [
    [undefined, 'sm-2'],
    ['sm-2', 'sm-3'],
    ['sm-3', undefined],
  ],
  'ssm.amazonaws.com': [
    [undefined, 'ssm-2'],
    ['ssm-2', undefined],
  ],
};
const pageId = (source: string, token: string | undefined): string => `${source.split('.')[0]}#${token ?? 'first'}`;

function events(source: string, token: string | undefined): { CloudTrailEvent: string; EventId: string }[] {
  const id = pageId(source, token);
  const mine = denied('Access Denied', { eventID: `${id}/exec`, eventSource: source });
  // Same task-ID session name, other role: must be filtered out by sessionIssuer.arn.
  const theirs = record({ eventID: `${id}/task`, eventSource: source, userIdentity: identity(TASK_ROLE, SESSION_OF_TASK_ROLE) });
  return [
    { EventId: `${id}/exec`, CloudTrailEvent: JSON.stringify(mine) },
    { EventId: `${id}/task`, CloudTrailEvent: JSON.stringify(theirs) },
  ];
}

interface Call {
  at: number;
  input: LookupEventsCommandInput;
  throttled: boolean;
}

function setup(throttle: Record<string, number> = {}) {
  const time = fakeTime();
  const client = new CloudTrailClient({ region: 'eu-west-1', maxAttempts: 1 });
  const mock = mockClient(client);
  const calls: Call[] = [];
  const remaining = { ...throttle };
  mock.on(LookupEventsCommand).callsFake(async (input: LookupEventsCommandInput) => {
    const source = input.LookupAttributes?.[0]?.AttributeValue ?? '';
    const id = pageId(source, input.NextToken);
    if ((remaining[id] ?? 0) > 0) {
      remaining[id]!--;
      calls.push({ at: time.clock.now(), input, throttled: true });
      throw new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });
    }
    calls.push({ at: time.clock.now(), input, throttled: false });
    const pages = PAGES[source] ?? [[undefined, undefined]];
    const page = pages.find(([t]) => t === input.NextToken);
    if (!page) throw new Error(`unexpected token ${input.NextToken}`);
    return { Events: events(source, input.NextToken), ...(page[1] ? { NextToken: page[1] } : {}) };
  });
  const backfill = new CloudTrailBackfill(() => client, {
    clock: time.clock,
    sleep: time.sleep,
    backoff: { baseMs: 500, capMs: 8000, maxAttempts: 5, random: () => 0.5 },
  });
  return { time, mock, calls, backfill };
}

const window = { region: 'eu-west-1', roleArn: ROLE, start: '2023-11-01T00:00:00Z', end: '2023-11-14T22:13:20Z' };
// EXECUTION_ROLE_EVENT_SOURCES order: ecr, logs, secretsmanager, ssm, kms.
const IN_ORDER = [
  'ecr#first',
  'logs#first',
  'secretsmanager#first',
  'secretsmanager#sm-2',
  'secretsmanager#sm-3',
  'ssm#first',
  'ssm#ssm-2',
  'kms#first',
];
const ALL_PAGES = [...IN_ORDER].sort();

async function collect(it: AsyncIterable<BackfillPage>, stopAfter = Infinity): Promise<BackfillPage[]> {
  const out: BackfillPage[] = [];
  for await (const p of it) {
    out.push(p);
    if (out.length >= stopAfter) break; // a Lambda running out of time
  }
  return out;
}

const fetched = (calls: Call[]): string[] =>
  calls.filter((c) => !c.throttled).map((c) => pageId(c.input.LookupAttributes![0]!.AttributeValue!, c.input.NextToken));

describe('CloudTrailBackfill', () => {
  let s: ReturnType<typeof setup>;
  beforeEach(() => {
    s = setup({ 'secretsmanager#sm-2': 1, 'ssm#first': 2 });
  });

  it('fetches every page exactly once, in order, retrying throttled pages with the same token', async () => {
    const pages = await collect(s.backfill.lookup(window));
    expect(EXECUTION_ROLE_EVENT_SOURCES.map((x) => x.split('.')[0])).toEqual(['ecr', 'logs', 'secretsmanager', 'ssm', 'kms']);
    expect(fetched(s.calls)).toEqual(IN_ORDER);
    expect([...new Set(fetched(s.calls))].sort()).toEqual(ALL_PAGES);
    expect(fetched(s.calls)).toHaveLength(ALL_PAGES.length);
    const throttled = s.calls
      .filter((c) => c.throttled)
      .map((c) => pageId(c.input.LookupAttributes![0]!.AttributeValue!, c.input.NextToken));
    expect(throttled).toEqual(['secretsmanager#sm-2', 'ssm#first', 'ssm#first']);
    expect(pages.map((p) => p.eventSource)).toEqual(
      s.calls.filter((c) => !c.throttled).map((c) => c.input.LookupAttributes![0]!.AttributeValue),
    );
    // The last page ends the lookup; every other page carries a cursor.
    expect(pages.at(-1)!.cursor).toBeUndefined();
    expect(pages.slice(0, -1).every((p) => typeof p.cursor === 'string')).toBe(true);
  });

  it('never makes more than 2 LookupEvents calls in any one-second window, retries included', async () => {
    await collect(s.backfill.lookup(window));
    const times = s.calls.map((c) => c.at);
    expect(times.length).toBe(ALL_PAGES.length + 3);
    expect(maxInWindow(times, 1000)).toBeLessThanOrEqual(2);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(500);
  });

  it('asks with one EventSource attribute, 50 results a page, over the window', async () => {
    await collect(s.backfill.lookup(window));
    const first = s.calls[0]!.input;
    expect(first.LookupAttributes).toEqual([{ AttributeKey: 'EventSource', AttributeValue: 'ecr.amazonaws.com' }]);
    expect(first.MaxResults).toBe(50);
    expect(first.StartTime).toEqual(new Date(window.start));
    expect(first.EndTime).toEqual(new Date(window.end));
  });

  it("keeps only the role's records (the task role shares the session name) and they parse as denials", async () => {
    const pages = await collect(s.backfill.lookup(window));
    const records = pages.flatMap((p) => p.records);
    expect(records).toHaveLength(ALL_PAGES.length);
    for (const r of records) {
      const d = denialFromCloudTrail(r);
      expect(isIgnored(d) ? d.ignored : d.roleArn).toBe(ROLE);
    }
    expect(pages.every((p) => p.scanned === 2)).toBe(true);
  });

  it('resumes from a cursor after an interruption without fetching earlier pages again', async () => {
    const first = await collect(s.backfill.lookup(window), 4);
    const cursor = first.at(-1)!.cursor!;
    const before = fetched(s.calls);
    expect(before).toEqual(IN_ORDER.slice(0, 4));

    const fresh = setup();
    const rest = await collect(fresh.backfill.lookup({ ...window, resume: cursor }));
    const after = fetched(fresh.calls);
    expect(after[0]).toBe('secretsmanager#sm-3');
    expect(after.filter((p) => before.includes(p))).toEqual([]);
    expect([...before, ...after].sort()).toEqual(ALL_PAGES);
    expect(first.length + rest.length).toBe(ALL_PAGES.length);
  });

  it('resumes at the next event source when the interrupted page was the last of its source', async () => {
    const first = await collect(s.backfill.lookup(window), 5);
    expect(first.at(-1)!.nextToken).toBeUndefined();
    const fresh = setup();
    await collect(fresh.backfill.lookup({ ...window, resume: first.at(-1)!.cursor! }));
    expect(fetched(fresh.calls)).toEqual(IN_ORDER.slice(5));
  });

  it('refuses a cursor from another lookup and a garbage cursor', async () => {
    const [p] = await collect(s.backfill.lookup(window), 1);
    await expect(
      collect(s.backfill.lookup({ ...window, roleArn: 'arn:aws:iam::111122223333:role/other', resume: p!.cursor! })),
    ).rejects.toBeInstanceOf(InputError);
    await expect(collect(s.backfill.lookup({ ...window, resume: 'not-a-cursor' }))).rejects.toBeInstanceOf(InputError);
  });

  it('gives up with an AdapterError after the bounded number of throttled attempts', async () => {
    const t = setup({ 'ecr#first': 99 });
    const err = await collect(t.backfill.lookup(window)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AdapterError);
    expect((err as AdapterError).cause).toBeInstanceOf(ThrottlingException);
    expect(t.calls).toHaveLength(5);
    expect(t.calls.every((c) => c.throttled && c.input.NextToken === undefined)).toBe(true);
  });

  it('clamps the window start to the 90 days LookupEvents keeps', async () => {
    const t = setup();
    await collect(t.backfill.lookup({ ...window, start: '2020-01-01T00:00:00Z' }), 1);
    // Nothing sleeps before the first call, so the clock read for the clamp is the first call's time.
    expect(t.calls[0]!.input.StartTime).toEqual(new Date(t.calls[0]!.at - 90 * 86_400_000));
  });
});
