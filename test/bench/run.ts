// `npm run bench` (readable report) and `npm run bench -- --json` (one JSON object on stdout, nothing else).
// Options: --only=engine,perEvent,…  --sweep-moto-revisions=N (default 2000, Leash's state in memory)
//          --sweep-moto-dynamodb-revisions=N (default 300, everything in moto: its DynamoDB is quadratic).
// A section fails when it throws or returns a non-empty `failures` list (a goal not met); the report lists the
// failed sections in `failedSections` and the process exits 1.
import { benchPerEvent, benchSweepMoto } from './moto.js';
import { benchEngine } from './plan.js';
import { benchSweepFake } from './sweep-fake.js';
import { benchEvent } from './event-cost.js';

type Section = 'engine' | 'event' | 'perEvent' | 'sweepMoto' | 'sweep' | 'coldStart';
const SECTIONS: Section[] = ['engine', 'event', 'perEvent', 'sweepMoto', 'sweep', 'coldStart'];

const args = process.argv.slice(2);
const json = args.includes('--json');
const opt = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const only = opt('only')?.split(',') as Section[] | undefined;
const sweepRevisions = Number(opt('sweep-moto-revisions') ?? 2000);
const sweepDynamoRevisions = Number(opt('sweep-moto-dynamodb-revisions') ?? 300);

/** coldStart is an array (one row per function); its unmet goals are kept beside it, in `coldStartFailures`. */
async function coldStart(): Promise<unknown> {
  const { measureColdStart, COLD_START_GOAL } = await import('./bundles.js');
  const rows = await measureColdStart();
  const failures = rows
    .filter((r) => r.ratioMedian > COLD_START_GOAL)
    .map((r) => `${r.function} median ${r.ratioMedian} > ${COLD_START_GOAL}`);
  return Object.assign(rows, { failures });
}

const RUNNERS: Record<Section, () => unknown> = {
  engine: benchEngine,
  perEvent: benchPerEvent,
  sweepMoto: async () => ({
    ecsInMoto: await benchSweepMoto(sweepRevisions, { stateInMemory: true }),
    allInMoto: await benchSweepMoto(sweepDynamoRevisions),
  }),
  event: benchEvent,
  sweep: benchSweepFake,
  coldStart,
};

/** A section's unmet goals: the `failures` list it returns (sections without goals return none). */
function sectionFailures(result: unknown): string[] {
  const f = result && typeof result === 'object' && 'failures' in result ? (result as { failures: unknown }).failures : undefined;
  return Array.isArray(f) ? f.map(String) : [];
}

function progress(text: string): void {
  if (!json) process.stderr.write(`${text}\n`);
}

async function main(): Promise<void> {
  // In --json mode stdout carries exactly one JSON object: anything else that logs goes to stderr.
  const stdoutWrite = process.stdout.write.bind(process.stdout);
  if (json) console.log = console.info = (...a: unknown[]) => void process.stderr.write(`${a.map(String).join(' ')}\n`);
  const report: Record<string, unknown> = {
    startedAt: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform}/${process.arch}`,
  };
  const failed: string[] = [];
  for (const s of SECTIONS.filter((x) => !only || only.includes(x))) {
    progress(`running ${s} …`);
    const started = performance.now();
    try {
      const result = await RUNNERS[s]();
      const failures = sectionFailures(result);
      report[s] = Array.isArray(result) ? [...result] : result;
      if (Array.isArray(result) && failures.length) report[`${s}Failures`] = failures;
      if (failures.length) failed.push(s);
    } catch (err) {
      report[s] = { error: `${(err as Error).name}: ${(err as Error).message}` };
      failed.push(s);
    }
    progress(`  ${s} ${failed.includes(s) ? 'FAILED' : 'done'} in ${Math.round(performance.now() - started)} ms`);
  }
  report.failedSections = failed;
  if (failed.length) process.exitCode = 1;
  if (json) stdoutWrite(`${JSON.stringify(report)}\n`);
  else stdoutWrite(readable(report));
}

function readable(r: Record<string, unknown>): string {
  const lines: string[] = ['Leash benchmarks', `node ${String(r.node)} on ${String(r.platform)}`, ''];
  const section = (title: string, body: unknown) => {
    lines.push(`== ${title}`);
    if (body && typeof body === 'object' && 'error' in body) lines.push(`  error: ${String((body as { error: unknown }).error)}`);
    else
      lines.push(
        ...JSON.stringify(body, null, 2)
          .split('\n')
          .map((l) => `  ${l}`),
      );
    lines.push('');
  };
  const engine = r.engine as
    | {
        tdPerSecond: number;
        corpus: { taskDefinitions: number };
        sharedRole: { n: number; ms: number; chars: number; extraAccess: number }[];
      }
    | undefined;
  if (engine?.sharedRole) {
    lines.push(
      `engine: ${engine.tdPerSecond} task definitions per CPU second over ${engine.corpus.taskDefinitions} corpus task definitions;`,
    );
    for (const s of engine.sharedRole)
      lines.push(
        `  role shared by ${String(s.n).padStart(6)}: ${String(s.ms).padStart(8)} ms, ${s.chars}/10240 characters, extra access ${s.extraAccess}`,
      );
  }
  const failedSections = (r.failedSections as string[] | undefined) ?? [];
  for (const s of failedSections)
    lines.push(
      `FAILED ${s}: ${[...sectionFailures(r[s]), ...((r[`${s}Failures`] as string[] | undefined) ?? [])].join('; ') || String((r[s] as { error?: unknown })?.error)}`,
    );
  const events = (r.perEvent as { events?: { event: string; awsCalls: number; cpuMs: number }[] } | undefined)?.events;
  if (events) {
    lines.push('perEvent (moto, role shared by 10 task definitions):');
    for (const e of events)
      lines.push(`  ${e.event.padEnd(34)} ${String(e.awsCalls).padStart(4)} AWS calls  ${String(e.cpuMs).padStart(7)} ms CPU`);
  }
  const fake = (
    r.sweep as
      | {
          runs?: {
            variant: string;
            totalCalls: number;
            throttledCalls: number;
            failedItems: number;
            wallSeconds: number;
            lowerBoundSeconds: number;
            ratio: number;
          }[];
        }
      | undefined
  )?.runs;
  if (fake) {
    lines.push('sweepFake (10,000 revisions, 300 roles, virtual time):');
    for (const f of fake) {
      lines.push(
        `  ${f.variant.padEnd(18)} ${f.totalCalls} calls, ${f.throttledCalls} throttled, ${f.failedItems} failed, ${f.wallSeconds} s vs bound ${f.lowerBoundSeconds} s: ratio ${f.ratio}`,
      );
    }
  }
  lines.push('');
  for (const s of SECTIONS) if (s in r) section(s, r[s]);
  return `${lines.join('\n')}\n`;
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
