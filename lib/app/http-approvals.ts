// The approvals endpoint (API Gateway HTTP API, payload 2.0): Slack interactivity and the signed-link page.
// Every request is authenticated before anything is read: Slack by signature and timestamp, links by token.
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { parseInteraction } from '../engine/approval/interaction.js';
import { verifyToken } from '../engine/approval/link-token.js';
import { pageHeaders, parseApprovalForm, renderApprovalPage, renderResultPage } from '../engine/approval/page.js';
import { verifySlackRequest } from '../engine/approval/slack-signature.js';
import type { Outcome } from '../engine/approval/blocks.js';
import type { Plan } from '../engine/types.js';
import { InputError } from '../errors.js';
import { actOnApproval, type ApprovalDeps, type ApprovalOutcome } from './approve.js';

export interface HttpApprovalDeps extends ApprovalDeps {
  slackSigningSecret?: string;
  linkSecret?: string;
  slack?: { updateOutcome(channel: string, ts: string, plan: Plan, outcome: Outcome): Promise<void> };
}

type Response = APIGatewayProxyStructuredResultV2;

const html = (statusCode: number, body: string): Response => ({ statusCode, headers: pageHeaders(), body });
const text = (statusCode: number, body: string): Response => ({ statusCode, headers: { 'content-type': 'text/plain; charset=utf-8' }, body });

function rawBody(event: APIGatewayProxyEventV2): string {
  if (!event.body) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(event.headers ?? {})) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

function outcomeFor(o: ApprovalOutcome): Outcome {
  if (o.status === 'refused') return { status: 'refused', by: 'leash', reason: o.message, at: new Date().toISOString() };
  return { status: o.status === 'rejected' ? 'rejected' : 'applied', by: o.by, at: o.at, ...(o.status === 'dry-run' ? { reason: 'dry-run: nothing changed' } : {}) };
}

async function slackInteraction(event: APIGatewayProxyEventV2, deps: HttpApprovalDeps): Promise<Response> {
  if (!deps.slackSigningSecret) return text(404, 'Slack approvals are not configured');
  const body = rawBody(event);
  const verified = verifySlackRequest({
    signingSecret: deps.slackSigningSecret,
    timestamp: header(event, 'x-slack-request-timestamp'),
    signature: header(event, 'x-slack-signature'),
    rawBody: body,
    now: new Date(deps.now()),
  });
  if (!verified.ok) return text(401, `request refused: ${verified.reason}`);
  const i = parseInteraction(body);
  const outcome = await actOnApproval({ planHash: i.planHash, roleArn: i.roleArn, approver: i.userId, action: i.action, via: 'slack' }, deps);
  if (outcome.plan && deps.slack) await deps.slack.updateOutcome(i.channel, i.ts, outcome.plan, outcomeFor(outcome));
  // Slack wants a quick 200; the message update carries the outcome.
  return text(200, outcome.status === 'refused' ? `refused: ${outcome.message}` : outcome.status);
}

async function linkPage(event: APIGatewayProxyEventV2, token: string, deps: HttpApprovalDeps): Promise<Response> {
  if (!deps.linkSecret) return text(404, 'link approvals are not configured');
  const verified = verifyToken(token, deps.linkSecret, new Date(deps.now()));
  if (!verified.ok) return verified.reason === 'expired' ? html(410, renderResultPage({ status: 'expired' })) : html(403, renderResultPage({ status: 'refused', reason: verified.reason, message: 'This link is not valid.' }));
  const { claims } = verified;
  if (event.requestContext.http.method === 'GET') {
    // GET only shows the plan: approving needs the form's POST, so link previews and prefetchers change nothing.
    const plan = await deps.plans.getPlan(claims.planHash, deps.now());
    if (!plan) return html(410, renderResultPage({ status: 'expired' }));
    return html(200, renderApprovalPage({ plan, token, expiresAt: claims.expiresAt }));
  }
  const form = parseApprovalForm(rawBody(event), token);
  const outcome = await actOnApproval(
    { planHash: claims.planHash, roleArn: claims.roleArn, approver: claims.approverHint ?? '', action: form.action, via: 'link', nonce: claims.nonce },
    deps,
  );
  if (outcome.status === 'refused') return html(409, renderResultPage({ status: 'refused', reason: outcome.reason, message: outcome.message, roleArn: claims.roleArn }));
  return html(200, renderResultPage({ status: outcome.status === 'rejected' ? 'rejected' : 'applied', roleArn: outcome.plan.roleArn, by: outcome.by, at: outcome.at }));
}

export async function handleApprovalRequest(event: APIGatewayProxyEventV2, deps: HttpApprovalDeps): Promise<Response> {
  const method = event.requestContext?.http?.method ?? 'GET';
  const path = event.rawPath ?? '';
  try {
    if (method === 'POST' && path === '/slack/interactivity') return await slackInteraction(event, deps);
    const m = /^\/approve\/([A-Za-z0-9_.-]+)$/.exec(path);
    if (m && (method === 'GET' || method === 'POST')) return await linkPage(event, m[1]!, deps);
    return text(404, 'not found');
  } catch (err) {
    if (err instanceof InputError) return text(400, err.message);
    throw err;
  }
}
