// Scheduled: closes post-apply watch windows whose time is up.
import middy from '@middy/core';
import { awsConfigFromEnv } from '../lib/adapters/aws/clients.js';
import { structuredLog } from '../lib/app/middleware/structured-log.js';
import { remediationFromEnv } from '../lib/composition-remediation.js';
import { EventError } from '../lib/errors.js';

export async function run(
  event: unknown,
  deps: { rolePatcher: { closeExpiredWatches(now: string): Promise<string[]> }; now: () => string },
) {
  if ((event as { 'detail-type'?: unknown } | null)?.['detail-type'] !== 'Scheduled Event') {
    throw new EventError('expected an EventBridge "Scheduled Event"', 'event', '$.detail-type');
  }
  return { closed: await deps.rolePatcher.closeExpiredWatches(deps.now()) };
}

export const handler = middy()
  .use(structuredLog({ fn: 'watch' }))
  .handler(async (event: unknown) => run(event, await remediationFromEnv(awsConfigFromEnv)));
