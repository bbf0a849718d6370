// A local GitHub REST API for one repository's issues: list by label/state, create, update (PATCH), comment. It checks
// the headers GitHub documents (Bearer token, vnd.github+json, API version, User-Agent) and GitHub's 422 rules.
import { fail, requireHeader, requireJsonBody, startFake, type RecordedRequest, type RunningFake } from './http-fake.js';

export interface GitHubIssueState {
  number: number;
  title: string;
  body: string | null;
  labels: string[];
  state: 'open' | 'closed';
  state_reason: 'completed' | 'not_planned' | 'reopened' | null;
  comments: string[];
  pull_request?: { url: string };
  created: number;
}

export interface GitHubFake extends RunningFake {
  issues: Map<number, GitHubIssueState>;
  /** Adds an issue or pull request directly (e.g. someone else's issue carrying the same label). */
  seed(issue: Partial<GitHubIssueState> & { title: string }): GitHubIssueState;
}

export interface GitHubFakeOptions {
  token: string;
  owner: string;
  repo: string;
}

const BODY_MAX = 65536;

export async function startGitHubFake(opts: GitHubFakeOptions): Promise<GitHubFake> {
  const issues = new Map<number, GitHubIssueState>();
  let seq = 0;
  const prefix = `/repos/${opts.owner}/${opts.repo}/issues`;

  const add = (i: Partial<GitHubIssueState> & { title: string }): GitHubIssueState => {
    seq += 1;
    const issue: GitHubIssueState = {
      number: seq,
      body: null,
      labels: [],
      state: 'open',
      state_reason: null,
      comments: [],
      created: seq,
      ...i,
    };
    issues.set(issue.number, issue);
    return issue;
  };

  const fake = await startFake((req) => {
    checkHeaders(req, opts.token);
    if (req.path === prefix && req.method === 'GET') return list(req);
    if (req.path === prefix && req.method === 'POST') {
      const body = requireJsonBody(req);
      if (typeof body.title !== 'string' || !body.title) unprocessable('title', 'missing_field');
      const text = checkBody(body.body);
      const labels = checkLabels(body.labels);
      return { status: 201, body: view(add({ title: body.title as string, body: text ?? null, labels })) };
    }
    const m = new RegExp(`^${prefix}/(\\d+)(/comments)?$`).exec(req.path);
    const issue = m ? issues.get(Number(m[1])) : undefined;
    if (!m) return { status: 404, body: { message: 'Not Found' } };
    if (!issue) return { status: 404, body: { message: 'Not Found' } };
    if (!m[2] && req.method === 'PATCH') return patch(req, issue);
    if (m[2] && req.method === 'POST') {
      const body = requireJsonBody(req);
      if (typeof body.body !== 'string' || !body.body) unprocessable('body', 'missing_field');
      checkBody(body.body);
      issue.comments.push(body.body as string);
      return { status: 201, body: { id: issue.comments.length, body: body.body } };
    }
    return { status: 404, body: { message: 'Not Found' } };
  });

  function list(req: RecordedRequest) {
    const state = req.query.get('state') ?? 'open';
    if (!['open', 'closed', 'all'].includes(state)) unprocessable('state', 'invalid');
    const labels = (req.query.get('labels') ?? '').split(',').filter(Boolean);
    const perPage = Math.min(Number(req.query.get('per_page') ?? 30), 100);
    const page = Number(req.query.get('page') ?? 1);
    const found = [...issues.values()]
      .filter((i) => (state === 'all' || i.state === state) && labels.every((l) => i.labels.includes(l)))
      .sort((a, b) => b.created - a.created);
    return { status: 200, body: found.slice((page - 1) * perPage, page * perPage).map(view) };
  }

  function patch(req: RecordedRequest, issue: GitHubIssueState) {
    const body = requireJsonBody(req);
    if (body.title !== undefined) {
      if (typeof body.title !== 'string' || !body.title) unprocessable('title', 'invalid');
      issue.title = body.title as string;
    }
    if (body.body !== undefined) issue.body = checkBody(body.body) ?? null;
    if (body.state !== undefined) {
      if (body.state !== 'open' && body.state !== 'closed') unprocessable('state', 'invalid');
      const reason = body.state_reason;
      if (reason !== undefined && reason !== null && !['completed', 'not_planned', 'reopened'].includes(reason as string))
        unprocessable('state_reason', 'invalid');
      // GitHub ignores state_reason unless the state changes.
      if (body.state !== issue.state)
        issue.state_reason = (reason as GitHubIssueState['state_reason']) ?? (body.state === 'closed' ? 'completed' : 'reopened');
      issue.state = body.state;
    }
    return { status: 200, body: view(issue) };
  }

  return { ...fake, issues, seed: add };
}

function checkHeaders(req: RecordedRequest, token: string): void {
  if (req.headers.authorization !== `Bearer ${token}`) fail(401, 'Bad credentials', { message: 'Bad credentials' });
  requireHeader(req, 'accept', (v) => v === 'application/vnd.github+json', 'application/vnd.github+json');
  requireHeader(req, 'x-github-api-version', (v) => v === '2022-11-28', 'a supported API version (2022-11-28)');
  // GitHub rejects requests without a User-Agent.
  requireHeader(req, 'user-agent', (v) => v.length > 0, 'present');
}

function checkBody(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') unprocessable('body', 'invalid');
  if ((v as string).length > BODY_MAX) unprocessable('body', 'custom', `body is too long (maximum is ${BODY_MAX} characters)`);
  return v as string;
}

function checkLabels(v: unknown): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every((l) => typeof l === 'string')) unprocessable('labels', 'invalid');
  return v as string[];
}

function unprocessable(field: string, code: string, message?: string): never {
  return fail(422, `${field}: ${code}`, {
    message: 'Validation Failed',
    errors: [{ resource: 'Issue', field, code, ...(message ? { message } : {}) }],
  });
}

function view(i: GitHubIssueState): Record<string, unknown> {
  return {
    number: i.number,
    title: i.title,
    body: i.body,
    state: i.state,
    state_reason: i.state_reason,
    labels: i.labels.map((name) => ({ name })),
    html_url: `https://github.example/${i.number}`,
    ...(i.pull_request ? { pull_request: i.pull_request } : {}),
  };
}
