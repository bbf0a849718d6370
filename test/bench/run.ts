// `npm run bench` (readable report) and `npm run bench -- --json` (one JSON object on stdout, nothing else).
// Options: --only=plan,perEvent,…  --sweep-moto-revisions=N (default 2000, Leash's state in memory)
//          --sweep-moto-dynamodb-revisions=N (default 300, everything in moto: its DynamoDB is quadratic).
import { benchPerEvent, benchSweepMoto } from './moto.js';
import { benchPlan, benchPolicySize } from './plan.js';
import { benchSweepFake } from './sweep-fake.js';

type Section = 'plan' | 'perEvent' | 'sweepMoto' | 'sweepFake' | 'policySize' | 'bundles';
const SECTIONS: Section[] = ['plan', 'perEvent', 'sweepMoto', 'sweepFake', 'policySize', 'bundles'];

const args = process.argv.slice(2);
const json = args.includes('--json');
const opt = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const only = opt('only')?.split(',') as Section[] | undefined;
const sweepRevisions = Number(opt('sweep-moto-revisions') ?? 2000);
const sweepDynamoRevisions = Number(opt('sweep-moto-dynamodb-revisions') ?? 300);

async function bundles(): Promise<unknown> {
  // Written by another engineer; may be missing or fail: report, never crash.
  const mod = (await import('./bundles.js')) as { measureBundles?: () => Promise<unknown> };
  if (typeof mod.measureBundles !== 'function') throw new Error('test/bench/bundles.ts does not export measureBundles()');
  return mod.measureBundles();
}

const RUNNERS: Record<Section, () => unknown> = {
  plan: benchPlan,
  perEvent: benchPerEvent,
  sweepMoto: async () => ({
    ecsInMoto: await benchSweepMoto(sweepRevisions, { stateInMemory: true }),
    allInMoto: await benchSweepMoto(sweepDynamoRevisions),
  }),
  sweepFake: benchSweepFake,
  policySize: benchPolicySize,
  bundles,
};

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
  for (const s of SECTIONS.filter((x) => !only || only.includes(x))) {
    progress(`running ${s} …`);
    const started = performance.now();
    try {
      report[s] = await RUNNERS[s]();
    } catch (err) {
      report[s] = { error: `${(err as Error).name}: ${(err as Error).message}` };
      process.exitCode = 1; // the report is still printed, but a failed section fails the run
    }
    progress(`  ${s} done in ${Math.round(performance.now() - started)} ms`);
  }
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
  const plan = r.plan as
    | {
        corpus?: { taskDefinitionsPerSecond: number; taskDefinitions: number };
        sharedRole500?: { ms: number; policySize: number; compactionNotes: number };
      }
    | undefined;
  if (plan?.corpus && plan.sharedRole500) {
    lines.push(
      `plan: ${plan.corpus.taskDefinitionsPerSecond} task definitions/s over ${plan.corpus.taskDefinitions} corpus task definitions;`,
    );
    lines.push(
      `      500 sharing one role: ${plan.sharedRole500.ms} ms, ${plan.sharedRole500.policySize}/10240 characters, ${plan.sharedRole500.compactionNotes} compaction notes`,
    );
  }
  const events = (r.perEvent as { events?: { event: string; awsCalls: number; cpuMs: number }[] } | undefined)?.events;
  if (events) {
    lines.push('perEvent (moto, role shared by 10 task definitions):');
    for (const e of events)
      lines.push(`  ${e.event.padEnd(34)} ${String(e.awsCalls).padStart(4)} AWS calls  ${String(e.cpuMs).padStart(7)} ms CPU`);
  }
  const fake = (
    r.sweepFake as
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
