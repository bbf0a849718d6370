// The approval page behind a signed link, and the pages shown after a decision. One self-contained document: no
// scripts, no external assets, every value escaped. GET only renders; only a POST of the form decides. The token
// travels in the path and again in a hidden field, and the handler requires both (parseApprovalForm): a cross-site
// form cannot know the token, and the page itself never leaks it (no-referrer, no third-party requests).
import { roleNameOf } from '../arn.js';
import { createHash } from 'node:crypto';
import { InputError } from '../../errors.js';
import type { Plan } from '../types.js';
import { safeEqual } from './crypto.js';
import { evidenceLines, groupByKind, KIND_TITLES } from './plan-text.js';
import { planReview, type ReviewLine } from './review-lines.js';

export const DEFAULT_BASE_PATH = '/approve';

// Narrow screens (a phone, 390 px): long ARNs wrap anywhere, tables keep to the width, only <pre> scrolls inside.
const STYLE = [
  'body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f;overflow-wrap:anywhere}',
  'code{background:#f3f3f3;padding:0 .2rem;word-break:break-all}',
  'pre{background:#f3f3f3;padding:.5rem;overflow-x:auto;max-width:100%}',
  'table{border-collapse:collapse;width:100%;table-layout:fixed}td,th{border-bottom:1px solid #ddd;padding:.3rem;text-align:left;vertical-align:top}',
  'ul.diff{list-style:none;padding-left:0}ul.diff li{margin:.2rem 0}.why{color:#555;font-size:.9em;margin-left:1.2rem}',
  '.add{color:#116329}.remove{color:#a40e26}.note{color:#7d4e00}.same{color:#555}',
  '.facts{background:#fff8e1;border:1px solid #e0c060;padding:.5rem 1rem}',
  'button{font-size:1rem;padding:.5rem 1.5rem;margin:0 1rem .5rem 0}.approve{background:#116329;color:#fff}.reject{background:#a40e26;color:#fff}',
].join('\n');

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Response headers for every page: the CSP allows only the inline stylesheet (by hash) and same-origin form posts. */
export function pageHeaders(): Record<string, string> {
  const styleHash = createHash('sha256').update(STYLE, 'utf8').digest('base64');
  return {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': `default-src 'none'; style-src 'sha256-${styleHash}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store',
  };
}

export function approvalPath(token: string, basePath = DEFAULT_BASE_PATH): string {
  return `${basePath}/${encodeURIComponent(token)}`;
}

export interface ApprovalPageInput {
  plan: Plan;
  token: string;
  /** When the link stops working (ISO-8601), shown to the approver. */
  expiresAt: string;
  basePath?: string;
  /** Who the link approves as (its approver: an email, or a Slack user id for a link asked for in Slack). */
  approver: string;
  /** Whether Leash runs in dry-run (an approval then changes nothing). */
  dryRun: boolean;
  /** The watch window after an apply, in minutes. */
  watchMinutes: number;
}

const SIGN_CLASS: Record<ReviewLine['sign'], string> = { '+': 'add', '-': 'remove', '~': 'note', '=': 'same' };

function reviewHtml(plan: Plan): string {
  return planReview(plan)
    .map((section) => {
      const items = section.lines
        .map((l) => {
          const note = l.note ? ` <small>(${escapeHtml(l.note)})</small>` : '';
          const why = l.why?.length
            ? `<div class="why">needed by ${l.why.map((w) => `<code>${escapeHtml(w)}</code>`).join('; ')}</div>`
            : '';
          return `<li class="${SIGN_CLASS[l.sign]}">${escapeHtml(l.sign)} ${escapeHtml(l.text)}${note}${why}</li>`;
        })
        .join('\n');
      return `<h3>${escapeHtml(section.title)}</h3>\n<ul class="diff">${items}</ul>`;
    })
    .join('\n');
}

/** What the approver must know before the click: dry-run, who they approve as, the watch window, how to undo. */
function factsHtml(input: ApprovalPageInput): string {
  const { plan } = input;
  const mode = input.dryRun
    ? '<strong>Leash runs in dry-run:</strong> approving records your decision and changes nothing in IAM.'
    : '<strong>Leash is live:</strong> approving changes the role in IAM.';
  return `<div class="facts"><p>${mode}</p>
<p>You approve as <code>${escapeHtml(input.approver)}</code>. This link expires at <time>${escapeHtml(input.expiresAt)}</time> and works once.</p>
<p>After the change Leash watches the role for ${input.watchMinutes} minutes: a denial this plan explains rolls it back automatically.
To roll back by hand: <code>leash rollback ${escapeHtml(plan.roleArn)} --yes</code>.</p></div>`;
}

