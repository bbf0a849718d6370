// The ticket lifecycle against both trackers' fakes: create → re-sync (lookup only) → change (update + comment) →
// resolved (closed) → findings again (a new ticket). Assertions are on the HTTP requests the fakes recorded.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../lib/engine/types.js';
import { GitHubTracker } from '../../lib/adapters/tickets/github.js';
import { JiraTracker } from '../../lib/adapters/tickets/jira.js';
import { syncTicket } from '../../lib/app/tickets.js';
import type { Tracker } from '../../lib/app/ports.js';
import type { RunningFake } from '../fakes/http-fake.js';
import { startGitHubFake, type GitHubFake } from '../fakes/github-fake.js';
import { startJiraFake, type JiraFake } from '../fakes/jira-fake.js';
import { FINDINGS, ROLE_ARN } from '../engine/approval/fixtures.js';

const ROLE_KEY = createHash('sha256').update(ROLE_ARN).digest('hex').slice(0, 16);

interface Setup {
  name: string;
  start(): Promise<RunningFake>;
  tracker(fake: RunningFake): Tracker;
  /** Method + path of the lookup request. */
  lookup: [string, string];
  create: [string, string];
  update: [string, RegExp];
  comment: [string, RegExp];
  closeCalls: [string, RegExp][];
  openTickets(fake: RunningFake): { id: string; text: string }[];
  closedIds(fake: RunningFake): string[];
}

const jira: Setup = {
  name: 'Jira',
  start: () => startJiraFake({ email: 'leash-bot@example.com', apiToken: 'ATATT3xFfGF0-test', projectKey: 'OPS' }),
  tracker: (f) =>
    new JiraTracker({ baseUrl: `${f.url}/`, email: 'leash-bot@example.com', apiToken: 'ATATT3xFfGF0-test', projectKey: 'OPS' }),
  lookup: ['POST', '/rest/api/3/search/jql'],
  create: ['POST', '/rest/api/3/issue'],
  update: ['PUT', /^\/rest\/api\/3\/issue\/OPS-\d+$/],
  comment: ['POST', /^\/rest\/api\/3\/issue\/OPS-\d+\/comment$/],
  closeCalls: [
    ['POST', /\/comment$/],
    ['GET', /\/transitions$/],
    ['POST', /\/transitions$/],
  ],
  openTickets: (f) =>
    [...(f as JiraFake).issues.values()]
      .filter((i) => i.status !== 'done')
      .map((i) => ({ id: i.key, text: JSON.stringify(i.fields.description) })),
  closedIds: (f) => [...(f as JiraFake).issues.values()].filter((i) => i.status === 'done').map((i) => i.key),
};

const github: Setup = {
  name: 'GitHub',
  start: () => startGitHubFake({ token: 'ghp_testtoken0000000000000000000000000000', owner: 'acme', repo: 'infra' }),
  tracker: (f) => new GitHubTracker({ apiUrl: f.url, token: 'ghp_testtoken0000000000000000000000000000', owner: 'acme', repo: 'infra' }),
  lookup: ['GET', '/repos/acme/infra/issues'],
  create: ['POST', '/repos/acme/infra/issues'],
  update: ['PATCH', /^\/repos\/acme\/infra\/issues\/\d+$/],
  comment: ['POST', /^\/repos\/acme\/infra\/issues\/\d+\/comments$/],
  closeCalls: [
    ['POST', /\/comments$/],
    ['PATCH', /\/issues\/\d+$/],
  ],
  openTickets: (f) =>
    [...(f as GitHubFake).issues.values()]
      .filter((i) => i.state === 'open' && !i.pull_request)
      .map((i) => ({ id: String(i.number), text: i.body ?? '' })),
  closedIds: (f) => [...(f as GitHubFake).issues.values()].filter((i) => i.state === 'closed').map((i) => String(i.number)),
};

