// Test helper: one moto_server per test file, reset between tests; SDK client config pointing at it.
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startMotoServer, type MotoServer } from '../../lib/dev/moto-server.js';

export interface AwsTestConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

export const TEST_ACCOUNT = '123456789012'; // moto's default account

/** Registers hooks that start moto before the file's tests and stop it after. */
export function useMoto(opts: { resetEachTest?: boolean } = {}): { config: () => AwsTestConfig; server: () => MotoServer } {
  let server: MotoServer | undefined;
  beforeAll(async () => {
    server = await startMotoServer();
  });
  afterAll(async () => {
    await server?.stop();
  });
  if (opts.resetEachTest ?? true) {
    beforeEach(async () => {
      await server?.reset();
    });
  }
  const get = (): MotoServer => {
    if (!server) throw new Error('moto_server is not running (useMoto hooks not run yet)');
    return server;
  };
  return {
    server: get,
    config: () => ({
      endpoint: get().endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    }),
  };
}
