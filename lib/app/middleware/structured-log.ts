// middy middleware: one JSON log line per invocation (summary or error with name and cause chain). Errors are
// rethrown so Lambda retries and then records the event in the DLQ instead of dropping it.
import type middy from '@middy/core';

function errorChain(err: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    chain.push(e instanceof Error ? { name: e.name, message: e.message } : String(e));
  }
  return chain;
}

export const structuredLog = (opts: { fn: string; log?: (line: string) => void }): middy.MiddlewareObj => {
  const log = opts.log ?? ((line: string) => console.log(line));
  return {
    after: async (request) => {
      log(JSON.stringify({ fn: opts.fn, outcome: 'ok', summary: request.response }));
    },
    onError: async (request) => {
      log(JSON.stringify({ fn: opts.fn, outcome: 'error', error: errorChain(request.error) }));
    },
  };
};
