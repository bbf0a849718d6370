import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../lib/errors.js';
import { createToken } from '../../../lib/engine/approval/link-token.js';
import { approvalPath, pageHeaders, parseApprovalForm, renderApprovalPage, renderResultPage } from '../../../lib/engine/approval/page.js';
import { manyFindings, PLAN_HASH, ROLE_ARN, samplePlan } from './fixtures.js';

const FACTS = { approver: 'alice@example.com', dryRun: false, watchMinutes: 60 };
const TOKEN = createToken({ planHash: PLAN_HASH, roleArn: ROLE_ARN, expiresAt: '2024-06-02T10:00:00.000Z', nonce: 'n-1' }, 's'.repeat(40));
const page = renderApprovalPage({ plan: samplePlan(), token: TOKEN, expiresAt: '2024-06-02T10:00:00.000Z', ...FACTS });

/** The attributes of the page's single form, read the way a browser would submit it. */
function formOf(html: string): { method: string; action: string; hidden: Record<string, string>; decisions: string[] } {
  const forms = html.match(/<form\b[^>]*>/g) ?? [];
  expect(forms).toHaveLength(1);
  const tag = forms[0] ?? '';
  const hidden = Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1], m[2]]));
  const decisions = [...html.matchAll(/<button type="submit" name="decision" value="([^"]+)"/g)].map((m) => m[1] ?? '');
  return {
    method: /method="([^"]+)"/.exec(tag)?.[1] ?? 'get',
    action: /action="([^"]+)"/.exec(tag)?.[1] ?? '',
    hidden,
    decisions,
  };
}

describe('renderApprovalPage', () => {
  it('shows the role, findings, diff and evidence', () => {
    expect(page).toContain('<h1>Approve policy change for ecsTaskExecutionRole-web</h1>');
    expect(page).toContain(`<code>${ROLE_ARN}</code>`);
    expect(page).toContain('<h3>Missing (tasks will fail to start) (1)</h3>');
    expect(page).toContain('<code>secretsmanager:GetSecretValue</code>');
    expect(page).toContain(
      '<li class="add">+ secretsmanager:GetSecretValue on arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/web/db-password-?????? <small>(new access)</small></li>',
    );
    expect(page).toContain(
      '<li class="remove">- detach managed policy arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy</li>',
    );
    expect(page).toContain('<li><time>2024-05-02T10:15:00Z</time> — denial of kms:Decrypt (cloudtrail: AccessDenied kms:Decrypt)</li>');
    expect(page).toContain('&quot;arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/web:*&quot;');
  });

  it('POSTs approve or reject to the token’s own path with the token in a hidden field', () => {
    const form = formOf(page);
    expect(form.method).toBe('post');
    expect(form.action).toBe(`/approve/${TOKEN}`);
    expect(form.hidden).toEqual({ token: TOKEN });
    expect(form.decisions).toEqual(['approve', 'reject']);
  });

  it('is self-contained: no scripts, no external resources', () => {
    expect(page).not.toMatch(/<script/i);
    expect(page).not.toMatch(/\b(src|href)=/i);
    expect(page).not.toMatch(/https?:\/\//);
    expect(page).toContain('<meta name="referrer" content="no-referrer">');
  });

  it('escapes hostile content from findings and the policy', () => {
    const hostile = samplePlan({
      findings: [
        {
          ...manyFindings(1)[0]!,
          resource: 'arn:aws:s3:::x/<script>alert(1)</script>',
          reasons: ['"><img src=x onerror=alert(2)>'],
        },
      ],
      policyName: "leash'</code><script>",
    });
    const html = renderApprovalPage({ plan: hostile, token: TOKEN, expiresAt: '2024-06-02T10:00:00.000Z', ...FACTS });
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain('<img');
    expect(html).toContain('arn:aws:s3:::x/&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(2)&gt;');
    expect(html).toContain('leash&#39;&lt;/code&gt;&lt;script&gt;');
  });

  it('sends a CSP whose style hash matches the inline stylesheet, and forbids framing and caching', () => {
    const headers = pageHeaders();
    const style = /<style>([\s\S]*?)<\/style>/.exec(page)?.[1] ?? '';
    const hash = createHash('sha256').update(style, 'utf8').digest('base64');
    expect(headers['Content-Security-Policy']).toContain(`style-src 'sha256-${hash}'`);
    expect(headers['Content-Security-Policy']).toContain("default-src 'none'");
    expect(headers['Content-Security-Policy']).toContain("form-action 'self'");
    expect(headers['X-Frame-Options']).toBe('DENY');
    expect(headers['Cache-Control']).toBe('no-store');
    expect(headers['Referrer-Policy']).toBe('no-referrer');
  });
});

describe('parseApprovalForm', () => {
  const submit = (fields: Record<string, string>): string => new URLSearchParams(fields).toString();

  it('reads what the page’s form submits', () => {
    const form = formOf(page);
    const pathToken = decodeURIComponent(form.action.slice('/approve/'.length));
    expect(parseApprovalForm(submit({ ...form.hidden, decision: 'approve' }), pathToken)).toEqual({ token: TOKEN, action: 'approve' });
    expect(parseApprovalForm(submit({ ...form.hidden, decision: 'reject' }), pathToken)).toEqual({ token: TOKEN, action: 'reject' });
  });

  it('refuses a body whose token differs from the path (a form forged for another link)', () => {
    expect(() => parseApprovalForm(submit({ token: `${TOKEN}x`, decision: 'approve' }), TOKEN)).toThrow(InputError);
    expect(() => parseApprovalForm(submit({ decision: 'approve' }), TOKEN)).toThrow(/token field is missing/);
  });

  it('refuses an unknown or missing decision', () => {
    expect(() => parseApprovalForm(submit({ token: TOKEN, decision: 'apply-all' }), TOKEN)).toThrow(/decision/);
    expect(() => parseApprovalForm(submit({ token: TOKEN }), TOKEN)).toThrow(/decision/);
  });

  it('builds the path with the token URL-safe', () => {
    expect(approvalPath('a.b', '/links')).toBe('/links/a.b');
    expect(approvalPath('a/b?c')).toBe('/approve/a%2Fb%3Fc');
  });
});

describe('renderResultPage', () => {
  it('renders applied, refused with its reason, and expired', () => {
    expect(renderResultPage({ status: 'applied', roleArn: ROLE_ARN, by: 'alice@example.com', at: '2024-06-01T10:05:00Z' })).toContain(
      `<h1>Applied</h1><p>The plan for <code>${ROLE_ARN}</code> was applied by alice@example.com at <time>2024-06-01T10:05:00Z</time>.</p>`,
    );
    const refused = renderResultPage({ status: 'refused', reason: 'state-changed', message: "The role's policies changed <since>" });
    expect(refused).toContain('<h1>Refused</h1><p>The role&#39;s policies changed &lt;since&gt;</p>');
    expect(refused).toContain('<code>state-changed</code>');
    expect(renderResultPage({ status: 'expired' })).toContain('<h1>Link expired</h1>');
    expect(renderResultPage({ status: 'expired' })).not.toMatch(/<form/);
  });
});
