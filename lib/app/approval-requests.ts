// The approval requests people make: a Slack click (interactivity) and a signed link (GET shows the plan, POST
// decides). Every request is authenticated before anything is read: Slack by signature and timestamp, links by token.
// Routing and HTTP decoding are the edge's (lib/edge/http-approvals.ts); this answers with a Reply and what to log.
import type { Outcome } from '../engine/approval/blocks.js';
import { parseInteraction } from '../engine/approval/interaction.js';
import { verifyToken, type LinkClaims } from '../engine/approval/link-token.js';
import { parseApprovalForm, renderApprovalPage, renderResultPage } from '../engine/approval/page.js';
import { verifySlackRequest } from '../engine/approval/slack-signature.js';
import { isAllowedApprover } from '../engine/approval/decide.js';
import { mintLink, REQUESTED_LINK_MINUTES } from './approval-links.js';
import { recordDecision, type ApprovalDeps, type ApprovalOutcome } from './approve.js';
import type { AuditLog, Secrets, Slack } from './ports.js';
import type { RemediationSettings } from './remediate.js';

export interface ApprovalRequestDeps extends ApprovalDeps {
  secrets: Secrets;
  slack?: Pick<Slack, 'updateOutcome' | 'postEphemeral'>;
  audit: Pick<AuditLog, 'record'>;
  /** publicBaseUrl for requested review links; dryRun and watchMinutes are said on the page before anyone decides. */
  settings: ApprovalDeps['settings'] & Pick<RemediationSettings, 'publicBaseUrl' | 'dryRun' | 'watchMinutes'>;
}

/** What to answer, and what happened in terms safe to log (never the body, token or signature). */
export interface Reply {
  status: number;
  kind: 'html' | 'text';
  body: string;
  log: { outcome: string; role?: string; plan?: string };
  /** A metric to count, beside the outcome's (e.g. UnsignedSlackRequests). */
  metric?: string;
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
    // Nothing an unsigned request says is written anywhere (anyone can send one): it is only counted.
    return { ...text(401, `request refused: ${verified.reason}`, safe(`refused: ${verified.reason}`)), metric: 'UnsignedSlackRequests' };
  }
  const i = parseInteraction(body);
  if (i.action === 'review') return reviewLink(i, deps);
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
    const decided = claims ? await decidedPage(claims, deps) : undefined;
    return decided ?? html(410, renderResultPage({ status: 'expired' }), safe('expired', claims?.roleArn, claims?.planHash));
  }
  const { claims } = verified;
  if (req.method === 'GET') {
    // GET only shows the plan: approving needs the form's POST, so link previews and prefetchers change nothing.
    const plan = await deps.plans.getPlan(claims.planHash, deps.now());
    const decided = await decidedPage(claims, deps);
    if (decided) return decided;
    if (!plan) return html(410, renderResultPage({ status: 'expired' }), safe('expired', claims.roleArn, claims.planHash));
    // No IAM here (the approvals function has none): a plan is stale once a newer one exists for its role. A role
    // changed since the plan is refused by the remediation function, which re-reads the role before it applies.
    const current = await deps.plans.currentPlan(plan.roleArn);
    if (current !== undefined && current !== plan.planHash)
      return html(
        409,
        renderResultPage({
          status: 'superseded',
          roleArn: plan.roleArn,
          planHash: plan.planHash,
          why: 'a newer plan exists for this role (its policies or what its task definitions need changed)',
        }),
        safe('superseded', claims.roleArn, claims.planHash),
      );
    const page = renderApprovalPage({
      plan,
      token,
      expiresAt: claims.expiresAt,
      approver: claims.approverHint ?? '',
      dryRun: deps.settings.dryRun,
      watchMinutes: deps.settings.watchMinutes,
    });
    return html(200, page, safe('shown', claims.roleArn, claims.planHash));
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

/** A link opened after its plan was decided: the decision, who made it and when (from the plan's status record). */
async function decidedPage(claims: LinkClaims, deps: ApprovalRequestDeps): Promise<Reply | undefined> {
  const d = await deps.plans.status(claims.planHash);
  if (!d || d.status === 'pending') return undefined;
  const decision = d.status === 'rejected' ? 'rejected' : d.status === 'refused' ? 'refused at the apply, approved' : 'approved';
  const page = renderResultPage({
    status: 'decided',
    roleArn: claims.roleArn,
    planHash: claims.planHash,
    decision,
    by: d.by ?? 'leash',
    at: d.at ?? 'unknown',
  });
  return html(410, page, safe(`already ${decision}`, claims.roleArn, claims.planHash));
}

/**
 * "Review and approve" on a plan too long for Slack: an allowed approver gets their own short-lived link
 * to the page, in a message only they see; anyone else gets told they may not approve. Nothing is decided here.
 */
async function reviewLink(i: ReturnType<typeof parseInteraction>, deps: ApprovalRequestDeps): Promise<Reply> {
  const log = (outcome: string) => safe(outcome, i.roleArn, i.planHash);
  const say = (msg: string) => deps.slack?.postEphemeral(i.channel, i.userId, msg);
  if (!isAllowedApprover(i.userId, deps.settings.approvers)) {
    await say('You are not on the list of approvers for this role, so Leash sends you no approval link.');
    return text(200, 'not an approver', log('refused: approver-not-allowed'));
  }
  const found = await deps.plans.getPlan(i.planHash, deps.now());
  const plan = found && (await deps.plans.status(found.planHash))?.status === 'pending' ? found : undefined;
  const secret = await deps.secrets.linkSigningSecret();
  const baseUrl = deps.settings.publicBaseUrl;
  if (!plan || plan.roleArn !== i.roleArn || !secret || !baseUrl) {
    await say(plan ? 'Approval links are not configured: ask an operator.' : 'This plan is no longer pending.');
    return text(200, 'no link', log(plan ? 'not-configured' : 'refused: unknown-plan'));
  }
  const expiresAt = new Date(Date.parse(deps.now()) + REQUESTED_LINK_MINUTES * 60_000).toISOString();
  const link = mintLink(plan, i.userId, expiresAt, secret, baseUrl);
  await say(
    `Your approval page for this plan (valid ${REQUESTED_LINK_MINUTES} minutes, one decision, only for you: do not share it): ${link.url}`,
  );
  return text(200, 'link sent', log('review-link-sent'));
}
