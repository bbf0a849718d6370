import { describe, expect, it } from 'vitest';
import {
  APPROVE_ACTION_ID,
  outcomeBlocks,
  pendingBlocks,
  planBlocks,
  planSummaryText,
  REJECT_ACTION_ID,
  REVIEW_ACTION_ID,
  type SlackBlock,
} from '../../../lib/engine/approval/blocks.js';
import { manyFindings, PLAN_HASH, ROLE_ARN, samplePlan } from './fixtures.js';

type Section = Extract<SlackBlock, { type: 'section' }>;
const sections = (blocks: SlackBlock[]): string[] => blocks.filter((b): b is Section => b.type === 'section').map((b) => b.text.text);

function assertWithinSlackLimits(blocks: SlackBlock[]): void {
  expect(blocks.length).toBeLessThanOrEqual(50);
  for (const b of blocks) {
    if (b.type === 'section') expect(b.text.text.length).toBeLessThanOrEqual(3000);
    if (b.type === 'header') expect(b.text.text.length).toBeLessThanOrEqual(150);
    if (b.type === 'actions') for (const e of b.elements) expect(e.value.length).toBeLessThanOrEqual(2000);
  }
}

describe('planBlocks', () => {
  const blocks = planBlocks(samplePlan());

  it('opens with a header naming the role', () => {
    expect(blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Approval needed: ecsTaskExecutionRole-web', emoji: false },
    });
    expect(sections(blocks)[0]).toContain(ROLE_ARN);
  });

  it('has one section per finding kind, most urgent first, with counts and lines', () => {
    const kindSections = sections(blocks).filter((t) => /^\*[A-Z].*\* \(\d+\)/.test(t));
    expect(kindSections.map((t) => t.split('\n')[0])).toEqual([
      '*Missing (tasks will fail to start)* (1)',
      '*Denied (seen in CloudTrail or stop reasons)* (1)',
      '*Too broad* (1)',
      '*Excess (removal candidate)* (1)',
    ]);
    expect(kindSections[0]).toContain(
      '`secretsmanager:GetSecretValue` on `arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/web/db-password-??????`',
    );
    expect(kindSections[0]).toContain('`web:7 container app secrets[0].valueFrom names the secret`');
  });

  it('shows the diff with adds, removes, detaches and what compaction widened', () => {
    const diff = sections(blocks).find((t) => t.startsWith('*Policy change*')) ?? '';
    expect(diff).toContain(
      '+ secretsmanager:GetSecretValue on arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/web/db-password-??????  (new access)',
    );
    expect(diff).toContain('+ logs:CreateLogStream on arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/web:*');
    expect(diff).toContain('- ssm:GetParameters on arn:aws:ssm:eu-west-1:123456789012:parameter/legacy/*');
    expect(diff).toContain('- detach managed policy arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy');
    expect(diff).toContain(
      '~ ecr:BatchGetImage: 2 resource(s) compacted to arn:aws:ecr:eu-west-1:123456789012:repository/web*  (adds: any repository whose name starts with web)',
    );
  });

  it('lists evidence with dates, newest first', () => {
    const evidence = sections(blocks).find((t) => t.startsWith('*Evidence*')) ?? '';
    const lines = evidence.split('\n').slice(1);
    expect(lines.map((l) => l.slice(0, 20))).toEqual(['2024-05-02T10:15:00Z', '2024-05-01T08:00:00Z', '2023-11-20T00:00:00Z']);
    expect(lines[0]).toContain('`denial of kms:Decrypt (cloudtrail: AccessDenied kms:Decrypt)`');
  });

  it('ends with Approve (primary) and Reject (danger) carrying plan hash and role', () => {
    const actions = blocks[blocks.length - 1];
    expect(actions?.type).toBe('actions');
    if (actions?.type !== 'actions') return;
    expect(actions.elements.map((e) => [e.action_id, e.text.text, e.style])).toEqual([
      [APPROVE_ACTION_ID, 'Approve', 'primary'],
      [REJECT_ACTION_ID, 'Reject', 'danger'],
    ]);
    for (const e of actions.elements) expect(JSON.parse(e.value)).toEqual({ planHash: PLAN_HASH, roleArn: ROLE_ARN });
  });

  it('escapes Slack control characters coming from AWS data', () => {
    const plan = samplePlan({
      findings: [{ ...manyFindings(1)[0]!, resource: 'arn:aws:s3:::b/<!channel>&x', reasons: ['<@U0ADMIN> said so'] }],
    });
    const text = sections(planBlocks(plan)).join('\n');
    expect(text).toContain('arn:aws:s3:::b/&lt;!channel&gt;&amp;x');
    expect(text).toContain('&lt;@U0ADMIN&gt; said so');
    expect(text).not.toContain('<!channel>');
  });

  it('stays within Slack limits for a huge plan and says how much was left out', () => {
    const findings = [
      ...manyFindings(400, 'excess'),
      ...manyFindings(30, 'missing'),
      ...manyFindings(30, 'too-broad'),
      ...manyFindings(30, 'excess-in-use'),
    ];
    const plan = samplePlan({
      findings,
      removals: findings.map((f) => ({ action: f.action, resource: f.resource })),
      roleArn: `arn:aws:iam::123456789012:role/${'p/'.repeat(200)}${'r'.repeat(64)}`,
    });
    const big = planBlocks(plan);
    assertWithinSlackLimits(big);
    const excess = sections(big).find((t) => t.startsWith('*Excess (removal candidate)* (400)')) ?? '';
    expect(excess).toContain('…and 395 more');
    const diff = sections(big).find((t) => t.startsWith('*Policy change*')) ?? '';
    expect(diff).toMatch(/…and \d+ more/);
    // What does not fit is never approvable in Slack: the page instead.
    const actions = big[big.length - 1];
    expect(actions?.type).toBe('actions');
    if (actions?.type === 'actions') expect(actions.elements.map((e) => e.action_id)).toEqual([REVIEW_ACTION_ID, REJECT_ACTION_ID]);
    expect(sections(big).join('\n')).toContain('*This change is too long to show here in full*');
  });
});

