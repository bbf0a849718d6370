// perEvent and sweepMoto: the real handlers and the real sweep against moto, counting every AWS call with an SDK
// middleware on every client and measuring this process's CPU time.
import { RegisterTaskDefinitionCommand, type RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { mapLimit } from '../../lib/engine/concurrency.js';
import { startMotoServer } from '../../lib/dev/moto-server.js';
import { runSweep, type SweepDeps } from '../../lib/app/sweep.js';
import type { Pipeline as PipelineDeps } from '../../lib/composition.js';
import { loadEventJson } from '../support/corpus.js';
import { everyClient } from '../support/fault-injection.js';
import type { AwsTestConfig } from '../support/moto.js';
import { createWorld, eventsAccount, eventsTaskDefinitions, handlers, REGION, roleArn, SCENARIO } from '../support/world/index.js';
import { generatedTaskDefinition } from './generate.js';
import { MemoryFindingsStore as MemoryFindings, MemoryRoleIndex as MemoryIndex } from '../support/memory/ports.js';

export class CallCounter {
  readonly calls = new Map<string, number>();
  /** Wall milliseconds spent inside each operation (moto's own speed shows here). */
  readonly ms = new Map<string, number>();
  total(): number {
    return [...this.calls.values()].reduce((a, b) => a + b, 0);
  }
  reset(): void {
    this.calls.clear();
    this.ms.clear();
  }
  msByOperation(): Record<string, number> {
    return Object.fromEntries([...this.ms].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, Math.round(v)]));
  }
  byOperation(): Record<string, number> {
    return Object.fromEntries([...this.calls].sort(([a], [b]) => a.localeCompare(b)));
  }
  /** Counts each command once (initialize step: retries are not new calls). */
  attach(deps: PipelineDeps): void {
    for (const client of everyClient(deps.clients.home, [REGION, 'us-east-1'])) {
      (client as unknown as { middlewareStack: { add(mw: unknown, o: object): void } }).middlewareStack.add(
        (next: (a: unknown) => Promise<unknown>, ctx: { clientName?: string; commandName?: string }) => async (args: unknown) => {
          const key = `${(ctx.clientName ?? '').replace(/Client$/, '')}:${(ctx.commandName ?? '').replace(/Command$/, '')}`;
          this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
          const t = performance.now();
          try {
            return await next(args);
          } finally {
            this.ms.set(key, (this.ms.get(key) ?? 0) + performance.now() - t);
          }
        },
        { step: 'initialize', name: 'leashBenchCounter', override: true },
      );
    }
  }
}

const cpuMs = (start: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(start);
  return Math.round((d.user + d.system) / 100) / 10;
};

/** The events' account with one role (web-exec) shared by 10 live task definitions (web-api:2 is deregistered). */
function tenForWebExec(): RegisterTaskDefinitionCommandInput[] {
  const base = eventsTaskDefinitions(); // web-api ×3 and web-worker ×4 use web-exec
  const cron = base[3]!;
  const extra = [1, 2, 3, 4].map((i) => ({
    ...cron,
    family: 'web-cron',
    containerDefinitions: cron.containerDefinitions!.map((c) => ({ ...c, image: `${c.image}-cron${i}` })),
  }));
  return [...base, ...extra];
}

