// Backfills a role's CloudTrail records with LookupEvents, inside its limits: 2 requests per second per
// account per Region (strictly serial here), one lookup attribute, at most 50 events a page, last 90 days.
import { LookupEventsCommand, type CloudTrailClient, type LookupEventsCommandOutput } from '@aws-sdk/client-cloudtrail';
import type { CloudTrail, CloudTrailPage, CloudTrailQuery } from '../../app/ports.js';
import { AdapterError, InputError } from '../../errors.js';
import { issuerRole, obj } from '../../engine/evidence/record-fields.js';
import { isIgnored } from '../../engine/evidence/types.js';
import {
  backoffDelay,
  defaultBackoff,
  isThrottling,
  lookupEventsLimiter,
  realSleep,
  systemClock,
  type BackoffOptions,
  type Clock,
  type Limiter,
  type LimiterFactory,
  type Sleep,
} from '../../app/rate-limit.js';

/**
 * The services the execution role calls. Why EventSource and not Username: an assumed-role call's
 * Username is the session name, which ECS sets to the task ID (shared by the task role and the execution
 * role), so it cannot select a role; and LookupAttributes takes only one attribute, so the role filter
 * (sessionIssuer.arn) must run client-side over each service's events in the window.
 */
export const EXECUTION_ROLE_EVENT_SOURCES = [
  'ecr.amazonaws.com',
  'logs.amazonaws.com',
  'secretsmanager.amazonaws.com',
  'ssm.amazonaws.com',
  'kms.amazonaws.com',
];

const LOOKBACK_MS = 90 * 86_400_000;
const PAGE_SIZE = 50;

export interface LookupOptions {
  region: string;
  /** Exact `sessionIssuer.arn`; or give `roleName` to match any path. */
  roleArn?: string;
  roleName?: string;
  /** Every assumed role's records in one pass (the caller filters): one scan serves all roles of the Region. */
  allRoles?: boolean;
  start: string | Date;
  end: string | Date;
  /** A `cursor` from an earlier page of the same lookup. */
  resume?: string;
  eventSources?: string[];
}

export interface BackfillPage {
  /** This role's CloudTrail records on the page (denials and successful calls alike). */
  records: unknown[];
  /** The page's NextToken within `eventSource`, when that source has more pages. */
  nextToken?: string;
  eventSource: string;
  /** Where to resume after this page; undefined when the lookup is complete. */
  cursor?: string;
  /** Events on the page before the role filter, and how many of them could not be parsed. */
  scanned: number;
  unreadable: number;
}

interface Cursor {
  v: 1;
  region: string;
  role: string;
  start: number;
  end: number;
  sources: string[];
  index: number;
  token?: string;
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c), 'utf8').toString('base64url');
}

function decodeCursor(s: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Cursor;
    if (c.v !== 1 || !Array.isArray(c.sources) || typeof c.index !== 'number') throw new Error('unknown cursor version');
    return c;
  } catch (cause) {
    throw new InputError('not a backfill cursor', 'resume', '$', { cause });
  }
}

function toMs(x: string | Date, field: string): number {
  const ms = x instanceof Date ? x.getTime() : Date.parse(x);
  if (Number.isNaN(ms)) throw new InputError(`not a timestamp: ${String(x)}`, 'lookup', field);
  return ms;
}

export interface BackfillDeps {
  limiterFor?: LimiterFactory;
  clock?: Clock;
  sleep?: Sleep;
  backoff?: BackoffOptions;
}

export class CloudTrailBackfill implements CloudTrail {
  private readonly limiters = new Map<string, Limiter>();
  private readonly limiterFor: LimiterFactory;
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  private readonly backoff: BackoffOptions;

  /**
   * `clientForRegion` should build clients with `maxAttempts: 1`: retries here go through the limiter,
   * SDK-internal retries would not.
   */
  constructor(
    private readonly clientForRegion: (region: string) => CloudTrailClient,
    deps: BackfillDeps = {},
  ) {
    this.clock = deps.clock ?? systemClock;
    this.sleep = deps.sleep ?? realSleep;
    this.limiterFor = deps.limiterFor ?? lookupEventsLimiter(this.clock, this.sleep);
    this.backoff = deps.backoff ?? defaultBackoff;
  }

