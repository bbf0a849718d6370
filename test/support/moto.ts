// Test helper: one moto_server per test file, reset between tests; SDK client config pointing at it.
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { AwsConfig } from '../../lib/adapters/aws/clients.js';
import { startMotoServer, type MotoServer } from '../../lib/dev/moto-server.js';
import { serialDynamoHandler, type SerialHandler } from './moto-serial.js';

export interface AwsTestConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Sends DynamoDB requests to this moto one at a time, as DynamoDB serializes writes to one item (moto-serial.ts). */
  requestHandler?: AwsConfig['requestHandler'];
}

export const TEST_ACCOUNT = '123456789012'; // moto's default account

/** Registers hooks that start moto before the file's tests and stop it after. */
export function useMoto(opts: { resetEachTest?: boolean } = {}): { config: () => AwsTestConfig; server: () => MotoServer } {
  let server: MotoServer | undefined;
  let serial: SerialHandler | undefined;
  beforeAll(async () => {
    server = await startMotoServer();
    serial = serialDynamoHandler();
  });
  afterAll(async () => {
    serial?.close();
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
      requestHandler: serial?.handler,
    }),
  };
}
