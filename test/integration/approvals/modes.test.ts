// Issue 5 acceptance, modes: what the remediation function does with a role per its leash:mode tag, dry-run and
// the guardrails, against moto, with the GitHub fake as the ticket tracker.
import { TagRoleCommand } from '@aws-sdk/client-iam';
import { afterEach, describe, expect, it } from 'vitest';
import { GitHubTracker } from '../../../lib/adapters/tickets/github.js';
import { startGitHubFake, type GitHubFake } from '../../fakes/github-fake.js';
import { useMoto } from '../../support/moto.js';
import { expectedAfter, createWorld, remediationAccount, roleArn, type DemoWorld, type WorldOverrides } from '../../support/world/index.js';

const moto = useMoto();
let w: DemoWorld | undefined;
let github: GitHubFake | undefined;
afterEach(async () => {
  await w?.close();
  await github?.close();
  w = undefined;
  github = undefined;
});

const GH = { token: 'ghp_test', owner: 'acme', repo: 'platform' };

async function setUp(tags: Record<string, string>, opts: WorldOverrides & { role?: string } = {}): Promise<DemoWorld> {
  w = await createWorld(moto.config(), remediationAccount(opts));
  const Tags = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
  await w.clients.iam.send(new TagRoleCommand({ RoleName: opts.role ?? 'billing-exec', Tags }));
  return w;
}

async function withGitHub(): Promise<GitHubTracker> {
  github = await startGitHubFake(GH);
  return new GitHubTracker({ ...GH, apiUrl: github.url });
}

const issueCreates = () => (github?.requests ?? []).filter((r) => r.method === 'POST' && r.path === `/repos/${GH.owner}/${GH.repo}/issues`);

/** What billing-exec's owner lets auto add on its own: its repository and log group (the secret is already granted). */
const BILLING_SCOPE = 'repository/billing log-group:/ecs/billing';

describe('remediation modes, end to end', () => {
  it('observe: the role is never changed, even with dry-run off; the skip is audited', async () => {
    const world = await setUp({ 'leash:mode': 'observe' }, { dryRun: false });
    const before = await world.stateHash('billing-exec');
    const out = await world.remediate('billing-exec');
    expect(out).toMatchObject({ outcome: 'skipped', mode: 'observe' });
    expect(await world.stateHash('billing-exec')).toBe(before);
    expect(world.slack.messages.size).toBe(0);
    expect((await world.audit('billing-exec')).map((e) => e.action)).toEqual(['skip']);
  });

  it('ticket: opens an issue naming the role and changes nothing', async () => {
    const tracker = await withGitHub();
    const world = await setUp({ 'leash:mode': 'ticket' }, { dryRun: false, tracker });
    const before = await world.stateHash('billing-exec');
    const out = await world.remediate('billing-exec');
    expect(out).toMatchObject({ outcome: 'ticket', mode: 'ticket', why: 'created' });
    expect(issueCreates()).toHaveLength(1);
    const issue = [...github!.issues.values()][0]!;
    expect(`${issue.title}\n${issue.body}`).toContain('billing-exec');
    expect(issue.labels).toEqual(['leash']);
    expect(await world.stateHash('billing-exec')).toBe(before);
    expect((await world.audit('billing-exec')).map((e) => e.action)).toEqual(['ticket']);
  });

  it('auto with the default dry-run: nothing changes, a skip is audited', async () => {
    const world = await setUp({ 'leash:mode': 'auto', 'leash:scope': BILLING_SCOPE }, { dryRun: 'config-default' });
    expect(world.config.dryRun).toBe(true);
    const before = await world.stateHash('billing-exec');
    const out = await world.remediate('billing-exec');
    expect(out).toMatchObject({ outcome: 'dry-run', mode: 'auto' });
    expect(await world.stateHash('billing-exec')).toBe(before);
    const last = (await world.audit('billing-exec')).at(-1)!;
    expect(last).toMatchObject({ action: 'skip', actor: 'leash-auto' });
    expect(last.why).toMatch(/^dry run/);
  });

  it('auto, dry-run off: a plan within the guardrails is applied and the role equals it', async () => {
    // Its additions (the billing image pull and log streams) lie inside the scope its owner declared.
    const world = await setUp({ 'leash:mode': 'auto', 'leash:scope': BILLING_SCOPE }, { dryRun: false });
    const before = await world.readRole('billing-exec');
    const out = await world.remediate('billing-exec');
    expect(out.outcome).toBe('applied');
    const plan = 'plan' in out ? out.plan! : undefined;
    expect(plan?.needsApproval).toEqual([]);
    expect(await world.readRole('billing-exec')).toEqual(expectedAfter(before, plan!));
    expect((await world.audit('billing-exec')).at(-1)).toMatchObject({ action: 'apply', actor: 'leash-auto' });
  });

  it('auto, dry-run off: a plan adding cross-account access is not applied; approval is requested instead', async () => {
    // reports-exec pulls its image from account 210987654321 and lacks that grant: the plan must add it.
    const world = await setUp({ 'leash:mode': 'auto' }, { dryRun: false, role: 'reports-exec' });
    const before = await world.stateHash('reports-exec');
    const out = await world.remediate('reports-exec');
    expect(out).toMatchObject({ outcome: 'approval-requested', mode: 'auto' });
    expect(out.why).toContain('cross-account resource (account 210987654321)');
    expect(await world.stateHash('reports-exec')).toBe(before);
    expect(world.slack.messages.size).toBe(1);
    const plan = 'plan' in out ? out.plan! : undefined;
    expect(await world.deps.plans.getPlan(plan!.planHash, world.clock.now())).toEqual(plan);
    expect((await world.audit('reports-exec')).map((e) => e.action)).toEqual(['plan']);
  });

  it('a CloudFormation-owned role in auto mode gets a ticket with the template change and is not mutated', async () => {
    const tracker = await withGitHub();
    const world = await setUp({ 'leash:mode': 'auto', 'aws:cloudformation:stack-name': 'billing-prod' }, { dryRun: false, tracker });
    const before = await world.stateHash('billing-exec');
    const out = await world.remediate('billing-exec');
    expect(out).toMatchObject({ outcome: 'ticket', mode: 'auto' });
    expect(await world.stateHash('billing-exec')).toBe(before);
    const plan = 'plan' in out ? out.plan! : undefined;
    const body = [...github!.issues.values()][0]?.body ?? '';
    expect(body).toContain('managed by CloudFormation');
    expect(body).toContain(JSON.stringify({ PolicyName: plan!.policyName, PolicyDocument: plan!.document }, null, 2));
    const last = (await world.audit('billing-exec')).at(-1)!;
    expect(last.action).toBe('ticket');
    expect(last.why).toContain('role is managed by cloudformation');
    expect(last.roleArn).toBe(roleArn('billing-exec'));
  });

  it('a Terraform-owned role (ManagedBy=terraform) gets a ticket with the HCL change and is not mutated', async () => {
    const tracker = await withGitHub();
    const world = await setUp({ 'leash:mode': 'auto', ManagedBy: 'terraform' }, { dryRun: false, tracker });
    const before = await world.stateHash('billing-exec');
    const out = await world.remediate('billing-exec');
    expect(out).toMatchObject({ outcome: 'ticket', mode: 'auto' });
    expect(await world.stateHash('billing-exec')).toBe(before);
    const body = [...github!.issues.values()][0]?.body ?? '';
    expect(body).toContain('managed by Terraform');
    expect(body).toContain('resource "aws_iam_role_policy"');
    expect(body).toContain('role   = "billing-exec"');
  });
});
