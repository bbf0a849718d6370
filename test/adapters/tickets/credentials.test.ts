// A tracker's token problems are CredentialsError (the remediation degrades on them) and nothing else is: a secret
// that cannot be read (missing, access denied), an empty one, a token the tracker refuses (401, or 403 that is not
// GitHub's rate limit). Messages name the tracker and the error class, never the token or the response body.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SecretsManagerSecrets } from '../../../lib/adapters/aws/secrets.js';
import { HttpStatusError } from '../../../lib/adapters/http/json-http.js';
import { asRefusedToken, readToken } from '../../../lib/adapters/tickets/credentials.js';
import { GitHubTracker } from '../../../lib/adapters/tickets/github.js';
import { JiraTracker } from '../../../lib/adapters/tickets/jira.js';
import { AdapterError, CredentialsError } from '../../../lib/errors.js';
import { startGitHubFake, type GitHubFake } from '../../fakes/github-fake.js';

/** What `p` rejects with (a resolved promise fails the test). */
async function thrown(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

const sm = mockClient(SecretsManagerClient);
afterEach(() => sm.reset());
const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:leash/jira-token-AbCdEf';
const secrets = () =>
  new SecretsManagerSecrets(new SecretsManagerClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }), {});

describe('readToken', () => {
  it.each([
    ['AccessDeniedException', 'not authorized to perform: secretsmanager:GetSecretValue'],
    ['ResourceNotFoundException', "Secrets Manager can't find the specified secret."],
    ['DecryptionFailure', 'cannot decrypt with the KMS key'],
  ])('a secret that cannot be read (%s) is a CredentialsError naming the error class', async (name, message) => {
    sm.on(GetSecretValueCommand).rejects(Object.assign(new Error(message), { name }));
    const store = secrets();
    const err = await thrown(readToken('jira', () => store.value(ARN)));
    expect(err).toBeInstanceOf(CredentialsError);
    expect(err).toBeInstanceOf(AdapterError);
    expect((err as Error).message).toBe(`jira.auth: the Jira API token cannot be read (${name})`);
    expect((err as CredentialsError).cause).toBeInstanceOf(AdapterError); // the chain is kept for the logs
  });

  it('an empty or blank secret is a CredentialsError; a readable one is trimmed', async () => {
    for (const blank of ['', '  \n']) {
      sm.reset();
      sm.on(GetSecretValueCommand).resolves({ SecretString: blank });
      const store = secrets();
      expect(((await thrown(readToken('github', () => store.value(ARN)))) as Error).message).toBe(
        'github.auth: no GitHub token is stored (the secret is empty)',
      );
    }
    expect(await readToken('github', async () => 'ghp_token\n')).toBe('ghp_token');
    expect(await readToken('jira', 'inline')).toBe('inline');
  });
});

describe('asRefusedToken', () => {
  const status = (code: number, body = '{"message":"x"}') => new HttpStatusError(code, body, 'github', 'listIssues');

  it('401, and 403 that is not a rate limit, mean the token is refused; nothing of the body is kept', () => {
    for (const [code, service] of [
      [401, 'jira'],
      [403, 'jira'],
      [401, 'github'],
      [403, 'github'],
    ] as const) {
      const err = asRefusedToken(status(code, '{"message":"Resource not accessible by integration","secret":"s3cr3t"}'), service);
      expect(err, `${service} ${code}`).toBeInstanceOf(CredentialsError);
      expect((err as Error).message).not.toMatch(/s3cr3t|Resource not accessible/);
      expect(JSON.stringify((err as Error & { cause?: unknown }).cause)).not.toContain('s3cr3t');
    }
  });

  it('GitHub rate limits (403), other statuses and other errors pass through unchanged (retried, then dead-lettered)', () => {
    for (const err of [
      status(403, '{"message":"API rate limit exceeded for installation ID 1."}'),
      status(403, '{"message":"You have exceeded a secondary rate limit."}'),
      status(500),
      status(404),
      new AdapterError('request failed: ECONNRESET', 'jira', 'createIssue'),
      new Error('boom'),
    ]) {
      expect(asRefusedToken(err, 'github')).toBe(err);
    }
  });
});

describe('the trackers', () => {
  let github: GitHubFake;
  beforeAll(async () => {
    github = await startGitHubFake({ token: 'ghp_right', owner: 'acme', repo: 'platform' });
  });
  afterAll(() => github.close());

  it('GitHub refusing the token is a CredentialsError', async () => {
    const tracker = new GitHubTracker({ token: async () => 'ghp_wrong', owner: 'acme', repo: 'platform', apiUrl: github.url });
    const err = await thrown(tracker.findOpen('k'));
    expect(err).toBeInstanceOf(CredentialsError);
    expect((err as Error).message).toBe('github.listIssues: GitHub refused the token (HTTP 401)');
  });

  it('Jira with an unreadable token makes no request at all', async () => {
    let calls = 0;
    const tracker = new JiraTracker({
      baseUrl: 'http://127.0.0.1:9',
      email: 'bot@example.com',
      projectKey: 'OPS',
      apiToken: async () => {
        throw new AdapterError('cannot read secret', 'secretsmanager', 'GetSecretValue', {
          cause: Object.assign(new Error('denied'), { name: 'AccessDeniedException' }),
        });
      },
      fetch: async () => {
        calls++;
        return new Response('{}');
      },
    });
    const err = await thrown(tracker.findOpen('k'));
    expect((err as Error).message).toBe('jira.auth: the Jira API token cannot be read (AccessDeniedException)');
    expect(calls).toBe(0);
  });
});
