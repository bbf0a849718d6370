// Bundle size and cold-start module init of each function, beside a baseline bundle that imports only the
// AWS SDK clients the same function uses: the ratio is Leash's own overhead. Same esbuild options as the
// deployment (infra/esbuild-options.json, used by serverless-esbuild).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { repoRoot } from '../support/corpus.js';

/**
 * The AWS SDK packages (and the client class each one is used through) in each function's bundle; the lists
 * are checked against esbuild's metafile by test/infra/bundles.test.ts, so they cannot drift silently.
 */
const PIPELINE_SDK: Array<[string, string]> = [
  // CloudTrail: the evidence backfill (reconcile) is built with the pipeline's dependencies.
  ['@aws-sdk/client-cloudtrail', 'CloudTrailClient'],
  ['@aws-sdk/client-dynamodb', 'DynamoDBClient'],
  ['@aws-sdk/client-ecs', 'ECSClient'],
  ['@aws-sdk/client-iam', 'IAMClient'],
  ['@aws-sdk/client-kms', 'KMSClient'],
  ['@aws-sdk/client-secrets-manager', 'SecretsManagerClient'],
  ['@aws-sdk/client-sns', 'SNSClient'],
  ['@aws-sdk/client-sqs', 'SQSClient'],
  ['@aws-sdk/client-ssm', 'SSMClient'],
  ['@aws-sdk/client-sts', 'STSClient'],
  ['@aws-sdk/lib-dynamodb', 'DynamoDBDocumentClient'],
];
const REMEDIATION_SDK: Array<[string, string]> = [['@aws-sdk/client-accessanalyzer', 'AccessAnalyzerClient'], ...PIPELINE_SDK];
// The approvals function verifies, records and queues: its own table, its secrets and the remediation queue only.
const APPROVALS_SDK: Array<[string, string]> = [
  ['@aws-sdk/client-dynamodb', 'DynamoDBClient'],
  ['@aws-sdk/client-secrets-manager', 'SecretsManagerClient'],
  ['@aws-sdk/client-sqs', 'SQSClient'],
  ['@aws-sdk/lib-dynamodb', 'DynamoDBDocumentClient'],
];

export const FUNCTION_SDK: Record<string, { entry: string; sdk: Array<[pkg: string, client: string]> }> = {
  taskDefinitionChange: { entry: 'functions/task-definition-change.ts', sdk: PIPELINE_SDK },
  iamChange: { entry: 'functions/iam-change.ts', sdk: PIPELINE_SDK },
  denial: { entry: 'functions/denial.ts', sdk: PIPELINE_SDK },
  taskStopped: { entry: 'functions/task-stopped.ts', sdk: PIPELINE_SDK },
  reconcile: { entry: 'functions/reconcile.ts', sdk: PIPELINE_SDK },
  remediate: { entry: 'functions/remediate.ts', sdk: REMEDIATION_SDK },
  approvals: { entry: 'functions/approvals.ts', sdk: APPROVALS_SDK },
  watch: { entry: 'functions/watch.ts', sdk: REMEDIATION_SDK },
};

/** esbuild options equivalent to the deployment's serverless-esbuild options. */
export function deploymentBuildOptions(): BuildOptions {
  const o = JSON.parse(readFileSync(join(repoRoot, 'infra/esbuild-options.json'), 'utf8')) as Record<string, unknown>;
  const { exclude: _exclude, outputFileExtension, ...esbuildOptions } = o;
  return {
    ...(esbuildOptions as BuildOptions),
    outExtension: { '.js': String(outputFileExtension) },
    absWorkingDir: repoRoot,
    logLevel: 'silent',
  };
}

/** Bundles one function into `outDir` (its own directory: with `splitting`, chunks go beside the entry). */
export async function bundleFunction(fn: string, outDir: string): Promise<Bundle & { packages: string[]; inputs: string[] }> {
  const spec = FUNCTION_SDK[fn];
  if (!spec) throw new Error(`unknown function ${fn}`);
  const result = await build({
    ...deploymentBuildOptions(),
    entryPoints: { [fn]: join(repoRoot, spec.entry) },
    outdir: join(outDir, fn),
    metafile: true,
  });
  // Source files with code in the output (the metafile's `inputs` also lists files parsed and then tree-shaken away).
  const inputs = [
    ...new Set(Object.values(result.metafile.outputs).flatMap((o) => Object.keys(o.inputs).filter((i) => o.inputs[i]!.bytesInOutput > 0))),
  ];
  return { ...loadedAtInit(result.metafile, spec.entry), packages: packagesOf(inputs), inputs };
}

export interface Bundle {
  /** The entry module. */
  file: string;
  /** Bytes evaluated at module init: the entry and the chunks it imports statically (not the dynamic ones). */
  initBytes: number;
}

