// Jira Cloud REST v3 (basic auth with an account email and API token). Search uses POST /rest/api/3/search/jql:
// Atlassian removed the older /rest/api/3/search (CHANGE-2046, 2025).
import { AdapterError } from '../../errors.js';
import { requestJson, type FetchFn } from '../http/json-http.js';
import { asRefusedToken, readToken } from './credentials.js';
import { adfToText, toAdf } from './adf.js';
import type { DocBlock, TicketDoc } from '../../engine/tickets/content.js';
import type { OpenTicket, TicketRef, Tracker } from '../../app/ports.js';

export interface JiraConfig {
  /** e.g. `https://acme.atlassian.net` */
  baseUrl: string;
  email: string;
  /** The API token, or a function reading it when the tracker is first used (a token that cannot be read then
   *  is a CredentialsError for that ticket, never a failure of the function's start-up). */
  apiToken: string | (() => Promise<string | undefined>);
  projectKey: string;
  /** Issue type name; `Task` exists in every default scheme. */
  issueType?: string;
  /** Labels added to every Leash issue besides the dedupe label. */
  labels?: string[];
  fetch?: FetchFn;
}

interface JiraIssue {
  id: string;
  key: string;
  fields?: { summary?: string; description?: unknown };
}

interface JiraTransition {
  id: string;
  name: string;
  to?: { statusCategory?: { key?: string } };
}

export function dedupeLabel(roleKey: string): string {
  return `leash-${roleKey}`;
}

export class JiraTracker implements Tracker {
  readonly name = 'jira' as const;
  private readonly base: string;
  constructor(private readonly config: JiraConfig) {
    this.base = config.baseUrl.replace(/\/+$/, '');
  }

  private async auth(): Promise<string> {
    const token = await readToken('jira', this.config.apiToken);
    return `Basic ${Buffer.from(`${this.config.email}:${token}`).toString('base64')}`;
  }

  async findOpen(roleKey: string): Promise<OpenTicket | undefined> {
    const jql = `labels = "${dedupeLabel(roleKey)}" AND statusCategory != Done ORDER BY created DESC`;
    const result = await this.call<{ issues?: JiraIssue[] }>('searchJql', 'POST', '/rest/api/3/search/jql', {
      jql,
      fields: ['summary', 'description'],
      maxResults: 5,
    });
    const issue = result?.issues?.[0];
    if (!issue) return undefined;
    return {
      id: issue.key,
      url: this.browseUrl(issue.key),
      title: issue.fields?.summary ?? '',
      text: adfToText(issue.fields?.description),
    };
  }

  async create(doc: TicketDoc): Promise<TicketRef> {
    const created = await this.call<{ id: string; key: string }>('createIssue', 'POST', '/rest/api/3/issue', {
      fields: {
        project: { key: this.config.projectKey },
        issuetype: { name: this.config.issueType ?? 'Task' },
        summary: doc.title,
        description: toAdf(doc.blocks, doc.marker),
        labels: [...new Set([...(this.config.labels ?? ['leash']), dedupeLabel(doc.marker.roleKey)])],
      },
    });
    if (!created?.key) throw new AdapterError('no issue key in response', 'jira', 'createIssue');
    return { id: created.key, url: this.browseUrl(created.key) };
  }

  async update(id: string, doc: TicketDoc): Promise<void> {
    await this.call('editIssue', 'PUT', `/rest/api/3/issue/${encodeURIComponent(id)}`, {
      fields: { summary: doc.title, description: toAdf(doc.blocks, doc.marker) },
    });
  }

  async comment(id: string, blocks: DocBlock[]): Promise<void> {
    await this.call('addComment', 'POST', `/rest/api/3/issue/${encodeURIComponent(id)}/comment`, { body: toAdf(blocks) });
  }

  /** Transition ids differ per workflow: pick the one leading to the Done status category. */
  async close(id: string, blocks: DocBlock[]): Promise<void> {
    await this.comment(id, blocks);
    const path = `/rest/api/3/issue/${encodeURIComponent(id)}/transitions`;
    const list = await this.call<{ transitions?: JiraTransition[] }>('getTransitions', 'GET', path);
    const done = (list?.transitions ?? []).find((t) => t.to?.statusCategory?.key === 'done');
    if (!done) throw new AdapterError(`no transition to a Done status for ${id}`, 'jira', 'doTransition');
    await this.call('doTransition', 'POST', path, { transition: { id: done.id } });
  }

  private browseUrl(key: string): string {
    return `${this.base}/browse/${encodeURIComponent(key)}`;
  }

  private async call<T>(operation: string, method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T | undefined> {
    const headers = { Authorization: await this.auth() };
    try {
      return await requestJson<T>({
        service: 'jira',
        operation,
        method,
        url: `${this.base}${path}`,
        headers,
        body,
        fetch: this.config.fetch,
      });
    } catch (err) {
      throw asRefusedToken(err, 'jira');
    }
  }
}