async function withMoto<T>(fn: (moto: AwsTestConfig) => Promise<T>): Promise<T> {
  const server = await startMotoServer();
  try {
    return await fn({
      endpoint: server.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
  } finally {
    await server.stop();
  }
}

export function benchPerEvent() {
  return withMoto(async (moto) => {
    const w = await createWorld(moto, eventsAccount({ taskDefinitions: tenForWebExec() }));
    await w.reindex();
    const deps = w.deps;
    const shared = (await deps.index.entriesForRole(roleArn('web-exec'))).length;
    const counter = new CallCounter();
    counter.attach(deps);
    const fns = handlers(deps).byName;
    const runAll = async (measure: boolean) => {
      const out: Record<string, unknown>[] = [];
      for (const [fn, file] of SCENARIO) {
        counter.reset();
        const cpu = process.cpuUsage();
        const started = performance.now();
        let error: string | undefined;
        try {
          await fns[fn]!(loadEventJson(file));
        } catch (err) {
          error = `${(err as Error).name}: ${(err as Error).message}`;
        }
        if (measure) {
          out.push({
            event: file.replace(/\.json$/, ''),
            function: fn,
            awsCalls: counter.total(),
            cpuMs: cpuMs(cpu),
            wallMs: Math.round(performance.now() - started),
            calls: counter.byOperation(),
            ...(error ? { error } : {}),
          });
        }
      }
      return out;
    };
    await runAll(false); // warm-up: JIT, connection pools, the AWS managed policy cache
    return { sharedTaskDefinitions: shared, events: await runAll(true) };
  });
}

/**
 * Leash's own state (index, findings, sweep pages) in memory instead of moto's DynamoDB: moto deep-copies the whole
 * table on every TransactWriteItems, so with thousands of revisions its DynamoDB, not Leash, sets the time.
 * ECS (list, describe, in-use) and IAM still go to moto through the real SDK clients.
 */
function memoryState(deps: SweepDeps): SweepDeps {
  const index = new MemoryIndex();
  const pages = new Map<string, string[]>();
  let cursor: string | undefined;
  return {
    ...deps,
    index,
    findings: new MemoryFindings(),
    sweep: {
      ...deps.sweep,
      pointers: async (arns) => {
        const out = new Map<string, { roleArn?: string; status?: string }>();
        for (const a of arns) {
          const e = index.entries.get(a);
          if (e) out.set(a, { ...(e.executionRoleArn ? { roleArn: e.executionRoleArn } : {}), status: e.status });
        }
        return out;
      },
      putLivePage: async (id, page, arns) => void pages.set(`${id}#${page}`, arns),
      livePages: async (id, n) => new Set(Array.from({ length: n }, (_, i) => pages.get(`${id}#${i}`) ?? []).flat()),
      getCursor: async () => cursor,
      putCursor: async (c) => void (cursor = c),
    },
  };
}

export function benchSweepMoto(revisions = 2000, opts: { stateInMemory?: boolean } = {}) {
  return withMoto(async (moto) => {
    // 20 families × 100 revisions over 5 roles, registered 8 at a time.
    const tds = Array.from({ length: revisions }, (_, i) => {
      const td = generatedTaskDefinition(i % 20, roleArn(`exec-${i % 5}`));
      return {
        family: td.family!,
        executionRoleArn: td.executionRoleArn!,
        requiresCompatibilities: ['FARGATE' as const],
        networkMode: 'awsvpc' as const,
        cpu: '256',
        memory: '512',
        containerDefinitions: td.containerDefinitions.map((c) => ({ ...c, image: `${c.image}-${i}` })),
      } as RegisterTaskDefinitionCommandInput;
    });
    const w = await createWorld(moto, eventsAccount({ taskDefinitions: [] }));
    const ecs = w.clients.ecs;
    const regStart = performance.now();
    await mapLimit(tds, 8, (td) => ecs.send(new RegisterTaskDefinitionCommand(td)));
    const registerMs = Math.round(performance.now() - regStart);
    const deps = w.deps;
    const counter = new CallCounter();
    counter.attach(deps);
    const cpu = process.cpuUsage();
    const started = performance.now();
    const base: SweepDeps = { ...deps, concurrency: 4, timeLeft: () => Number.POSITIVE_INFINITY };
    const res = await runSweep(opts.stateInMemory ? memoryState(base) : base, { restart: true });
    return {
      revisions,
      leashState: opts.stateInMemory ? 'in memory (moto DynamoDB deep-copies its table per transaction)' : 'moto DynamoDB',
      families: 20,
      roles: 5,
      registerMs,
      complete: res.complete,
      described: res.cursor.described,
      failedItems: res.cursor.failedCount ?? res.cursor.failed.length,
      rolesRecomputed: res.roles.length,
      awsCalls: counter.total(),
      wallMs: Math.round(performance.now() - started),
      cpuMs: cpuMs(cpu),
      calls: counter.byOperation(),
      msInOperation: counter.msByOperation(),
    };
  });
}