describe.each([jira, github])('ticket lifecycle on $name', (setup) => {
  let fake: RunningFake;
  let tracker: Tracker;
  beforeAll(async () => {
    fake = await setup.start();
    tracker = setup.tracker(fake);
  });
  afterAll(async () => {
    await fake.close();
  });

  /** Runs one sync and returns the requests it made. */
  async function sync(findings: Finding[]) {
    const from = fake.requests.length;
    const result = await syncTicket(tracker, ROLE_ARN, findings);
    return { result, reqs: fake.requests.slice(from) };
  }

  let firstId = '';

  it('creates one ticket when findings appear', async () => {
    const { result, reqs } = await sync(FINDINGS);
    expect(result.action).toBe('created');
    expect(reqs.map((r) => [r.method, r.path])).toEqual([setup.lookup, setup.create]);
    expect(reqs.every((r) => r.status !== undefined && r.status < 300)).toBe(true);
    const open = setup.openTickets(fake);
    expect(open).toHaveLength(1);
    expect(open[0]!.text).toContain(`leash:${ROLE_KEY}`);
    expect(open[0]!.text).toContain('secretsmanager:GetSecretValue');
    firstId = result.ticket!.id;
    expect(open[0]!.id).toBe(firstId);
  });

  it('re-syncing the same findings makes only the lookup, even when reasons and evidence moved on', async () => {
    const sameButNewer = FINDINGS.map((f) => ({
      ...f,
      reasons: [...f.reasons, 'seen again'],
      evidence: [{ kind: 'denial' as const, at: '2024-07-01T00:00:00Z', source: 'cloudtrail' }],
    }));
    const { result, reqs } = await sync([...sameButNewer].reverse());
    expect(result).toEqual({ action: 'unchanged', ticket: expect.objectContaining({ id: firstId }) });
    expect(reqs.map((r) => [r.method, r.path])).toEqual([setup.lookup]);
  });

  it('a changed finding set rewrites the body, then comments what changed', async () => {
    const kept = FINDINGS.filter((f) => f.kind !== 'excess');
    const added: Finding = {
      kind: 'missing',
      severity: 'urgent',
      action: 'ecr:BatchGetImage',
      resource: 'arn:aws:ecr:eu-west-1:123456789012:repository/web',
      reasons: ['web:8 container app image'],
    };
    const { result, reqs } = await sync([...kept, added]);
    expect(result.action).toBe('updated');
    expect(reqs.map((r) => r.method)).toEqual([setup.lookup[0], setup.update[0], setup.comment[0]]);
    expect(reqs[1]!.path).toMatch(setup.update[1]);
    expect(reqs[2]!.path).toMatch(setup.comment[1]);
    const comment = JSON.stringify(reqs[2]!.body);
    expect(comment).toContain('1 new, 1 resolved, 3 unchanged');
    expect(comment).toContain('ecr:BatchGetImage');
    // The resolved line is recovered from the old body.
    expect(comment).toContain('excess: ssm:GetParameters on arn:aws:ssm:eu-west-1:123456789012:parameter/legacy/*');
    expect(setup.openTickets(fake)).toHaveLength(1);
    expect(setup.openTickets(fake)[0]!.text).not.toContain('ssm:GetParameters');

    // Re-delivery of the same change posts no second comment.
    const again = await sync([added, ...kept]);
    expect(again.result.action).toBe('unchanged');
    expect(again.reqs).toHaveLength(1);
  });

  it('closes the ticket with a comment when the findings are gone', async () => {
    const { result, reqs } = await sync([]);
    expect(result).toEqual({ action: 'closed', ticket: expect.objectContaining({ id: firstId }) });
    expect(reqs.slice(1).map((r) => r.method)).toEqual(setup.closeCalls.map((c) => c[0]));
    reqs.slice(1).forEach((r, i) => expect(r.path).toMatch(setup.closeCalls[i]![1]));
    const last = reqs[reqs.length - 1]!;
    expect(last.body).toEqual(setup.name === 'Jira' ? { transition: { id: '31' } } : { state: 'closed', state_reason: 'completed' });
    expect(setup.openTickets(fake)).toEqual([]);
    expect(setup.closedIds(fake)).toEqual([firstId]);

    const nothing = await sync([]);
    expect(nothing.result.action).toBe('none');
    expect(nothing.reqs).toHaveLength(1);
  });

  it('opens a new ticket when findings come back later', async () => {
    const { result } = await sync(FINDINGS.slice(0, 1));
    expect(result.action).toBe('created');
    expect(result.ticket!.id).not.toBe(firstId);
    expect(setup.openTickets(fake).map((t) => t.id)).toEqual([result.ticket!.id]);
  });
});

