// GitHub Issues REST. The open issue for a role is found by listing open issues labelled `leash` and matching the
// hidden marker in the body: the search API is eventually consistent and would miss an issue created seconds ago.
import { AdapterError } from '../../errors.js';
import { requestJson, type FetchFn } from '../http/json-http.js';
import { asRefusedToken, readToken } from './credentials.js';
import { markerText, type DocBlock, type TicketDoc } from '../../engine/tickets/content.js';
import type { OpenTicket, TicketRef, Tracker } from '../../app/ports.js';

export interface GitHubConfig {
  /** `https://api.github.com`, or `https://<host>/api/v3` for GitHub Enterprise Server. */
  apiUrl?: string;
  /** The token, or a function reading it when the tracker is first used. */
  token: string | (() => Promise<string | undefined>);
  owner: string;
  repo: string;
  label?: string;
  fetch?: FetchFn;
}

interface GitHubIssue {
  number: number;
  title: string;
  body?: string | null;
  html_url?: string;
  pull_request?: unknown;
}

export const GITHUB_API_VERSION = '2022-11-28';
const PER_PAGE = 100;
const MAX_PAGES = 10;
/** GitHub refuses issue bodies over 65,536 characters. */
const BODY_MAX = 65_000;

/** The hidden line that marks a role's issue. */
export function roleMarker(roleKey: string): string {
  return `<!-- leash:${roleKey} -->`;
}

export function toMarkdown(blocks: DocBlock[]): string {
  return blocks
    .map((b) => {
      switch (b.type) {
        case 'heading':
          return `### ${b.text}`;
        case 'paragraph':
          return b.text;
        case 'code': {
          const fence = b.text.includes('```') ? '~~~~' : '```';
          return `${fence}${b.language}\n${b.text}\n${fence}`;
        }
        case 'findings':
          return b.items
            .map((i) => `- [${i.id}] ${i.kind}: ${code(i.action)} on ${code(i.resource)}${i.reason ? ` — ${i.reason}` : ''}`)
            .join('\n');
      }
    })
    .join('\n\n');
}

export class GitHubTracker implements Tracker {
  readonly name = 'github' as const;
  private readonly base: string;
  private readonly label: string;

  constructor(private readonly config: GitHubConfig) {
    this.base = (config.apiUrl ?? 'https://api.github.com').replace(/\/+$/, '');
    this.label = config.label ?? 'leash';
  }

  async findOpen(roleKey: string): Promise<OpenTicket | undefined> {
    const marker = roleMarker(roleKey);
    for (let page = 1; page <= MAX_PAGES; page++) {
      const query = new URLSearchParams({ labels: this.label, state: 'open', per_page: String(PER_PAGE), page: String(page) });
      const issues = (await this.call<GitHubIssue[]>('listIssues', 'GET', `/issues?${query}`)) ?? [];
      // The issues endpoint also returns pull requests; those are never ours.
      const hit = issues.find((i) => !i.pull_request && (i.body ?? '').includes(marker));
      if (hit) return { id: String(hit.number), url: hit.html_url, title: hit.title, text: hit.body ?? '' };
      if (issues.length < PER_PAGE) return undefined;
    }
    return undefined;
  }

  async create(doc: TicketDoc): Promise<TicketRef> {
    const issue = await this.call<GitHubIssue>('createIssue', 'POST', '/issues', {
      title: doc.title,
      body: this.body(doc),
      labels: [this.label],
    });
    if (!issue?.number) throw new AdapterError('no issue number in response', 'github', 'createIssue');
    return { id: String(issue.number), url: issue.html_url };
  }

  async update(id: string, doc: TicketDoc): Promise<void> {
    await this.call('updateIssue', 'PATCH', `/issues/${encodeURIComponent(id)}`, { title: doc.title, body: this.body(doc) });
  }

  async comment(id: string, blocks: DocBlock[]): Promise<void> {
    await this.call('createComment', 'POST', `/issues/${encodeURIComponent(id)}/comments`, { body: clip(toMarkdown(blocks)) });
  }

  async close(id: string, blocks: DocBlock[]): Promise<void> {
    await this.comment(id, blocks);
    await this.call('updateIssue', 'PATCH', `/issues/${encodeURIComponent(id)}`, { state: 'closed', state_reason: 'completed' });
  }

  private body(doc: TicketDoc): string {
    // The markers go first so clipping a huge body never cuts them off.
    const markers = `${roleMarker(doc.marker.roleKey)}\n<!-- ${markerText(doc.marker)} -->`;
    return clip(`${markers}\n${toMarkdown(doc.blocks)}`);
  }

  private async call<T>(operation: string, method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown): Promise<T | undefined> {
    const { owner, repo } = this.config;
    const token = await readToken('github', this.config.token);
    const request = requestJson<T>({
      service: 'github',
      operation,
      method,
      url: `${this.base}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}${path}`,
      headers: {
        Authorization: `Bearer ${token}`,
        Accept: 'application/vnd.github+json',
        'X-GitHub-Api-Version': GITHUB_API_VERSION,
        'User-Agent': 'leash',
      },
      body,
      fetch: this.config.fetch,
    });
    return request.catch((err: unknown) => {
      throw asRefusedToken(err, 'github');
    });
  }
}

function code(text: string): string {
  const ticks = text.includes('`') ? '`` ' : '`';
  return `${ticks}${text}${ticks.split('').reverse().join('')}`;
}

function clip(text: string): string {
  return text.length <= BODY_MAX ? text : `${text.slice(0, BODY_MAX - 40)}\n\n…(truncated by Leash)`;
}
