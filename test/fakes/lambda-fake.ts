// A local Lambda Invoke endpoint (POST /2015-03-31/functions/{name}/invocations, RequestResponse) that runs the
// named function's real handler in this process: the answer is its result as JSON; a thrown error comes back as
// Lambda reports it (200, X-Amz-Function-Error: Unhandled, {errorType, errorMessage}); an unknown function is a 404
// ResourceNotFoundException. Requests must be SigV4-signed, as the SDK signs them.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context } from 'aws-lambda';

export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

export interface Invocation {
  function: string;
  event: unknown;
  error?: string;
}

export interface LambdaFake {
  url: string;
  invocations: Invocation[];
  close(): Promise<void>;
}

const context = (name: string, region: string, account: string): Context =>
  ({
    awsRequestId: `fake-${Math.random().toString(16).slice(2)}`,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${account}:function:${name}`,
    memoryLimitInMB: '512',
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'fake',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  }) as Context;

export async function startLambdaFake(
  functions: Record<string, LambdaHandler>,
  opts: { region: string; account: string },
): Promise<LambdaFake> {
  const invocations: Invocation[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
          res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
          res.end(JSON.stringify(body));
        };
        const m = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(req.url ?? '');
        if (req.method !== 'POST' || !m) return send(404, { message: `no route ${req.method} ${req.url}` });
        if (!String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 ')) {
          return send(403, { message: 'missing SigV4 signature' }, { 'x-amzn-ErrorType': 'AccessDeniedException' });
        }
        const name = decodeURIComponent(m[1]!);
        const handler = Object.hasOwn(functions, name) ? functions[name] : undefined;
        if (!handler) {
          const arn = `arn:aws:lambda:${opts.region}:${opts.account}:function:${name}`;
          return send(404, { Type: 'User', message: `Function not found: ${arn}` }, { 'x-amzn-ErrorType': 'ResourceNotFoundException' });
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        const event = raw ? (JSON.parse(raw) as unknown) : {};
        const invocation: Invocation = { function: name, event };
        invocations.push(invocation);
        try {
          const result = await handler(event, context(name, opts.region, opts.account));
          send(200, result ?? null, { 'X-Amz-Executed-Version': '$LATEST' });
        } catch (err) {
          const e = err instanceof Error ? err : new Error(String(err));
          invocation.error = `${e.name}: ${e.message}`;
          send(
            200,
            { errorType: e.name, errorMessage: e.message, trace: [] },
            { 'X-Amz-Function-Error': 'Unhandled', 'X-Amz-Executed-Version': '$LATEST' },
          );
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    invocations,
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}