export function renderApprovalPage(input: ApprovalPageInput): string {
  const { plan, token } = input;
  const action = approvalPath(token, input.basePath);
  const findings = groupByKind(plan.findings)
    .map(
      ({ kind, findings: group }) => `<h3>${escapeHtml(KIND_TITLES[kind])} (${group.length})</h3>
<table><tr><th>Action</th><th>Resource</th><th>Why</th></tr>
${group
  .map(
    (f) =>
      `<tr><td><code>${escapeHtml(f.action)}</code></td><td><code>${escapeHtml(f.resource)}</code></td><td>${f.reasons.map(escapeHtml).join('<br>')}</td></tr>`,
  )
  .join('\n')}
</table>`,
    )
    .join('\n');
  const evidence = evidenceLines(plan.findings)
    .map((e) => `<li><time>${escapeHtml(e.at)}</time> — ${escapeHtml(e.text)}</li>`)
    .join('\n');
  const body = `<h1>Approve policy change for ${escapeHtml(roleNameOf(plan.roleArn))}</h1>
<p>Role <code>${escapeHtml(plan.roleArn)}</code><br>Policy <code>${escapeHtml(plan.policyName)}</code> · plan <code>${escapeHtml(plan.planHash)}</code></p>
${factsHtml(input)}
${plan.needsApproval.length ? `<h2>Why a person decides</h2><ul>${plan.needsApproval.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : ''}
<h2>Policy change</h2>
${reviewHtml(plan)}
<details><summary>Resulting policy <code>${escapeHtml(plan.policyName)}</code></summary><pre>${escapeHtml(JSON.stringify(plan.document, null, 2))}</pre></details>
<h2>Findings</h2>
${findings || '<p>No findings.</p>'}
<h2>Evidence</h2>
${evidence ? `<ul>${evidence}</ul>` : '<p>No evidence recorded.</p>'}
<form method="post" action="${escapeHtml(action)}">
<input type="hidden" name="token" value="${escapeHtml(token)}">
<button type="submit" name="decision" value="approve" class="approve">${input.dryRun ? 'Approve (dry run)' : 'Approve'}</button>
<button type="submit" name="decision" value="reject" class="reject">Reject</button>
</form>`;
  return htmlPage(`Leash: ${roleNameOf(plan.roleArn)}`, body);
}

export type ResultPageInput =
  | { status: 'approved' | 'applied' | 'rejected' | 'dry-run'; roleArn: string; by: string; at: string }
  | { status: 'refused'; roleArn?: string; reason: string; message: string }
  | { status: 'expired' }
  /** A link opened after its plan was decided (here or elsewhere): what was decided, by whom, when. No form. */
  | { status: 'decided'; roleArn: string; decision: string; by: string; at: string; planHash: string }
  /** A link whose plan is no longer the role's current one. No form. */
  | { status: 'superseded'; roleArn: string; planHash: string; why: string };

export function renderResultPage(result: ResultPageInput): string {
  switch (result.status) {
    case 'dry-run':
      // Approved, but Leash runs in dry-run mode: saying "Applied" here would tell the approver something false.
      return htmlPage(
        'Leash: approved (dry run)',
        `<h1>Approved, not applied (dry run)</h1><p>The plan for <code>${escapeHtml(result.roleArn)}</code> was approved by ${escapeHtml(result.by)} at <time>${escapeHtml(result.at)}</time>. Leash runs in dry-run mode, so the role was not changed.</p>`,
      );
    case 'approved':
      // Recorded and queued: the remediation function re-checks and applies it (the Slack message shows the result).
      return htmlPage(
        'Leash: approved',
        `<h1>Approved</h1><p>The plan for <code>${escapeHtml(result.roleArn)}</code> was approved by ${escapeHtml(result.by)} at <time>${escapeHtml(result.at)}</time>. Leash re-checks it and applies it now; the outcome is recorded in its audit trail.</p>`,
      );
    case 'applied':
    case 'rejected': {
      const verb = result.status === 'applied' ? 'Applied' : 'Rejected';
      return htmlPage(
        `Leash: ${verb.toLowerCase()}`,
        `<h1>${verb}</h1><p>The plan for <code>${escapeHtml(result.roleArn)}</code> was ${verb.toLowerCase()} by ${escapeHtml(result.by)} at <time>${escapeHtml(result.at)}</time>.</p>`,
      );
    }
    case 'refused':
      return htmlPage(
        'Leash: refused',
        `<h1>Refused</h1><p>${escapeHtml(result.message)}</p><p>Reason code: <code>${escapeHtml(result.reason)}</code>${result.roleArn ? ` · role <code>${escapeHtml(result.roleArn)}</code>` : ''}</p>`,
      );
    case 'decided':
      return htmlPage(
        'Leash: already decided',
        `<h1>Already decided</h1><p>The plan <code>${escapeHtml(result.planHash.slice(0, 12))}</code> for <code>${escapeHtml(result.roleArn)}</code> was ${escapeHtml(result.decision)} by <strong>${escapeHtml(result.by)}</strong> at <time>${escapeHtml(result.at)}</time>. This link can no longer be used.</p>`,
      );
    case 'superseded':
      return htmlPage(
        'Leash: superseded',
        `<h1>Superseded</h1><p>The plan <code>${escapeHtml(result.planHash.slice(0, 12))}</code> for <code>${escapeHtml(result.roleArn)}</code> can no longer be approved: ${escapeHtml(result.why)}. Leash proposes a new plan when one is needed.</p>`,
      );
    case 'expired':
      return htmlPage(
        'Leash: link expired',
        '<h1>Link expired</h1><p>This approval link has expired. Leash will propose a fresh plan if one is still needed.</p>',
      );
  }
}

export interface ApprovalForm {
  token: string;
  action: 'approve' | 'reject';
}

/**
 * Reads a POSTed approval form. The token in the path and in the body must agree, and the decision must be one of
 * the two buttons; anything else is refused before the token is even verified.
 */
export function parseApprovalForm(rawBody: string, pathToken: string): ApprovalForm {
  const form = new URLSearchParams(rawBody);
  const token = form.get('token');
  const decision = form.get('decision');
  if (!token) throw new InputError('token field is missing', 'approval-form', '$.token');
  if (!safeEqual(token, pathToken)) throw new InputError('token field does not match the link', 'approval-form', '$.token');
  if (decision !== 'approve' && decision !== 'reject') {
    throw new InputError('decision must be approve or reject', 'approval-form', '$.decision');
  }
  return { token, action: decision };
}

function htmlPage(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${body}
</body>
</html>
`;
}
