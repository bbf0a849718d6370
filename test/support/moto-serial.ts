// Test harness only: an SDK request handler that sends DynamoDB requests to one moto_server one at a time.
// Why: moto_server answers every request on its own thread (werkzeug `threaded=True`, no flag to turn it off), and
// moto 5.2.1's UpdateItem reads the item, checks the ConditionExpression and writes it back with no lock held
// (moto/dynamodb/models/__init__.py `update_item`; the dispatcher's lock covers only the backend lookup). Two
// concurrent conditional writes on one item can then both pass a condition only one of them should: measured from
// Node, 50 concurrent `SET c = c + :one` with `c < :cap` (cap 5) let 6 or 7 through in 2 of 20 runs, and 5 of 20
// when the item did not exist yet. Real DynamoDB applies writes to one item one at a time, and Leash relies on
// exactly that (engine/plan/change-budget.ts, the state store's compare-and-swap), so the tests emulate it here
// instead of failing at random on moto's race. What serializing would hide, the expressions themselves, is proved
// without moto: test/engine/plan/change-budget.test.ts runs the budget's updates through an expression interpreter
// under every interleaving. Other services keep their concurrency.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

type Handler = DynamoDBClient['config']['requestHandler'];
/** The optional parts of smithy's HttpHandler that the default Node handler has. */
type Configurable = Handler & { updateHttpClientConfig?(key: never, value: never): void; httpHandlerConfigs?(): object };

export interface SerialHandler {
  handler: Handler;
  /** Closes the sockets (the clients sharing the handler never do: their destroy() would close them for all). */
  close(): void;
}

const isDynamo = (headers: Record<string, string | undefined>): boolean =>
  Object.entries(headers).some(([k, v]) => k.toLowerCase() === 'x-amz-target' && (v ?? '').startsWith('DynamoDB_'));

/** One per moto endpoint: every client built from that endpoint's config shares it, so its queue is the endpoint's. */
export function serialDynamoHandler(): SerialHandler {
  // The SDK's default Node handler, as a client resolves it (no direct dependency on @smithy/node-http-handler).
  const inner: Configurable = new DynamoDBClient({ region: 'us-east-1' }).config.requestHandler;
  let tail: Promise<unknown> = Promise.resolve();
  const handler: Handler = {
    ...(inner.metadata ? { metadata: inner.metadata } : {}),
    handle(request, options) {
      if (!isDynamo(request.headers)) return inner.handle(request, options);
      // moto has finished the write when it answers: the next request waits for the previous response's headers.
      const turn = tail.then(() => inner.handle(request, options));
      tail = turn.catch(() => undefined);
      return turn;
    },
    updateHttpClientConfig: (key: never, value: never) => inner.updateHttpClientConfig?.(key, value),
    httpHandlerConfigs: () => inner.httpHandlerConfigs?.() ?? {},
    destroy: () => undefined,
  } as Handler;
  return { handler, close: () => inner.destroy?.() };
}
