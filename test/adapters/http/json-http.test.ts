// The tracker's answer to a failed call may echo what it was sent or hold account details: it stays on the error
// for the caller and never reaches the message, which is what logs and audit entries carry.
import { describe, expect, it } from 'vitest';
import { HttpStatusError, requestJson } from '../../../lib/adapters/http/json-http.js';

const answer = (status: number, body: string): typeof fetch => (async () => new Response(body, { status })) as typeof fetch;

describe('requestJson failures', () => {
  it.each([
    [401, '{"message":"Bad credentials","token":"ghp_SECRETSECRET"}'],
    [400, '{"errorMessages":["Field summary: <script>alert(1)</script>"]}'],
    [500, 'x'.repeat(2000)],
  ])('HTTP %i: the message names the status only; the body stays on the error', async (status, body) => {
    const call = requestJson({
      service: 'jira',
      operation: 'createIssue',
      method: 'POST',
      url: 'http://127.0.0.1:1/x',
      headers: {},
      fetch: answer(status, body),
    });
    const err = await call.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HttpStatusError);
    expect((err as Error).message).toBe(`jira.createIssue: HTTP ${status}`);
    expect((err as HttpStatusError).responseBody).toBe(body);
  });
});
