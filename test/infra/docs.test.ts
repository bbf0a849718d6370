// The deployment guide, the README and the Slack app manifest name real things: params, template parameters,
// routes and Slack scopes. (Stack outputs they name are checked against the packaged template in package.test.ts.)
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/corpus.js';

const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };
const read = (file: string) => readFileSync(join(repoRoot, file), 'utf8');
const loadYaml = <T>(file: string) => yaml.load(read(file)) as T;
const DOCS = ['README.md', 'docs/deployment.md', 'docs/settings.md'];

describe('docs name real settings', () => {
  const params = Object.keys(loadYaml<{ params: { default: Record<string, unknown> } }>('serverless.yml').params.default);

  it.each(DOCS)('%s: every --param="name=…" is a serverless param', (file) => {
    // `--param="name=value"` is the generic form the docs explain with; every other name must exist.
    const used = [...read(file).matchAll(/--param="(\w+)=/g)].map((m) => m[1]!).filter((p) => p !== 'name');
    for (const p of used) expect(params, `${file}: --param ${p}`).toContain(p);
  });

  it('deployment.md: StackSet and forwarder parameters exist in their templates', () => {
    const guide = read('docs/deployment.md');
    const parametersOf = (file: string) => Object.keys(loadYaml<{ Parameters: Record<string, unknown> }>(`infra/${file}`).Parameters);
    const stackset = [...guide.matchAll(/ParameterKey=(\w+)/g)].map((m) => m[1]!);
    expect(stackset.length).toBeGreaterThan(0);
    for (const p of stackset) expect(parametersOf('org-member-stackset.yml'), p).toContain(p);
    const overrides = [...guide.matchAll(/--parameter-overrides ([^\n]+)/g)].flatMap((m) =>
      [...m[1]!.matchAll(/(\w+)=/g)].map((x) => x[1]!),
    );
    expect(overrides.length).toBeGreaterThan(0);
    for (const p of overrides) expect(parametersOf('iam-event-forwarder.yml'), p).toContain(p);
  });
});

describe('Slack app manifest (docs/slack-app-manifest.yml)', () => {
  type Manifest = {
    display_information: { name: string };
    features: { bot_user: { display_name: string } };
    oauth_config: { scopes: { bot: string[]; user?: string[] } };
    settings: { interactivity: { is_enabled: boolean; request_url: string }; socket_mode_enabled: boolean };
  };
  const manifest = loadYaml<Manifest>('docs/slack-app-manifest.yml');

  it('has a bot user and sends interactivity to the route the approvals function serves', () => {
    expect(manifest.display_information.name).toBe('Leash');
    expect(manifest.features.bot_user.display_name).toBe('Leash');
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.socket_mode_enabled).toBe(false);
    const path = new URL(manifest.settings.interactivity.request_url).pathname;
    const routes = loadYaml<{ functions: { approvals: { events: Array<{ httpApi: string }> } } }>(
      'serverless.yml',
    ).functions.approvals.events.map((e) => e.httpApi);
    expect(routes).toContain(`POST ${path}`);
  });

  it('asks for exactly the bot scopes the Slack methods Leash calls need, and no user scope', () => {
    // Scope each Web API method needs (api.slack.com/methods). A new method in the client must be added here.
    const NEEDS: Record<string, string> = {
      'chat.postMessage': 'chat:write',
      'chat.update': 'chat:write',
      'chat.postEphemeral': 'chat:write', // a later click on a decided plan is answered to the clicker alone
    };
    const called = [
      ...new Set([...read('lib/adapters/slack/slack-client.ts').matchAll(/\bweb\.(\w+)\.(\w+)\(/g)].map((m) => `${m[1]}.${m[2]}`)),
    ];
    expect(called.length).toBeGreaterThan(0);
    for (const method of called) expect(NEEDS[method], `scope for ${method}`).toBeDefined();
    const needed = new Set(called.map((m) => NEEDS[m]!));
    // chat:write.public only widens where chat:write may post (public channels without an invitation).
    expect(manifest.oauth_config.scopes.bot.filter((s) => s !== 'chat:write.public').sort()).toEqual([...needed].sort());
    expect(manifest.oauth_config.scopes.user).toBeUndefined();
  });
});
