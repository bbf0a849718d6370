// Runs the `leash` CLI in-process, capturing what it writes and its exit code.
import { Writable } from 'node:stream';
import { main } from '../../lib/cli/main.js';

export async function leash(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const sink = (add: (s: string) => void) => new Writable({ write: (chunk, _enc, cb) => (add(String(chunk)), cb()) });
  const code = await main(argv, { stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)) });
  return { code, out, err };
}
