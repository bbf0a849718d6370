// File reading for the CLI: every failure names the file, so a bad argument never surfaces as a stack trace.
import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import { DEFAULT_WIDTH } from './format.js';

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Columns to wrap text at; default the terminal's, else $COLUMNS, else 100. */
  width?: number;
  /** The environment the command runs in (AWS settings, LEASH_TABLE); default process.env. */
  env?: NodeJS.ProcessEnv;
}

export function widthOf(io: CliIo): number {
  const columns = (io.stdout as { columns?: number }).columns;
  const env = Number((io.env ?? process.env).COLUMNS);
  return Math.max(40, io.width ?? (columns || (Number.isInteger(env) && env > 0 ? env : DEFAULT_WIDTH)));
}

export function readInputFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : 'cannot be read';
    throw new InputError(why, path, '$', { cause: err });
  }
}

export function writeJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
