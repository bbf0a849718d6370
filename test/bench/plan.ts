// The engine section: the pure pipeline (task definitions → intent → policy), bundled as deployed (esbuild with
// infra/esbuild-options.json) and timed in this process, single-threaded.
//   tdPerSecond   every corpus task definition planned alone, repeated for 2 s after a warm-up
//   sharedRole[]  one role shared by N generated task definitions, N = 10 … 20,000 (median of 3 runs)
//   growth        how the shared-role cost grows with N; N log N passes, clearly more fails
// A time is the smaller of wall-clock and CPU time of this process (process.cpuUsage, GC helper threads included):
// on a quiet machine that is the wall-clock time (the GC's helper threads add CPU time beside it), on a busy one
// the CPU time (other processes stretch the wall clock, not the work). Both are reported.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
import type { intentOf as IntentOfFn } from '../../lib/engine/assess.js';
import type { parseTaskDefinitions as ParseFn } from '../../lib/engine/input/task-definition.js';
import type { deriveIntent as DeriveIntentFn } from '../../lib/engine/intent/index.js';
import type { synthesize as SynthesizeFn } from '../../lib/engine/synth/synthesize.js';
import type { SourcedTaskDefinition } from '../../lib/engine/types.js';
import { listCorpus, readCorpusText, repoRoot } from '../support/corpus.js';
import { generatedRole } from './generate.js';

export const BUDGET = 10_240;
export const GOALS = {
  /** Corpus task definitions planned per second, at least. */
  tdPerSecond: 10_000,
  /** A role shared by this many task definitions … */
  sharedRoleN: 5_000,
  /** … is planned in less than this many milliseconds. */
  sharedRoleMs: 1_000,
  /** Largest exponent k in cost ∝ N^k · log N over N ≥ 1,000 that still counts as N log N. */
  growthExponent: 1.25,
};
const SIZES = [10, 100, 1_000, 5_000, 20_000];
const RUNS = 3;

interface Engine {
  /** What `leash plan` runs: task definitions → intent → policy. */
  analyze: (input: Parameters<typeof IntentOfFn>[0]) => { intent: ReturnType<typeof IntentOfFn>; policy: ReturnType<typeof SynthesizeFn> };
  deriveIntent: typeof DeriveIntentFn;
  synthesize: typeof SynthesizeFn;
  parseTaskDefinitions: typeof ParseFn;
}

/** The deployment's esbuild options (infra/esbuild-options.json, read by serverless-esbuild). */
function deployedOptions(): BuildOptions {
  const o = JSON.parse(readFileSync(join(repoRoot, 'infra/esbuild-options.json'), 'utf8')) as Record<string, unknown>;
  const { exclude: _exclude, outputFileExtension: _ext, ...options } = o;
  return { ...(options as BuildOptions), absWorkingDir: repoRoot, logLevel: 'silent' };
}

