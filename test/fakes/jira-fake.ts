// A local Jira Cloud (REST v3) for one project: enhanced JQL search, create/edit issue, comments, transitions. It
// checks basic auth, JSON bodies and Atlassian Document Format, and answers the removed /rest/api/3/search with 410
// as Jira Cloud does.
import { fail, isObject, requireHeader, requireJsonBody, startFake, type RecordedRequest, type RunningFake } from './http-fake.js';

type CategoryKey = 'new' | 'indeterminate' | 'done';
const STATUSES: Record<string, { name: string; key: CategoryKey; category: string }> = {
  todo: { name: 'To Do', key: 'new', category: 'To Do' },
  progress: { name: 'In Progress', key: 'indeterminate', category: 'In Progress' },
  done: { name: 'Done', key: 'done', category: 'Done' },
};
// Workflow: transition id → target status; which are offered depends on the current status.
const TRANSITIONS: { id: string; name: string; to: keyof typeof STATUSES; from: (keyof typeof STATUSES)[] }[] = [
  { id: '11', name: 'To Do', to: 'todo', from: ['progress', 'done'] },
  { id: '21', name: 'In Progress', to: 'progress', from: ['todo'] },
  { id: '31', name: 'Done', to: 'done', from: ['todo', 'progress'] },
];

export interface JiraIssueState {
  id: string;
  key: string;
  created: number;
  status: keyof typeof STATUSES;
  fields: { summary: string; description: unknown; labels: string[]; issuetype: string };
  comments: unknown[];
}

export interface JiraFake extends RunningFake {
  issues: Map<string, JiraIssueState>;
}

export interface JiraFakeOptions {
  email: string;
  apiToken: string;
  projectKey: string;
}

const NOT_FOUND = { errorMessages: ['Issue does not exist or you do not have permission to see it.'], errors: {} };

