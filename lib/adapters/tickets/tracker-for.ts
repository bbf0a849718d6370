// The tracker a deployment configured (Jira or GitHub), its token read when first used.
import type { Tracker } from '../../app/ports.js';
import { GitHubTracker } from './github.js';
import { JiraTracker } from './jira.js';

export interface TrackerConfig {
  jira?: { baseUrl: string; email: string; projectKey: string; tokenSecretArn: string };
  github?: { owner: string; repo: string; tokenSecretArn: string; apiUrl?: string };
}

export function trackerFor(config: TrackerConfig, secret: (arn: string) => Promise<string | undefined>): Tracker | undefined {
  const { jira, github } = config;
  if (jira) return new JiraTracker({ ...jira, apiToken: () => secret(jira.tokenSecretArn) });
  if (github) return new GitHubTracker({ ...github, token: () => secret(github.tokenSecretArn) });
  return undefined;
}