/** Bundles the engine's entry points as the functions are deployed and imports the bundle. */
async function bundledEngine(): Promise<{ engine: Engine; bytes: number; dispose: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'leash-bench-engine-'));
  const contents = [
    `import { intentOf } from './lib/engine/assess.ts';`,
    `import { synthesize as synth } from './lib/engine/synth/synthesize.ts';`,
    `export const analyze = (input) => { const intent = intentOf(input); return { intent, policy: synth(intent.requirements) }; };`,
    `export { deriveIntent } from './lib/engine/intent/index.ts';`,
    `export { synthesize } from './lib/engine/synth/synthesize.ts';`,
    `export { parseTaskDefinitions } from './lib/engine/input/task-definition.ts';`,
  ].join('\n');
  const file = join(dir, 'engine.mjs');
  await build({
    ...deployedOptions(),
    stdin: { contents, resolveDir: repoRoot, sourcefile: 'engine-entry.ts', loader: 'ts' },
    outfile: file,
  });
  const engine = (await import(pathToFileURL(file).href)) as Engine;
  return { engine, bytes: statSync(file).size, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

function timed<T>(fn: () => T): { value: T; ms: number; cpuMs: number; wallMs: number } {
  const cpu = process.cpuUsage();
  const wall = performance.now();
  const value = fn();
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  const wallMs = performance.now() - wall;
  return { value, ms: Math.min(cpuMs, wallMs), cpuMs, wallMs };
}

const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function corpus(engine: Engine): { tds: SourcedTaskDefinition[]; skipped: string[] } {
  const tds: SourcedTaskDefinition[] = [];
  const skipped: string[] = [];
  for (const file of listCorpus('task-definitions', '.json')) {
    try {
      tds.push(...engine.parseTaskDefinitions(readCorpusText('task-definitions', file), file));
    } catch (err) {
      skipped.push(`${file}: ${(err as Error).message}`);
    }
  }
  return { tds, skipped };
}

function throughput(engine: Engine, tds: SourcedTaskDefinition[], minMs = 2_000) {
  const once = (): void => {
    for (const td of tds) engine.analyze({ taskDefinitions: [td] });
  };
  for (let i = 0; i < 50; i++) once();
  let runs = 0;
  const { ms, cpuMs, wallMs } = timed(() => {
    const start = performance.now();
    while (performance.now() - start < minMs) {
      once();
      runs++;
    }
  });
  const planned = runs * tds.length;
  return {
    taskDefinitions: tds.length,
    planned,
    tdPerSecond: Math.round((planned * 1000) / ms),
    tdPerSecondCpu: Math.round((planned * 1000) / cpuMs),
    tdPerSecondWall: Math.round((planned * 1000) / wallMs),
  };
}

function sharedRole(engine: Engine, n: number) {
  const tds = generatedRole(n);
  // analyze() is these two steps (no lookups, no grant to compare): timed apart to show where the time goes.
  const runs = Array.from({ length: RUNS }, () => {
    const intent = timed(() => engine.deriveIntent(tds));
    const policy = timed(() => engine.synthesize(intent.value.requirements));
    return { intent, policy, ms: intent.ms + policy.ms, cpuMs: intent.cpuMs + policy.cpuMs, wallMs: intent.wallMs + policy.wallMs };
  });
  const intent = runs[0]!.intent.value;
  const policy = runs[0]!.policy.value;
  // Extra access of the final policy: its (action, name family) pairs beyond the requirements (README, Compaction).
  const extra = new Set(policy.compaction.flatMap((c) => (c.extra ?? []).map((f) => `${c.action} ${f}`)));
  return {
    n,
    ms: round(median(runs.map((r) => r.ms))),
    cpuMs: round(median(runs.map((r) => r.cpuMs))),
    wallMs: round(median(runs.map((r) => r.wallMs))),
    intentMs: round(median(runs.map((r) => r.intent.ms))),
    synthMs: round(median(runs.map((r) => r.policy.ms))),
    chars: policy.size,
    extraAccess: extra.size,
    widenings: policy.compaction.length,
    requirements: intent.requirements.length,
  };
}

/** k in cost ∝ N^k · log N, least squares over the sizes from 1,000 up (below, fixed costs dominate). */
function growthExponent(points: { n: number; ms: number }[]): number {
  const xs = points.map((p) => Math.log(p.n));
  const ys = points.map((p) => Math.log(p.ms / Math.log2(p.n)));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  const num = xs.reduce((s, x, i) => s + (x - mx) * (ys[i]! - my), 0);
  const den = xs.reduce((s, x) => s + (x - mx) ** 2, 0);
  return num / den;
}

export async function benchEngine() {
  const { engine, bytes, dispose } = await bundledEngine();
  try {
    const { tds, skipped } = corpus(engine);
    const corpusRun = throughput(engine, tds);
    const shared = SIZES.map((n) => sharedRole(engine, n));
    const fit = shared.filter((s) => s.n >= 1_000);
    const exponent = round(growthExponent(fit), 2);
    const at = shared.find((s) => s.n === GOALS.sharedRoleN)!;
    const failures: string[] = [];
    if (corpusRun.tdPerSecond < GOALS.tdPerSecond) failures.push(`tdPerSecond ${corpusRun.tdPerSecond} < ${GOALS.tdPerSecond}`);
    if (at.ms >= GOALS.sharedRoleMs) failures.push(`sharedRole n=${at.n}: ${at.ms} ms >= ${GOALS.sharedRoleMs} ms`);
    if (exponent > GOALS.growthExponent) failures.push(`growth N^${exponent}·log N over N >= 1,000 (limit ${GOALS.growthExponent})`);
    for (const s of shared) if (s.chars > BUDGET) failures.push(`sharedRole n=${s.n}: ${s.chars} characters > ${BUDGET}`);
    return {
      tdPerSecond: corpusRun.tdPerSecond,
      tdPerSecondCpu: corpusRun.tdPerSecondCpu,
      tdPerSecondWall: corpusRun.tdPerSecondWall,
      corpus: { taskDefinitions: corpusRun.taskDefinitions, planned: corpusRun.planned, skippedFiles: skipped },
      sharedRole: shared,
      growth: { exponent, over: fit.map((s) => s.n), limit: GOALS.growthExponent },
      bundleBytes: bytes,
      goals: GOALS,
      failures,
    };
  } finally {
    dispose();
  }
}
