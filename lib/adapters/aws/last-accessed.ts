// IAM last-accessed data as evidence of use. Never evidence of non-use: it lags about 4 hours, only counts
// identity-policy access, and (as of 2023) is not action-level for ecr/logs/secretsmanager/ssm/kms.
import {
  GenerateServiceLastAccessedDetailsCommand,
  GetServiceLastAccessedDetailsCommand,
  type GetServiceLastAccessedDetailsCommandOutput,
  type IAMClient,
} from '@aws-sdk/client-iam';
import type { LastAccessed } from '../../app/ports.js';
import { AdapterError } from '../../errors.js';
import type { Use } from '../../engine/evidence/types.js';
import { realSleep, type Sleep } from '../../app/rate-limit.js';

export interface LastAccessedDeps {
  sleep?: Sleep;
  pollIntervalMs?: number;
  maxPolls?: number;
}

export class IamLastAccessed implements LastAccessed {
  private readonly sleep: Sleep;
  private readonly pollIntervalMs: number;
  private readonly maxPolls: number;

  constructor(
    private readonly iam: IAMClient,
    deps: LastAccessedDeps = {},
  ) {
    this.sleep = deps.sleep ?? realSleep;
    this.pollIntervalMs = deps.pollIntervalMs ?? 1_000;
    this.maxPolls = deps.maxPolls ?? 60;
  }

  /**
   * Uses of `roleArn` by service and, where IAM tracks actions, by action. A service with tracked actions
   * yields one Use per action that has a last-access time; a service without tracked action data yields one
   * service-level Use `<namespace>:*`. Services never accessed yield nothing: this is evidence of use only,
   * and a permission missing here may still be needed (a task that starts once a quarter, PutLogEvents, …).
   */
  async uses(roleArn: string): Promise<Use[]> {
    const gen = await this.call('GenerateServiceLastAccessedDetails', () =>
      this.iam.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: roleArn, Granularity: 'ACTION_LEVEL' })),
    );
    const jobId = gen.JobId;
    if (!jobId) throw new AdapterError('no JobId returned', 'iam', 'GenerateServiceLastAccessedDetails');
    let page = await this.completed(jobId);
    const out: Use[] = [];
    for (;;) {
      out.push(...toUses(roleArn, page));
      if (!page.IsTruncated || !page.Marker) break;
      const marker = page.Marker;
      page = await this.call('GetServiceLastAccessedDetails', () =>
        this.iam.send(new GetServiceLastAccessedDetailsCommand({ JobId: jobId, Marker: marker })),
      );
    }
    return out;
  }

  private async completed(jobId: string): Promise<GetServiceLastAccessedDetailsCommandOutput> {
    for (let poll = 0; poll < this.maxPolls; poll++) {
      const res = await this.call('GetServiceLastAccessedDetails', () =>
        this.iam.send(new GetServiceLastAccessedDetailsCommand({ JobId: jobId })),
      );
      if (res.JobStatus === 'COMPLETED') return res;
      if (res.JobStatus === 'FAILED') {
        throw new AdapterError(`job ${jobId} failed: ${res.Error?.Message ?? 'no message'}`, 'iam', 'GetServiceLastAccessedDetails');
      }
      await this.sleep(this.pollIntervalMs);
    }
    throw new AdapterError(`job ${jobId} not completed after ${this.maxPolls} polls`, 'iam', 'GetServiceLastAccessedDetails');
  }

  private async call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (cause) {
      if (cause instanceof AdapterError) throw cause;
      throw new AdapterError('request failed', 'iam', operation, { cause });
    }
  }
}

function toUses(roleArn: string, page: GetServiceLastAccessedDetailsCommandOutput): Use[] {
  const out: Use[] = [];
  for (const s of page.ServicesLastAccessed ?? []) {
    if (!s.ServiceNamespace || !s.LastAuthenticated) continue;
    const tracked = (s.TrackedActionsLastAccessed ?? []).filter((a) => a.ActionName && a.LastAccessedTime);
    if (tracked.length === 0) {
      out.push({ roleArn, action: `${s.ServiceNamespace}:*`, at: s.LastAuthenticated.toISOString(), source: 'last-accessed' });
      continue;
    }
    for (const a of tracked) {
      out.push({
        roleArn,
        action: `${s.ServiceNamespace}:${a.ActionName}`,
        at: a.LastAccessedTime!.toISOString(),
        source: 'last-accessed',
      });
    }
  }
  return out;
}