describe('outcomeBlocks', () => {
  it('says who applied it and when, and drops the buttons', () => {
    const blocks = outcomeBlocks(samplePlan(), { status: 'applied', by: 'U024BE7LH', at: '2024-06-01T10:05:00Z' });
    expect(blocks[0]).toMatchObject({ type: 'header', text: { text: 'Applied: ecsTaskExecutionRole-web' } });
    expect(sections(blocks)).toContain('*Applied* by <@U024BE7LH> at 2024-06-01T10:05:00Z');
    expect(blocks.some((b) => b.type === 'actions')).toBe(false);
  });

  it('gives the reason for a refusal and escapes an email approver', () => {
    const blocks = outcomeBlocks(samplePlan(), {
      status: 'refused',
      by: 'eve@example.com',
      reason: 'state-changed: <role changed>',
      at: '2024-06-01T10:05:00Z',
    });
    expect(sections(blocks)).toContain(
      '*Refused* by `eve@example.com` at 2024-06-01T10:05:00Z\nReason: `state-changed: &lt;role changed&gt;`',
    );
  });
});

describe('pendingBlocks', () => {
  it('puts the buttons back and says who approved and why it was not applied, the reason as a value', () => {
    const why = 'not applied (Throttling: <!channel> ```done``` *ok* <https://evil.example|approve here>)';
    const blocks = pendingBlocks(samplePlan(), { by: 'U024BE7LH', why });
    assertWithinSlackLimits(blocks);
    const actions = blocks.at(-1)!;
    expect(actions.type === 'actions' && actions.elements.map((e) => e.action_id)).toEqual([APPROVE_ACTION_ID, REJECT_ACTION_ID]);
    const line = sections(blocks).find((t) => t.startsWith('*Still pending:*'))!;
    expect(line).toMatch(/^\*Still pending:\* approved by <@U024BE7LH>, but `[^`]*`$/);
    // Nothing of the reason can mention, link or format: no raw < or >, and one code span holds all of it.
    expect(line.slice(line.indexOf('`'))).not.toMatch(/[<>]/);
  });

  it('an approver that is not a Slack user id is a value too', () => {
    const line = sections(pendingBlocks(samplePlan(), { by: '<!here>', why: 'x' })).find((t) => t.startsWith('*Still pending:*'))!;
    expect(line).toBe('*Still pending:* approved by `&lt;!here&gt;`, but `x`');
  });
});

describe('planSummaryText', () => {
  it('counts findings by kind for the notification text', () => {
    expect(planSummaryText(samplePlan())).toBe(
      'Leash: approval needed for ecsTaskExecutionRole-web (1 missing, 1 denied, 1 too-broad, 1 excess)',
    );
  });
});
