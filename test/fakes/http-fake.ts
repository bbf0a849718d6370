// Shared plumbing for the local HTTP fakes: a node:http server on 127.0.0.1, port 0, that records every request and
// lets each fake answer (or refuse with 400 and a message, so a wrong adapter fails its test).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  rawBody: string;
  /** Parsed JSON body, or the form fields for urlencoded bodies; undefined when empty or unparseable. */
  body: unknown;
  status?: number;
  error?: string;
}

export interface FakeResponse {
  status: number;
  body?: unknown;
}

export class FakeRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body?: unknown,
  ) {
    super(message);
  }
}

export type FakeHandler = (req: RecordedRequest) => FakeResponse;

export interface RunningFake {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startFake(handler: FakeHandler): Promise<RunningFake> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        rawBody,
        body: parseBody(req.headers['content-type'], rawBody),
      };
      requests.push(recorded);
      let response: FakeResponse;
      try {
        response = handler(recorded);
      } catch (e) {
        const err = e instanceof FakeRequestError ? e : new FakeRequestError(500, (e as Error).message);
        recorded.error = err.message;
        response = { status: err.status, body: err.body ?? { message: err.message } };
      }
      recorded.status = response.status;
      const payload = response.body === undefined ? '' : JSON.stringify(response.body);
      res.writeHead(response.status, payload ? { 'Content-Type': 'application/json; charset=utf-8' } : {});
      res.end(payload);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}

function parseBody(contentType: string | undefined, raw: string): unknown {
  if (!raw) return undefined;
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') return Object.fromEntries(new URLSearchParams(raw));
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/** Throws 400 unless the header is present and satisfies the check. */
export function requireHeader(req: RecordedRequest, name: string, check: (v: string) => boolean, what: string): string {
  const raw = req.headers[name.toLowerCase()];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined || !check(value)) throw new FakeRequestError(400, `header ${name} must be ${what}, got ${JSON.stringify(value)}`);
  return value;
}

export function requireJsonBody(req: RecordedRequest): Record<string, unknown> {
  requireHeader(req, 'content-type', (v) => v.split(';')[0]?.trim() === 'application/json', 'application/json');
  if (!isObject(req.body)) throw new FakeRequestError(400, 'body must be a JSON object');
  return req.body;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function fail(status: number, message: string, body?: unknown): never {
  throw new FakeRequestError(status, message, body);
}