function loadedAtInit(meta: Metafile, entryPoint: string): Bundle {
  const outputs = meta.outputs;
  const entry = Object.keys(outputs).find((k) => outputs[k]!.entryPoint === entryPoint);
  if (!entry) throw new Error(`no output for ${entryPoint}`);
  const seen = new Set<string>();
  const visit = (path: string): void => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const i of outputs[path]!.imports) if (i.kind === 'import-statement' && !i.external) visit(i.path);
  };
  visit(entry);
  return { file: join(repoRoot, entry), initBytes: [...seen].reduce((n, p) => n + outputs[p]!.bytes, 0) };
}

/** The packages with code in the output (an import esbuild tree-shook away entirely does not count). */
function packagesOf(inputs: string[]): string[] {
  const names = new Set<string>();
  for (const input of inputs) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input.slice(input.lastIndexOf('node_modules/')));
    if (m) names.add(m[1]!);
  }
  return [...names].sort();
}

async function bundleBaseline(fn: string, outDir: string): Promise<Bundle> {
  const sdk = FUNCTION_SDK[fn]!.sdk;
  // The client classes only (commands are what Leash adds on top), kept alive so tree-shaking leaves them in.
  const contents =
    sdk.map(([pkg, client]) => `import { ${client} } from '${pkg}';`).join('\n') +
    `\nexport const clients = [${sdk.map(([, c]) => c).join(', ')}];\n`;
  // Its own directory: with `splitting` the SDK's lazy parts become chunks beside it, as in the function's bundle.
  const dir = join(outDir, `${fn}-baseline`);
  const result = await build({
    ...deploymentBuildOptions(),
    stdin: { contents, resolveDir: repoRoot, sourcefile: `${fn}.baseline.mjs`, loader: 'js' },
    outdir: dir,
    metafile: true,
  });
  return loadedAtInit(result.metafile, `${fn}.baseline.mjs`); // stdin's entry is named by `sourcefile`
}

function importOnce(file: string): Promise<number> {
  const probe = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - t));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...deployedNodeOptions(), '--input-type=module', '-e', probe], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(Number(out)) : reject(new Error(`import of ${file} failed (${code}): ${err.slice(0, 500)}`)),
    );
  });
}

/** The functions' NODE_OPTIONS from serverless.yml (--enable-source-maps: Node reads and parses the .map at
 *  import, ~30 ms for remediate): both A and B run under them, as deployed, and both carry the same kind of map. */
export function deployedNodeOptions(): string[] {
  const m = /^\s+NODE_OPTIONS:\s*(.*)$/m.exec(readFileSync(join(repoRoot, 'serverless.yml'), 'utf8'));
  return m ? m[1]!.trim().split(/\s+/) : [];
}

export const COLD_START_GOAL = 1.15;
const PAIRS = 9;

export interface ColdStart {
  function: string;
  /** Each pair: the function's bundle and the SDK-only bundle imported in fresh processes, one after the other
   *  (alternating which goes first); the ratio of the two init times. */
  ratioMedian: number;
  ratioMin: number;
  ratioMax: number;
  pairs: number;
  initMsMedian: number;
  baselineInitMsMedian: number;
  /** Bytes evaluated at init (entry + statically imported chunks), for the function and for the baseline. */
  bytes: number;
  baselineBytes: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const r3 = (n: number) => Math.round(n * 1000) / 1000;

/** ≥ 9 interleaved A/B pairs per function, each import in a fresh Node process, serial (the cores are shared). */
export async function measureColdStart(opts: { pairs?: number; functions?: string[] } = {}): Promise<ColdStart[]> {
  const pairs = opts.pairs ?? PAIRS;
  const dir = mkdtempSync(join(tmpdir(), 'leash-bench-cold-'));
  try {
    const out: ColdStart[] = [];
    for (const fn of opts.functions ?? Object.keys(FUNCTION_SDK)) {
      const fnBundle = await bundleFunction(fn, dir);
      const baseBundle = await bundleBaseline(fn, dir);
      const [file, baseline] = [fnBundle.file, baseBundle.file];
      await importOnce(file); // warm the file cache for both
      await importOnce(baseline);
      const a: number[] = [];
      const b: number[] = [];
      for (let i = 0; i < pairs; i++) {
        if (i % 2 === 0) {
          a.push(await importOnce(file));
          b.push(await importOnce(baseline));
        } else {
          b.push(await importOnce(baseline));
          a.push(await importOnce(file));
        }
      }
      const ratios = a.map((x, i) => x / b[i]!);
      out.push({
        function: fn,
        ratioMedian: r3(median(ratios)),
        ratioMin: r3(Math.min(...ratios)),
        ratioMax: r3(Math.max(...ratios)),
        pairs,
        initMsMedian: r3(median(a)),
        baselineInitMsMedian: r3(median(b)),
        bytes: fnBundle.initBytes,
        baselineBytes: baseBundle.initBytes,
      });
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
