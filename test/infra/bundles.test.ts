// The benchmark's per-function SDK lists (test/bench/bundles.ts) must be exactly what esbuild bundles with the
// deployment options, or the baseline would not be the "same clients" and the overhead ratio would lie.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleFunction, deploymentBuildOptions, FUNCTION_SDK } from '../bench/bundles.js';

const dir = mkdtempSync(join(tmpdir(), 'leash-bundle-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bench bundles', () => {
  it('use the deployment options (ESM .mjs for node22, minified, source maps without sources, nothing external)', () => {
    expect(deploymentBuildOptions()).toMatchObject({
      bundle: true,
      minify: true,
      sourcemap: true,
      sourcesContent: false,
      format: 'esm',
      platform: 'node',
      target: 'node22',
      outExtension: { '.js': '.mjs' },
      external: [],
    });
  });

  it.each(Object.keys(FUNCTION_SDK))(
    '%s: the declared SDK packages are the bundled ones, and no iam-simulate',
    async (fn) => {
      const { packages, inputs } = await bundleFunction(fn, dir);
      const sdk = packages.filter((p) => p.startsWith('@aws-sdk/client-') || p === '@aws-sdk/lib-dynamodb');
      expect(sdk).toEqual(FUNCTION_SDK[fn]!.sdk.map(([pkg]) => pkg).sort());
      expect(packages).not.toContain('@cloud-copilot/iam-simulate');
      // Cold start: zod's classic API drags in every locale and the JSON-schema tools (~430 KB); the schemas use
      // zod/mini, with the English messages only.
      expect(inputs.filter((i) => /node_modules\/zod\/v4\/(classic|locales\/(?!en\.js))/.test(i))).toEqual([]);
      expect(packages).not.toContain('@aws-lambda-powertools/parser');
    },
    60_000,
  );
});
