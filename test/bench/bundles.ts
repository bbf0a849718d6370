// Bundle size and cold-start module init of each function, beside a baseline bundle that imports only the
// AWS SDK clients the same function uses: the ratio is Leash's own overhead. Same esbuild options as the
// deployment (infra/esbuild-options.json, used by serverless-esbuild).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
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
// The approvals function verifies, records and queues: no Access Analyzer, no CloudTrail. (It still bundles the
// shared client factory's other clients, which it never calls and has no permission for.)
const APPROVALS_SDK = PIPELINE_SDK.filter(([pkg]) => pkg !== '@aws-sdk/client-cloudtrail');

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

export interface BundleMeasure {
  fn: string;
  bytes: number;
  /** Median time to import the bundle in a fresh Node process (module evaluation = Lambda init, minus runtime start). */
  initMs: number;
  baselineBytes: number;
  baselineInitMs: number;
  /** initMs / baselineInitMs: how much Leash's code adds to the init of the SDK clients it needs anyway. */
  ratio: number;
}

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

/** Bundles one function into `outDir`; returns the bundle path and the npm packages it contains. */
export async function bundleFunction(fn: string, outDir: string): Promise<{ file: string; packages: string[] }> {
  const spec = FUNCTION_SDK[fn];
  if (!spec) throw new Error(`unknown function ${fn}`);
  const result = await build({
    ...deploymentBuildOptions(),
    entryPoints: { [fn]: join(repoRoot, spec.entry) },
    outdir: outDir,
    metafile: true,
  });
  return { file: join(outDir, `${fn}.mjs`), packages: packagesOf(result.metafile) };
}

function packagesOf(meta: Metafile): string[] {
  const names = new Set<string>();
  for (const input of Object.keys(meta.inputs)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input.slice(input.lastIndexOf('node_modules/')));
    if (m) names.add(m[1]!);
  }
  return [...names].sort();
}

async function bundleBaseline(fn: string, outDir: string): Promise<string> {
  const sdk = FUNCTION_SDK[fn]!.sdk;
  // The client classes only (commands are what Leash adds on top), kept alive so tree-shaking leaves them in.
  const contents =
    sdk.map(([pkg, client]) => `import { ${client} } from '${pkg}';`).join('\n') +
    `\nexport const clients = [${sdk.map(([, c]) => c).join(', ')}];\n`;
  const file = join(outDir, `${fn}.baseline.mjs`);
  await build({
    ...deploymentBuildOptions(),
    stdin: { contents, resolveDir: repoRoot, sourcefile: `${fn}.baseline.mjs`, loader: 'js' },
    outfile: file,
  });
  return file;
}

function importOnce(file: string): Promise<number> {
  const probe = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - t));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', probe], {
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

async function medianInit(file: string, runs: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await importOnce(file)); // serial: the machine's cores are shared
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

export async function measureBundles(opts: { runs?: number; functions?: string[] } = {}): Promise<BundleMeasure[]> {
  const runs = opts.runs ?? 5;
  const dir = mkdtempSync(join(tmpdir(), 'leash-bench-bundles-'));
  try {
    const results: BundleMeasure[] = [];
    for (const fn of opts.functions ?? Object.keys(FUNCTION_SDK)) {
      const { file } = await bundleFunction(fn, dir);
      const baseline = await bundleBaseline(fn, dir);
      const initMs = await medianInit(file, runs);
      const baselineInitMs = await medianInit(baseline, runs);
      results.push({
        fn,
        bytes: statSync(file).size,
        initMs,
        baselineBytes: statSync(baseline).size,
        baselineInitMs,
        ratio: baselineInitMs > 0 ? initMs / baselineInitMs : Number.NaN,
      });
    }
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