export async function startJiraFake(opts: JiraFakeOptions): Promise<JiraFake> {
  const issues = new Map<string, JiraIssueState>();
  let seq = 0;
  const expectedAuth = `Basic ${Buffer.from(`${opts.email}:${opts.apiToken}`).toString('base64')}`;

  const fake = await startFake((req) => {
    if (req.headers.authorization !== expectedAuth) {
      return { status: 401, body: { errorMessages: ['Client must be authenticated to access this resource.'] } };
    }
    const path = req.path;
    if (path === '/rest/api/3/search' || path === '/rest/api/2/search') {
      return {
        status: 410,
        body: { errorMessages: ['The requested API has been removed. Please migrate to the /rest/api/3/search/jql API.'] },
      };
    }
    if (path === '/rest/api/3/search/jql' && req.method === 'POST') return search(req);
    if (path === '/rest/api/3/issue' && req.method === 'POST') return create(req);
    const m = /^\/rest\/api\/3\/issue\/([^/]+)(\/comment|\/transitions)?$/.exec(path);
    if (!m) return { status: 404, body: { errorMessages: [`no route ${req.method} ${path}`] } };
    const issue = issues.get(decodeURIComponent(m[1] ?? ''));
    if (!issue) return { status: 404, body: NOT_FOUND };
    const sub = m[2];
    if (!sub && req.method === 'PUT') return edit(req, issue);
    if (sub === '/comment' && req.method === 'POST') {
      const body = requireJsonBody(req);
      checkAdf(body.body, 'body');
      issue.comments.push(body.body);
      return { status: 201, body: { id: String(10000 + issue.comments.length), body: body.body } };
    }
    if (sub === '/transitions' && req.method === 'GET') {
      return { status: 200, body: { transitions: available(issue).map(transitionView) } };
    }
    if (sub === '/transitions' && req.method === 'POST') {
      const body = requireJsonBody(req);
      const id = isObject(body.transition) ? body.transition.id : undefined;
      const t = available(issue).find((x) => x.id === id);
      if (!t)
        fail(400, `transition ${JSON.stringify(id)} is not valid for ${issue.key}`, {
          errorMessages: [`Transition id '${String(id)}' is not valid for this issue.`],
          errors: {},
        });
      issue.status = t.to;
      return { status: 204 };
    }
    return { status: 405, body: { errorMessages: [`${req.method} not allowed on ${path}`] } };
  });

  function search(req: RecordedRequest) {
    const body = requireJsonBody(req);
    if (typeof body.jql !== 'string' || !body.jql) fail(400, 'jql is required');
    if (body.fields !== undefined && (!Array.isArray(body.fields) || !body.fields.every((f) => typeof f === 'string')))
      fail(400, 'fields must be an array of strings');
    const max = body.maxResults === undefined ? 50 : Number(body.maxResults);
    const filter = parseJql(body.jql);
    const found = [...issues.values()]
      .filter(filter.match)
      .sort((a, b) => (filter.newestFirst ? b.created - a.created : a.created - b.created));
    // The enhanced search returns only ids unless fields are asked for.
    const fields = (body.fields as string[] | undefined) ?? [];
    const view = found.slice(0, max).map((i) => ({
      id: i.id,
      ...(fields.length ? { key: i.key, fields: pick(i, fields) } : {}),
    }));
    return { status: 200, body: { issues: view, isLast: found.length <= max } };
  }

  function create(req: RecordedRequest) {
    const fields = requireFields(req);
    if (!isObject(fields.project) || fields.project.key !== opts.projectKey)
      fail(400, 'project', { errors: { project: 'valid project is required' } });
    const type = isObject(fields.issuetype) ? fields.issuetype.name : undefined;
    if (typeof type !== 'string' || !['Task', 'Bug', 'Story'].includes(type))
      fail(400, 'issuetype', { errors: { issuetype: 'Specify a valid issue type' } });
    checkSummary(fields.summary);
    checkAdf(fields.description, 'description');
    const labels = checkLabels(fields.labels ?? []);
    seq += 1;
    const key = `${opts.projectKey}-${seq}`;
    const issue: JiraIssueState = {
      id: String(10000 + seq),
      key,
      created: seq,
      status: 'todo',
      fields: { summary: fields.summary as string, description: fields.description, labels, issuetype: type },
      comments: [],
    };
    issues.set(key, issue);
    return { status: 201, body: { id: issue.id, key, self: `${fake.url}/rest/api/3/issue/${issue.id}` } };
  }

  function edit(req: RecordedRequest, issue: JiraIssueState) {
    const fields = requireFields(req);
    for (const name of Object.keys(fields)) {
      if (!['summary', 'description', 'labels'].includes(name)) fail(400, name, { errors: { [name]: `Field '${name}' cannot be set.` } });
    }
    if (fields.summary !== undefined) issue.fields.summary = checkSummary(fields.summary);
    if (fields.description !== undefined) issue.fields.description = checkAdf(fields.description, 'description');
    if (fields.labels !== undefined) issue.fields.labels = checkLabels(fields.labels);
    return { status: 204 };
  }

  return { ...fake, issues };
}

function requireFields(req: RecordedRequest): Record<string, unknown> {
  requireHeader(req, 'accept', (v) => v.includes('application/json'), 'application/json');
  const body = requireJsonBody(req);
  if (!isObject(body.fields)) fail(400, 'fields object is required');
  return body.fields;
}

function available(issue: JiraIssueState) {
  return TRANSITIONS.filter((t) => t.from.includes(issue.status));
}

function transitionView(t: (typeof TRANSITIONS)[number]) {
  const s = STATUSES[t.to]!;
  return { id: t.id, name: t.name, to: { name: s.name, statusCategory: { key: s.key, name: s.category } } };
}

function pick(issue: JiraIssueState, fields: string[]): Record<string, unknown> {
  const s = STATUSES[issue.status]!;
  const all: Record<string, unknown> = {
    summary: issue.fields.summary,
    description: issue.fields.description,
    labels: issue.fields.labels,
    status: { name: s.name, statusCategory: { key: s.key, name: s.category } },
  };
  return Object.fromEntries(fields.filter((f) => f in all).map((f) => [f, all[f]]));
}

