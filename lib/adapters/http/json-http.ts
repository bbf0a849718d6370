// The one fetch wrapper the ticket adapters share: JSON in, JSON out, a timeout, and failures as AdapterError
// carrying the HTTP status. The response body stays on the error (`responseBody`, for callers that must tell a rate
// limit from a refusal) and out of its message: messages reach logs and audit entries, response bodies never do.
import { AdapterError } from '../../errors.js';

export type FetchFn = typeof fetch;

export interface JsonRequest {
  service: string;
  operation: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  body?: unknown;
  timeoutMs?: number;
  fetch?: FetchFn;
}

export class HttpStatusError extends AdapterError {
  override name = 'HttpStatusError';
  constructor(
    readonly status: number,
    readonly responseBody: string,
    service: string,
    operation: string,
  ) {
    super(`HTTP ${status}`, service, operation);
  }
}

/** Returns the parsed JSON body, or undefined for an empty (204) response. */
export async function requestJson<T = unknown>(req: JsonRequest): Promise<T | undefined> {
  const doFetch = req.fetch ?? fetch;
  const headers: Record<string, string> = { Accept: 'application/json', ...req.headers };
  if (req.body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await doFetch(req.url, {
      method: req.method,
      headers,
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
      redirect: 'error',
      signal: AbortSignal.timeout(req.timeoutMs ?? 10_000),
    });
  } catch (cause) {
    throw new AdapterError(`request failed: ${(cause as Error).message}`, req.service, req.operation, { cause });
  }
  const text = await response.text();
  if (!response.ok) throw new HttpStatusError(response.status, text, req.service, req.operation);
  if (!text) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch (cause) {
    throw new AdapterError('response is not JSON', req.service, req.operation, { cause });
  }
}