describe('request shapes', () => {
  it('Jira: searches by the dedupe label and open status category, creates with ADF and labels', async () => {
    const fake = (await jira.start()) as JiraFake;
    try {
      await syncTicket(jira.tracker(fake), ROLE_ARN, FINDINGS);
      const [search, create] = fake.requests;
      expect(search!.body).toMatchObject({ jql: `labels = "leash-${ROLE_KEY}" AND statusCategory != Done ORDER BY created DESC` });
      expect(search!.headers.authorization).toBe(`Basic ${Buffer.from('leash-bot@example.com:ATATT3xFfGF0-test').toString('base64')}`);
      const fields = (create!.body as { fields: Record<string, unknown> }).fields;
      expect(fields.project).toEqual({ key: 'OPS' });
      expect(fields.issuetype).toEqual({ name: 'Task' });
      expect(fields.labels).toEqual(['leash', `leash-${ROLE_KEY}`]);
      expect(fields.summary).toBe('Leash: 4 findings for ECS execution role ecsTaskExecutionRole-web');
      expect(fields.description).toMatchObject({ type: 'doc', version: 1 });
    } finally {
      await fake.close();
    }
  });

  it('GitHub: lists open leash issues, pages past others’ issues and skips pull requests carrying the marker', async () => {
    const fake = (await github.start()) as GitHubFake;
    try {
      const tracker = github.tracker(fake);
      const created = await syncTicket(tracker, ROLE_ARN, FINDINGS);
      // A PR quoting our marker, and 100 newer issues by others with the same label, listed before ours.
      fake.seed({ title: 'PR', body: `<!-- leash:${ROLE_KEY} -->`, labels: ['leash'], pull_request: { url: 'x' } });
      for (let i = 0; i < 100; i++) fake.seed({ title: `other ${i}`, body: '<!-- leash:0000000000000000 -->', labels: ['leash'] });
      const from = fake.requests.length;
      const again = await syncTicket(tracker, ROLE_ARN, FINDINGS);
      expect(again).toEqual({ action: 'unchanged', ticket: expect.objectContaining({ id: created.ticket!.id }) });
      const lists = fake.requests.slice(from);
      expect(lists.map((r) => [r.method, r.path, r.query.get('labels'), r.query.get('state'), r.query.get('page')])).toEqual([
        ['GET', '/repos/acme/infra/issues', 'leash', 'open', '1'],
        ['GET', '/repos/acme/infra/issues', 'leash', 'open', '2'],
      ]);
      const create = fake.requests.find((r) => r.method === 'POST')!;
      expect(create.headers.accept).toBe('application/vnd.github+json');
      expect(create.headers['x-github-api-version']).toBe('2022-11-28');
      expect(create.headers.authorization).toBe('Bearer ghp_testtoken0000000000000000000000000000');
      expect(create.body).toMatchObject({ labels: ['leash'] });
      expect((create.body as { body: string }).body.startsWith(`<!-- leash:${ROLE_KEY} -->\n`)).toBe(true);
    } finally {
      await fake.close();
    }
  });

  it('includes the template change as a code block for CloudFormation- and Terraform-owned roles', async () => {
    const document = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow' as const, Action: 'ecr:BatchGetImage', Resource: 'arn:aws:ecr:eu-west-1:123456789012:repository/web' }],
    };
    const gh = (await github.start()) as GitHubFake;
    const jf = (await jira.start()) as JiraFake;
    try {
      await syncTicket(github.tracker(gh), ROLE_ARN, FINDINGS, {
        tool: 'terraform',
        location: 'module.web.aws_iam_role.execution',
        policyName: 'leash-least-privilege',
        document,
      });
      const body = [...gh.issues.values()][0]!.body ?? '';
      expect(body).toContain('managed by Terraform (module.web.aws_iam_role.execution)');
      expect(body).toContain('```hcl\nresource "aws_iam_role_policy" "leash_least_privilege" {');
      expect(body).toContain('"Resource": "arn:aws:ecr:eu-west-1:123456789012:repository/web"');

      await syncTicket(jira.tracker(jf), ROLE_ARN, FINDINGS, {
        tool: 'cloudformation',
        location: 'web-stack/TaskExecutionRole',
        policyName: 'leash-least-privilege',
        document,
      });
      const description = [...jf.issues.values()][0]!.fields.description as {
        content: { type: string; attrs?: { language?: string }; content?: { text: string }[] }[];
      };
      const codeBlock = description.content.find((n) => n.type === 'codeBlock');
      expect(codeBlock?.attrs?.language).toBe('json');
      expect(JSON.parse(codeBlock!.content![0]!.text)).toEqual({ PolicyName: 'leash-least-privilege', PolicyDocument: document });

      // A new template with the same findings is a change worth an update.
      const changed = await syncTicket(jira.tracker(jf), ROLE_ARN, FINDINGS, {
        tool: 'cloudformation',
        policyName: 'leash-least-privilege',
        document: { ...document, Statement: [] },
      });
      expect(changed.action).toBe('updated');
    } finally {
      await gh.close();
      await jf.close();
    }
  });

  // Wrong credentials are a CredentialsError (an AdapterError) naming the status, so the remediation degrades on them
  // (lib/app/tickets.ts ticketStep) instead of retrying a token that will not start working by itself.
  it('fails with a CredentialsError carrying the status when credentials are wrong', async () => {
    const fake = (await github.start()) as GitHubFake;
    try {
      const bad = new GitHubTracker({ apiUrl: fake.url, token: 'ghp_wrong', owner: 'acme', repo: 'infra' });
      await expect(syncTicket(bad, ROLE_ARN, FINDINGS)).rejects.toMatchObject({
        name: 'CredentialsError',
        message: 'github.listIssues: GitHub refused the token (HTTP 401)',
        service: 'github',
        operation: 'listIssues',
      });
    } finally {
      await fake.close();
    }
  });
});