/** The JQL this fake understands: `labels = "x"`, `project = KEY`, `statusCategory (=|!=) Name`, joined by AND. */
function parseJql(jql: string): { match: (i: JiraIssueState) => boolean; newestFirst: boolean } {
  const [where = '', order = ''] = jql.split(/\s+ORDER\s+BY\s+/i);
  const tests = where.split(/\s+AND\s+/i).map((clause) => {
    const c = clause.trim();
    let m = /^labels\s*=\s*"?([^"\s]+)"?$/i.exec(c);
    if (m) return (i: JiraIssueState) => i.fields.labels.includes(m![1]!);
    m = /^statusCategory\s*(!=|=)\s*"?([A-Za-z ]+?)"?$/i.exec(c);
    if (m) {
      const [, op, name] = m;
      return (i: JiraIssueState) => (STATUSES[i.status]!.category.toLowerCase() === name!.toLowerCase()) === (op === '=');
    }
    m = /^project\s*=\s*"?([A-Z][A-Z0-9]+)"?$/.exec(c);
    if (m) return (i: JiraIssueState) => i.key.startsWith(`${m![1]}-`);
    return fail(400, `unsupported JQL clause ${JSON.stringify(c)}`, { errorMessages: [`Error in the JQL Query: ${c}`] });
  });
  return { match: (i) => tests.every((t) => t(i)), newestFirst: /created\s+DESC/i.test(order) };
}

function checkSummary(v: unknown): string {
  if (typeof v !== 'string' || !v.trim() || v.length > 255 || /[\r\n]/.test(v)) {
    fail(400, 'summary', { errors: { summary: 'Summary must be one line of at most 255 characters.' } });
  }
  return v;
}

function checkLabels(v: unknown): string[] {
  if (!Array.isArray(v) || !v.every((l) => typeof l === 'string' && l.length > 0 && l.length <= 255 && !/\s/.test(l))) {
    fail(400, 'labels', { errors: { labels: 'Labels must be strings without spaces.' } });
  }
  return v as string[];
}

const BLOCK_NODES = new Set(['paragraph', 'heading', 'bulletList', 'orderedList', 'listItem', 'codeBlock', 'rule', 'blockquote']);
const MARKS = new Set(['code', 'strong', 'em', 'link', 'strike', 'underline']);

/** Enough of ADF's schema to catch a string description or malformed nodes. */
function checkAdf(doc: unknown, field: string): unknown {
  const bad = (why: string): never =>
    fail(400, `${field}: ${why}`, { errors: { [field]: `Operation value must be an Atlassian Document: ${why}` } });
  if (!isObject(doc) || doc.type !== 'doc' || doc.version !== 1 || !Array.isArray(doc.content)) bad('not a doc node');
  const walk = (node: unknown, parent: string): void => {
    if (!isObject(node) || typeof node.type !== 'string') return bad(`node under ${parent} has no type`);
    if (node.type === 'text') {
      if (typeof node.text !== 'string' || node.text.length === 0) bad('empty text node');
      if (node.marks !== undefined && (!Array.isArray(node.marks) || !node.marks.every((m) => isObject(m) && MARKS.has(String(m.type)))))
        bad('unknown mark');
      return;
    }
    if (node.type === 'hardBreak') return;
    if (!BLOCK_NODES.has(node.type)) bad(`unknown node ${node.type}`);
    if ((parent === 'bulletList' || parent === 'orderedList') && node.type !== 'listItem') bad('lists hold listItems only');
    if (node.type === 'heading' && !(isObject(node.attrs) && [1, 2, 3, 4, 5, 6].includes(node.attrs.level as number)))
      bad('heading needs attrs.level 1-6');
    if (node.content !== undefined && !Array.isArray(node.content)) bad(`${node.type}.content must be an array`);
    for (const child of (node.content as unknown[] | undefined) ?? []) walk(child, node.type);
  };
  for (const n of (doc as { content: unknown[] }).content) walk(n, 'doc');
  return doc;
}