  /** The backfill's source: one LookupEvents scan of the Region serves every role (the caller filters by role). */
  async *pages(q: CloudTrailQuery): AsyncIterable<CloudTrailPage> {
    yield* this.lookup({ region: q.region, allRoles: true, start: q.start, end: q.end, ...(q.resume ? { resume: q.resume } : {}) });
  }

  async *lookup(opts: LookupOptions): AsyncGenerator<BackfillPage> {
    const role = opts.roleArn ?? opts.roleName ?? (opts.allRoles ? '*' : undefined);
    if (!role) throw new InputError('roleArn, roleName or allRoles is required', 'lookup', '$');
    const end = toMs(opts.end, 'end');
    // LookupEvents only reaches 90 days back; asking for more silently returns less.
    const start = Math.max(toMs(opts.start, 'start'), this.clock.now() - LOOKBACK_MS);
    if (start > end) throw new InputError('start is after end (or the whole window is older than 90 days)', 'lookup', 'start');
    let cursor: Cursor = {
      v: 1,
      region: opts.region,
      role,
      start,
      end,
      sources: opts.eventSources ?? EXECUTION_ROLE_EVENT_SOURCES,
      index: 0,
    };
    if (opts.resume) {
      const r = decodeCursor(opts.resume);
      if (r.region !== opts.region || r.role !== role || r.end !== end) {
        throw new InputError('cursor belongs to another lookup (region, role or window differ)', 'resume', '$');
      }
      cursor = r; // keeps the original start: NextToken is only valid with the same parameters
    }
    const client = this.clientForRegion(opts.region);
    const limiter = this.limiter(opts.region);
    for (let i = cursor.index; i < cursor.sources.length; i++) {
      const eventSource = cursor.sources[i]!;
      let token = i === cursor.index ? cursor.token : undefined;
      do {
        const res = await this.page(client, limiter, eventSource, cursor.start, cursor.end, token);
        if (res.NextToken !== undefined && res.NextToken === token) {
          throw new AdapterError('NextToken did not advance', 'cloudtrail', 'LookupEvents');
        }
        token = res.NextToken;
        const next: Cursor | undefined = token
          ? { ...cursor, index: i, token }
          : i + 1 < cursor.sources.length
            ? { ...cursor, index: i + 1, token: undefined }
            : undefined;
        const { records, unreadable } = this.ofRole(res, opts);
        const page: BackfillPage = { records, eventSource, scanned: res.Events?.length ?? 0, unreadable };
        if (token) page.nextToken = token;
        if (next) page.cursor = encodeCursor(next);
        yield page;
      } while (token);
    }
  }

  private limiter(region: string): Limiter {
    let l = this.limiters.get(region);
    if (!l) {
      l = this.limiterFor(region);
      this.limiters.set(region, l);
    }
    return l;
  }

  /** One page; a throttled request is retried (same NextToken) after a jittered, bounded backoff. */
  private async page(
    client: CloudTrailClient,
    limiter: Limiter,
    eventSource: string,
    start: number,
    end: number,
    token: string | undefined,
  ): Promise<LookupEventsCommandOutput> {
    for (let attempt = 0; ; attempt++) {
      await limiter.acquire();
      try {
        return await client.send(
          new LookupEventsCommand({
            LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: eventSource }],
            StartTime: new Date(start),
            EndTime: new Date(end),
            MaxResults: PAGE_SIZE,
            ...(token ? { NextToken: token } : {}),
          }),
        );
      } catch (err) {
        if (!isThrottling(err) || attempt + 1 >= this.backoff.maxAttempts) {
          throw new AdapterError(
            isThrottling(err) ? `still throttled after ${attempt + 1} attempts` : 'request failed',
            'cloudtrail',
            'LookupEvents',
            { cause: err },
          );
        }
        await this.sleep(backoffDelay(attempt, this.backoff));
      }
    }
  }

  private ofRole(res: LookupEventsCommandOutput, opts: LookupOptions): { records: unknown[]; unreadable: number } {
    const records: unknown[] = [];
    let unreadable = 0;
    for (const ev of res.Events ?? []) {
      let rec: unknown;
      try {
        rec = JSON.parse(ev.CloudTrailEvent ?? '');
      } catch {
        unreadable++;
        continue;
      }
      const o = obj(rec);
      const who = o ? issuerRole(o) : undefined;
      if (!who || isIgnored(who)) continue;
      if (opts.allRoles || (opts.roleArn ? who.roleArn === opts.roleArn : who.roleName === opts.roleName)) records.push(rec);
    }
    return { records, unreadable };
  }
}
