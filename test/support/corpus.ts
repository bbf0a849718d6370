// One typed way to reach the corpus copied into the repository (test/fixtures/corpus) and the repo's own events/.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const corpusRoot = resolve(repoRoot, 'test/fixtures/corpus');

export function corpusPath(...parts: string[]): string {
  return join(corpusRoot, ...parts);
}

export function readCorpusText(...parts: string[]): string {
  return readFileSync(corpusPath(...parts), 'utf8');
}

export function loadCorpusJson<T = unknown>(...parts: string[]): T {
  return JSON.parse(readCorpusText(...parts)) as T;
}

export function listCorpus(dir: string, suffix = ''): string[] {
  return readdirSync(corpusPath(dir))
    .filter((f) => f.endsWith(suffix))
    .sort();
}

export function loadEventJson<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(join(repoRoot, 'events', name), 'utf8')) as T;
}
