// A virtual clock for in-process simulations: time moves only when every task is waiting on a sleep, and then jumps
// straight to the earliest wake-up. The fakes' rate limits, their latencies and the caller's backoffs all share it,
// so minutes of simulated throttling run in a second of real time.
export class VirtualClock {
  private t = 0;
  private seq = 0;
  private timers: { at: number; seq: number; wake: () => void }[] = [];

  constructor(private readonly epochMs = Date.parse('2026-11-20T10:00:00.000Z')) {}

  /** Virtual milliseconds since the clock started. */
  elapsed(): number {
    return this.t;
  }

  /** Epoch milliseconds (the `Clock` shape of lib/adapters/aws/rate-limiter.ts). */
  now = (): number => this.epochMs + this.t;

  iso = (): string => new Date(this.epochMs + this.t).toISOString();

  sleep = (ms: number): Promise<void> =>
    new Promise((wake) => {
      this.timers.push({ at: this.t + Math.max(0, ms), seq: this.seq++, wake });
    });

  /** Drives `work` to completion, advancing virtual time whenever nothing else can run. */
  async run<T>(work: Promise<T>): Promise<T> {
    let settled = false;
    work.then(
      () => (settled = true),
      () => (settled = true),
    );
    while (!settled) {
      // Let every promise continuation that does not need time run first.
      await new Promise<void>((r) => setImmediate(r));
      if (settled) break;
      if (!this.timers.length) throw new Error('virtual clock: the work is waiting on something other than the clock');
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const at = this.timers[0]!.at;
      this.t = Math.max(this.t, at);
      while (this.timers.length && this.timers[0]!.at <= this.t) this.timers.shift()!.wake();
    }
    return work;
  }
}
