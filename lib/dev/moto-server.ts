// Starts moto's AWS emulator on a free loopback port. Used by the local demo and the integration tests;
// nothing here is bundled into a Lambda.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { AdapterError } from '../errors.js';

export interface MotoServer {
  endpoint: string;
  port: number;
  /** Drops every resource moto holds, so a test starts from an empty account. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function waitUntilUp(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new AdapterError(`moto_server exited with code ${child.exitCode}`, 'moto', 'start');
    try {
      const res = await fetch(`${endpoint}/moto-api/data.json`);
      if (res.ok) return;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new AdapterError(`moto_server did not answer within ${timeoutMs} ms`, 'moto', 'start', { cause: lastError });
}

export async function startMotoServer(
  opts: { command?: string; timeoutMs?: number; awsManagedPolicies?: boolean } = {},
): Promise<MotoServer> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const command = opts.command ?? process.env.LEASH_MOTO_SERVER ?? 'moto_server';
  // moto loads AWS managed policies (AmazonECSTaskExecutionRolePolicy…) only on request: it slows IAM calls.
  const env = { ...process.env, ...(opts.awsManagedPolicies ? { MOTO_IAM_LOAD_MANAGED_POLICIES: 'true' } : {}) };
  const child = spawn(command, ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'], env });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const spawnError = new Promise<never>((_, reject) =>
    child.once('error', (err) =>
      reject(new AdapterError(`cannot run ${command}: is moto[server] installed?`, 'moto', 'start', { cause: err })),
    ),
  );
  try {
    await Promise.race([waitUntilUp(endpoint, child, opts.timeoutMs ?? 30_000), spawnError]);
  } catch (err) {
    child.kill('SIGKILL');
    if (err instanceof AdapterError && stderr) err.message += `\n${stderr}`;
    throw err;
  }
  return {
    endpoint,
    port,
    async reset() {
      const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!res.ok) throw new AdapterError(`reset answered ${res.status}`, 'moto', 'reset');
    },
    stop() {
      return new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      });
    },
  };
}
