// The approvals endpoint's edge (API Gateway HTTP API, payload 2.0): routes POST /slack/interactivity and
// GET/POST /approve/{token} to the app, turns its Reply into the HTTP response, and logs what happened (route,
// outcome, role, plan-hash prefix), never the body, the token or the signature.
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { signedLink, slackInteraction, type ApprovalRequestDeps, type Reply } from '../app/approval-requests.js';
import { pageHeaders } from '../engine/approval/page.js';
import { InputError } from '../errors.js';
import type { HttpRequest } from './events.js';
import { logger, record, type Measure } from './lambda.js';

const TOKEN_ROUTE = /^\/approve\/([A-Za-z0-9_.-]+)$/;

function route(req: HttpRequest): { name: string; reply: (deps: ApprovalRequestDeps) => Promise<Reply> } {
  if (req.method === 'POST' && req.path === '/slack/interactivity') {
    return { name: 'POST /slack/interactivity', reply: (deps) => slackInteraction(req, deps) };
  }
  const token = TOKEN_ROUTE.exec(req.path)?.[1];
  if (token && (req.method === 'GET' || req.method === 'POST')) {
    const method = req.method;
    return { name: `${method} /approve/{token}`, reply: (deps) => signedLink({ method, token, body: req.body }, deps) };
  }
  return { name: 'unknown', reply: async () => ({ status: 404, kind: 'text', body: 'not found', log: { outcome: 'not-found' } }) };
}

/** What of an approvals request must never be logged, even inside an error: the token, the signature, the body. */
export function approvalSecrets(event: unknown): string[] {
  const e = event as { rawPath?: unknown; body?: unknown; isBase64Encoded?: unknown; headers?: Record<string, unknown> } | null;
  const token = typeof e?.rawPath === 'string' ? (TOKEN_ROUTE.exec(e.rawPath)?.[1] ?? '') : '';
  const body = typeof e?.body === 'string' && e.isBase64Encoded === true ? Buffer.from(e.body, 'base64').toString('utf8') : '';
  const values = [token, e?.body, body, e?.headers?.['x-slack-signature'], e?.headers?.['X-Slack-Signature']];
  return values.filter((v): v is string => typeof v === 'string' && v.length > 0).flatMap((v) => [v, safeDecode(v)]);
}

function safeDecode(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}

function response(reply: Reply): APIGatewayProxyStructuredResultV2 {
  const headers = reply.kind === 'html' ? pageHeaders() : { 'content-type': 'text/plain; charset=utf-8' };
  return { statusCode: reply.status, headers, body: reply.body };
}

export async function approvalsEndpoint(req: HttpRequest, deps: ApprovalRequestDeps): Promise<APIGatewayProxyStructuredResultV2> {
  const r = route(req);
  let reply: Reply;
  try {
    reply = await r.reply(deps);
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    // The message names what was wrong with the request (field, JSON path), never its content.
    reply = { status: 400, kind: 'text', body: err.message, log: { outcome: `bad request: ${err.jsonPath}` } };
  }
  logger.info('approval request', { route: r.name, status: reply.status, ...reply.log });
  record([...measuresOf(reply.log.outcome), ...(reply.metric ? [{ name: reply.metric, value: 1 }] : [])]);
  return response(reply);
}

function measuresOf(outcome: string): Measure[] {
  if (outcome === 'applied') return [{ name: 'Applies', value: 1 }];
  if (outcome.startsWith('refused')) return [{ name: 'Refusals', value: 1 }];
  return [];
}
