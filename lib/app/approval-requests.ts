// The approval requests people make: a Slack click (interactivity) and a signed link (GET shows the plan, POST
// decides). Every request is authenticated before anything is read: Slack by signature and timestamp, links by token.
// Routing and HTTP decoding are the edge's (lib/edge/http-approvals.ts); this answers with a Reply and what to log.
import type { Outcome } from '../engine/approval/blocks.js';
import { parseInteraction } from '../engine/approval/interaction.js';
import { verifyToken, type LinkClaims } from '../engine/approval/link-token.js';
import { parseApprovalForm, renderApprovalPage, renderResultPage } from '../engine/approval/page.js';
import { verifySlackRequest } from '../engine/approval/slack-signature.js';
import { InputError } from '../errors.js';
import { recordDecision, type ApprovalDeps, type ApprovalOutcome } from './approve.js';
import type { Secrets, Slack } from './ports.js';

export interface ApprovalRequestDeps extends ApprovalDeps {
  secrets: Secrets;
  slack?: Pick<Slack, 'updateOutcome' | 'postEphemeral'>;
}

/** What to answer, and what happened in terms safe to log (never the body, token or signature). */
export interface Reply {
  status: number;
  kind: 'html' | 'text';
  body: string;
  log: { outcome: string; role?: string; plan?: string };
}

const html = (status: number, body: string, log: Reply['log']): Reply => ({ status, kind: 'html', body, log });
const text = (status: number, body: string, log: Reply['log']): Reply => ({ status, kind: 'text', body, log });
const planPrefix = (hash: string | undefined) => (hash ? hash.slice(0, 12) : undefined);
const safe = (outcome: string, role?: string, plan?: string): Reply['log'] => ({
  outcome,
  ...(role ? { role } : {}),
  ...(plan ? { plan: planPrefix(plan) } : {}),
});

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
  deps: ApprovalRequestDeps,
): Promise<void> {
  const plan = await deps.plans.getPlan(planHash);
  if (!plan || plan.roleArn !== claimedRole) return;
  await deps.audit.record({ at: deps.now(), roleArn: plan.roleArn, actor, action: 'refuse', why, planHash: plan.planHash });
}

function outcomeFor(o: ApprovalOutcome, now: string): Outcome {
  if (o.status === 'refused') return { status: 'refused', by: 'leash', reason: o.message, at: now };
  // Approved: the remediation function applies it and updates the message again with what happened.
  return { status: o.status, by: o.by, at: o.at, ...(o.status === 'approved' ? { reason: 'applying now' } : {}) };
}

/** POST /slack/interactivity. `headers` are lower-cased. */
export async function slackInteraction(req: { body: string; headers: Record<string, string> }, deps: ApprovalRequestDeps): Promise<Reply> {
  const signingSecret = await deps.secrets.slackSigningSecret();
  if (!signingSecret) return text(404, 'Slack approvals are not configured', safe('not-configured'));
  const body = req.body;
  const verified = verifySlackRequest({
    signingSecret,
    timestamp: req.headers['x-slack-request-timestamp'],
    signature: req.headers['x-slack-signature'],
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
    return text(401, `request refused: ${verified.reason}`, safe(`refused: ${verified.reason}`));
  }
  const i = parseInteraction(body);
  // Only Leash's own table and queue: no IAM call before Slack has its answer (the apply runs from the queue).
  const outcome = await recordDecision(
    {
      planHash: i.planHash,
      roleArn: i.roleArn,
      approver: i.userId,
      action: i.action,
      via: 'slack',
      message: { channel: i.channel, ts: i.ts },
    },
    deps,
  );
  if (outcome.status === 'refused' && outcome.decided) {
    // A click on a decided plan: told to the clicker alone; the message and the record stay as they are.
    await deps.slack?.postEphemeral(i.channel, i.userId, outcome.message);
  } else {
    const final = outcome.status !== 'refused' || !PENDING_REFUSALS.has(outcome.reason);
    if (outcome.plan && deps.slack && final) await deps.slack.updateOutcome(i.channel, i.ts, outcome.plan, outcomeFor(outcome, deps.now()));
  }
  // Slack wants a quick 200; the message update carries the outcome.
  return text(
    200,
    outcome.status === 'refused' ? `refused: ${outcome.message}` : outcome.status,
    safe(outcome.status === 'refused' ? `refused: ${outcome.reason}` : outcome.status, i.roleArn, i.planHash),
  );
}

/** GET (show) or POST (decide) /approve/{token}. */
export async function signedLink(req: { method: 'GET' | 'POST'; token: string; body: string }, deps: ApprovalRequestDeps): Promise<Reply> {
  const { token } = req;
  const linkSecret = await deps.secrets.linkSigningSecret();
  if (!linkSecret) return text(404, 'link approvals are not configured', safe('not-configured'));
  const verified = verifyToken(token, linkSecret, new Date(deps.now()));
  if (!verified.ok) {
    if (verified.reason !== 'expired')
      return html(
        403,
        renderResultPage({ status: 'refused', reason: verified.reason, message: 'This link is not valid.' }),
        safe(`refused: ${verified.reason}`),
      );
    // The MAC checked out, so the claims are authentic: a decision on a dead link is recorded (viewing is not).
    const claims = expiredClaims(token);
    if (claims && req.method === 'POST') {
      await auditUnauthenticated(
        claims.planHash,
        claims.roleArn,
        claims.approverHint ?? 'link',
        'decision via link refused: the link expired',
        deps,
      );
    }
    return html(410, renderResultPage({ status: 'expired' }), safe('expired', claims?.roleArn, claims?.planHash));
  }
  const { claims } = verified;
  if (req.method === 'GET') {
    // GET only shows the plan: approving needs the form's POST, so link previews and prefetchers change nothing.
    const plan = await deps.plans.getPlan(claims.planHash, deps.now());
    if (!plan) return html(410, renderResultPage({ status: 'expired' }), safe('expired', claims.roleArn, claims.planHash));
    return html(200, renderApprovalPage({ plan, token, expiresAt: claims.expiresAt }), safe('shown', claims.roleArn, claims.planHash));
  }
  const form = parseApprovalForm(req.body, token);
  const outcome = await recordDecision(
    {
      planHash: claims.planHash,
      roleArn: claims.roleArn,
      approver: claims.approverHint ?? '',
      action: form.action,
      via: 'link',
      nonce: claims.nonce,
    },
    deps,
  );
  if (outcome.status === 'refused')
    return html(
      409,
      renderResultPage({ status: 'refused', reason: outcome.reason, message: outcome.message, roleArn: claims.roleArn }),
      safe(`refused: ${outcome.reason}`, claims.roleArn, claims.planHash),
    );
  // The plan's Slack message (when it had one) says it was decided by link, and loses its buttons.
  // Best effort: the decision is recorded and queued already, and the remediation function updates the message again.
  if (outcome.message && deps.slack)
    await deps.slack
      .updateOutcome(outcome.message.channel, outcome.message.ts, outcome.plan, outcomeFor(outcome, deps.now()))
      .catch(() => undefined);
  return html(
    200,
    renderResultPage({ status: outcome.status, roleArn: outcome.plan.roleArn, by: outcome.by, at: outcome.at }),
    safe(outcome.status, claims.roleArn, claims.planHash),
  );
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
