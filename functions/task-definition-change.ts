// PLACEHOLDER: replaced by the lead
import middy from '@middy/core';

/** Placeholder: echoes the event's id and type so packaging and `invoke local` work before the real handler lands. */
export async function run(event: unknown, _deps: unknown = {}): Promise<{ ok: true; placeholder: true; received: string }> {
  const e = (event ?? {}) as Record<string, unknown>;
  return { ok: true, placeholder: true, received: String(e['detail-type'] ?? e['id'] ?? typeof event) };
}

export const handler = middy().handler((event: unknown) => run(event));
