// The sweep's IAM reads do not depend on its describes: each role's grant and instance-profile membership are read
// as soon as the first revision naming the role is indexed, beside the describes, and served once to the role's
// recompute (a second read of the same role goes to IAM again). Paced by its own small concurrency.
import type { RoleGrant } from '../engine/types.js';
import type { Roles } from './ports.js';

type Read = { grant: Promise<RoleGrant | undefined>; inInstanceProfile: Promise<boolean> };

export class GrantPrefetch {
  private readonly reads = new Map<string, Read>();
  private readonly waiting: (() => void)[] = [];
  private running = 0;

  constructor(
    private readonly roles: Pick<Roles, 'readGrant' | 'inInstanceProfile'>,
    private readonly concurrency = 1,
  ) {}

  /** Starts reading `roleArn` in the background (once). Failures surface when the recompute takes the read. */
  want(roleArn: string | undefined): void {
    if (!roleArn || this.reads.has(roleArn)) return;
    const grant = this.slot(() => this.roles.readGrant(roleArn));
    const inInstanceProfile = grant.then((g) => (g ? this.slot(() => this.roles.inInstanceProfile(g.roleArn)) : false));
    // Read later (or never): keep an unhandled rejection from ending the process; the taker sees the error.
    grant.catch(() => undefined);
    inInstanceProfile.catch(() => undefined);
    this.reads.set(roleArn, { grant, inInstanceProfile });
  }

  /** Roles that serve each prefetched read once, then read IAM directly. */
  asRoles(): Pick<Roles, 'readGrant' | 'inInstanceProfile'> {
    const taken = new Map<string, Promise<boolean>>();
    return {
      readGrant: async (roleArn) => {
        const r = this.reads.get(roleArn);
        if (!r) return this.roles.readGrant(roleArn);
        this.reads.delete(roleArn);
        const g = await r.grant;
        if (g) taken.set(g.roleArn, r.inInstanceProfile);
        return g;
      },
      inInstanceProfile: (roleArn) => {
        const p = taken.get(roleArn);
        taken.delete(roleArn);
        return p ?? this.roles.inInstanceProfile(roleArn);
      },
    };
  }

  private async slot<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) await new Promise<void>((r) => this.waiting.push(r));
    this.running++;
    try {
      return await fn();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}
