// The approvals endpoint (API Gateway HTTP API, payload 2.0): Slack interactivity and the signed-link page.
// Every request is authenticated before anything is read: Slack by signature and timestamp, links by token.
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { parseInteraction } from '../engine/approval/interaction.js';
import { verifyToken, type LinkClaims } from '../engine/approval/link-token.js';
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
  /** Organizations: the dependencies that act in the role's own account (after the request was authenticated). */
  forRole?: (roleArn: string) => Promise<ApprovalDeps>;
}

const acting = async (deps: HttpApprovalDeps, roleArn: string): Promise<ApprovalDeps> => (deps.forRole ? deps.forRole(roleArn) : deps);

type Response = APIGatewayProxyStructuredResultV2;

const html = (statusCode: number, body: string): Response => ({ statusCode, headers: pageHeaders(), body });
const text = (statusCode: number, body: string): Response => ({
  statusCode,
  headers: { 'content-type': 'text/plain; charset=utf-8' },
  body,
});

function rawBody(event: APIGatewayProxyEventV2): string {
  if (!event.body) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(event.headers ?? {})) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

// Refusals that leave the plan pending: the message keeps its buttons, or anyone in the channel could void the
// approval by clicking (the real approver still has to be able to decide).
const PENDING_REFUSALS = new Set<string>(['approver-not-allowed', 'no-approvers-configured', 'role-mismatch', 'plan-hash-mismatch']);

/**
 * Records a request refused before authentication. Its body is untrusted, so the entry goes only under a stored
 * plan's own role, and only when the request names that role: unknown plans leave no trace, so a forger cannot
 * write audit entries for arbitrary roles.
 */
async function auditUnauthenticated(
  planHash: string,
  claimedRole: string,
  actor: string,
  why: string,
  deps: HttpApprovalDeps,
): Promise<void> {
  const plan = await deps.plans.getPlan(planHash);
  if (!plan || plan.roleArn !== claimedRole) return;
  await deps.audit.record({ at: deps.now(), roleArn: plan.roleArn, actor, action: 'refuse', why, planHash: plan.planHash });
}

function outcomeFor(o: ApprovalOutcome, now: string): Outcome {
  if (o.status === 'refused') return { status: 'refused', by: 'leash', reason: o.message, at: now };
  return {
    status: o.status === 'rejected' ? 'rejected' : 'applied',
    by: o.by,
    at: o.at,
    ...(o.status === 'dry-run' ? { reason: 'dry-run: nothing changed' } : {}),
  };
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
  if (!verified.ok) {
    const claimed = tryParseInteraction(body);
    if (claimed)
      await auditUnauthenticated(
        claimed.planHash,
        claimed.roleArn,
        'unauthenticated',
        `${claimed.action} via slack refused: ${verified.reason} (claimed user ${claimed.userId})`,
        deps,
      );
    return text(401, `request refused: ${verified.reason}`);
  }
  const i = parseInteraction(body);
  const outcome = await actOnApproval(
    { planHash: i.planHash, roleArn: i.roleArn, approver: i.userId, action: i.action, via: 'slack' },
    await acting(deps, i.roleArn),
  );
  const final = outcome.status !== 'refused' || !PENDING_REFUSALS.has(outcome.reason);
  if (outcome.plan && deps.slack && final) await deps.slack.updateOutcome(i.channel, i.ts, outcome.plan, outcomeFor(outcome, deps.now()));
  // Slack wants a quick 200; the message update carries the outcome.
  return text(200, outcome.status === 'refused' ? `refused: ${outcome.message}` : outcome.status);
}

async function linkPage(event: APIGatewayProxyEventV2, token: string, deps: HttpApprovalDeps): Promise<Response> {
  if (!deps.linkSecret) return text(404, 'link approvals are not configured');
  const verified = verifyToken(token, deps.linkSecret, new Date(deps.now()));
  if (!verified.ok) {
    if (verified.reason !== 'expired')
      return html(403, renderResultPage({ status: 'refused', reason: verified.reason, message: 'This link is not valid.' }));
    // The MAC checked out, so the claims are authentic: a decision on a dead link is recorded (viewing is not).
    const claims = expiredClaims(token);
    if (claims && event.requestContext.http.method === 'POST') {
      await auditUnauthenticated(
        claims.planHash,
        claims.roleArn,
        claims.approverHint ?? 'link',
        'decision via link refused: the link expired',
        deps,
      );
    }
    return html(410, renderResultPage({ status: 'expired' }));
  }
  const { claims } = verified;
  if (event.requestContext.http.method === 'GET') {
    // GET only shows the plan: approving needs the form's POST, so link previews and prefetchers change nothing.
    const plan = await deps.plans.getPlan(claims.planHash, deps.now());
    if (!plan) return html(410, renderResultPage({ status: 'expired' }));
    return html(200, renderApprovalPage({ plan, token, expiresAt: claims.expiresAt }));
  }
  const form = parseApprovalForm(rawBody(event), token);
  const outcome = await actOnApproval(
    {
      planHash: claims.planHash,
      roleArn: claims.roleArn,
      approver: claims.approverHint ?? '',
      action: form.action,
      via: 'link',
      nonce: claims.nonce,
    },
    await acting(deps, claims.roleArn),
  );
  if (outcome.status === 'refused')
    return html(409, renderResultPage({ status: 'refused', reason: outcome.reason, message: outcome.message, roleArn: claims.roleArn }));
  return html(200, renderResultPage({ status: outcome.status, roleArn: outcome.plan.roleArn, by: outcome.by, at: outcome.at }));
}

/** The claims of a token verifyToken called expired: it says so only after the MAC and the claims checked out. */
function expiredClaims(token: string): LinkClaims | undefined {
  try {
    return JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as LinkClaims;
  } catch {
    return undefined;
  }
}

function tryParseInteraction(body: string): ReturnType<typeof parseInteraction> | undefined {
  try {
    return parseInteraction(body);
  } catch (err) {
    if (err instanceof InputError) return undefined;
    throw err;
  }
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
