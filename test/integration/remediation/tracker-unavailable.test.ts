// Issue 12 acceptance: a tracker whose token cannot be used degrades to an alarm and a notice, never a broken
// function. The deployed handlers (functions/*.handler, their configuration and secrets from the environment, as in
// Lambda) run against moto with the Jira token secret missing, then with a token Jira refuses: a role in approve mode
// is still planned, approved through its signed link and applied; a role in ticket mode is remediated without its
// ticket (audited, its owners told on SNS), and the TrackerUnavailable metric the alarm watches is emitted.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { AccessAnalyzerClient, CheckNoNewAccessCommand, ValidatePolicyCommand } from '@aws-sdk/client-accessanalyzer';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { TagRoleCommand } from '@aws-sdk/client-iam';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { httpEvent } from '../../../lib/dev/demo/slack-click.js';
import { startJiraFake, type JiraFake } from '../../fakes/jira-fake.js';
import { repoRoot } from '../../support/corpus.js';
import { useMoto } from '../../support/moto.js';
import {
  expectedAfter,
  LINK_APPROVER,
  LINK_SECRET,
  createWorld,
  remediationAccount,
  PUBLIC_BASE_URL,
  roleArn,
  sqsEvent,
  type DemoWorld,
} from '../../support/world/index.js';

// Read when lib/edge/lambda.ts is first loaded (the metrics' service dimension), so set before any import runs.
const STACK = vi.hoisted(() => (process.env.LEASH_STACK_NAME = 'leash-acceptance'));

const moto = useMoto();
// moto has no Access Analyzer: the deployed composition's client answers as the service does for a clean policy.
const analyzer = mockClient(AccessAnalyzerClient);
let w: DemoWorld | undefined;
let jira: JiraFake | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await w?.close();
  await jira?.close();
  w = undefined;
  jira = undefined;
});

const JIRA = { email: 'leash-bot@example.com', apiToken: 'ATATT3x-the-real-token', projectKey: 'SEC' };
const MISSING_TOKEN_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:leash-acceptance/jira-token-AbCdEf';

const context = (fn: string): Context =>
  ({
    awsRequestId: `req-${fn}`,
    functionName: `${STACK}-${fn}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${STACK}-${fn}`,
    memoryLimitInMB: '512',
    logGroupName: `/aws/lambda/${STACK}-${fn}`,
    logStreamName: 'test',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  }) as Context;

/** The world on moto (table, topic with an SQS inbox, queue, roles, task definitions, index), configured through the
 *  environment the way serverless.yml configures the functions; the handlers are imported afterwards. */
async function deployed(jiraTokenSecretArn: (world: DemoWorld) => Promise<string>) {
  analyzer.reset();
  analyzer.on(ValidatePolicyCommand).resolves({ findings: [] });
  analyzer.on(CheckNoNewAccessCommand).resolves({ result: 'PASS', message: 'The modified permissions grant no new access.', reasons: [] });
  w = await createWorld(moto.config(), remediationAccount({ dryRun: false }));
  const world = w;
  jira = await startJiraFake(JIRA);
  await world.clients.iam.send(new TagRoleCommand({ RoleName: 'reports-exec', Tags: [{ Key: 'leash:mode', Value: 'ticket' }] }));
  const linkSecret = await world.clients.secrets.send(
    new CreateSecretCommand({ Name: 'leash-acceptance/link-signing', SecretString: LINK_SECRET }),
  );
  const { endpoint, credentials } = moto.config();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: world.aws.region,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    LEASH_TABLE: world.config.table,
    LEASH_TOPIC_ARN: world.config.topicArn,
    LEASH_APPROVALS_TOPIC_ARN: world.config.approvalsTopicArn,
    LEASH_REMEDIATION_QUEUE_URL: world.resources.remediationQueueUrl,
    LEASH_DEFAULT_MODE: 'observe',
    LEASH_DRY_RUN: 'false',
    LEASH_APPROVERS: LINK_APPROVER,
    LEASH_PUBLIC_BASE_URL: PUBLIC_BASE_URL,
    LEASH_LINK_SIGNING_SECRET_ARN: linkSecret.ARN,
    LEASH_JIRA_URL: jira.url,
    LEASH_JIRA_EMAIL: JIRA.email,
    LEASH_JIRA_PROJECT: JIRA.projectKey,
    LEASH_JIRA_TOKEN_SECRET_ARN: await jiraTokenSecretArn(world),
  });
  // Fresh modules: the composition roots cache their adapters per container (here: per test).
  vi.resetModules();
  const fns = {
    remediate: (await import('../../../functions/remediate.js')).handler,
    approvals: (await import('../../../functions/approvals.js')).handler,
    watch: (await import('../../../functions/watch.js')).handler,
  };
  return { world, fns };
}

/** Runs a handler and returns its result and the JSON lines it wrote (Powertools logs and EMF metrics). */
async function invoke<R>(handler: (event: unknown, context: Context) => Promise<R>, event: unknown, fn: string) {
  const lines: string[] = [];
  const capture = (chunk: unknown) => (lines.push(...String(chunk).split('\n').filter(Boolean)), true);
  vi.spyOn(process.stdout, 'write').mockImplementation(capture as typeof process.stdout.write);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture as typeof process.stderr.write);
  try {
    const result = await handler(event, context(fn));
    return { result, json: lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>) };
  } finally {
    vi.restoreAllMocks();
  }
}

interface Emf {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] };
  [key: string]: unknown;
}
const emfWith = (json: Record<string, unknown>[], metric: string) =>
  json.filter((l): l is Emf => '_aws' in l && (l as Emf)._aws.CloudWatchMetrics.some((d) => d.Metrics.some((m) => m.Name === metric)));

/** What the tracker-unavailable alarm watches, as infra/fragments/alarms.yml declares it. */
function trackerAlarm(): { Namespace: string; MetricName: string; Dimensions: { Name: string; Value: unknown }[] } {
  const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };
  const text = readFileSync(join(repoRoot, 'infra/fragments/alarms.yml'), 'utf8').replace(/\$\{self:custom\.prefix\}/g, STACK);
  const doc = yaml.load(text) as { Resources: Record<string, { Properties: ReturnType<typeof trackerAlarm> }> };
  return doc.Resources.LeashTrackerUnavailableAlarm!.Properties;
}

async function remediateBoth(fns: Awaited<ReturnType<typeof deployed>>['fns']) {
  const messages = ['billing-exec', 'reports-exec'].map((r) => JSON.stringify({ roleArn: roleArn(r), reason: 'findings changed' }));
  return invoke(fns.remediate, sqsEvent(messages), 'remediate');
}

describe('a tracker whose token cannot be used never breaks remediate, approvals or watch', () => {
  it('the Jira token secret is missing: plan, approve and apply go on; the ticket is reported unavailable and alarmed', async () => {
    const { world, fns } = await deployed(async () => MISSING_TOKEN_ARN);
    const before = await world.readRole('billing-exec');
    const ticketBefore = await world.stateHash('reports-exec');

    // remediate: both messages succeed (no partial batch failure), one plan requested, one ticket step degraded.
    const { result, json } = await remediateBoth(fns);
    expect(result.batchItemFailures).toEqual([]);
    const byRole = Object.fromEntries(result.outcomes.map((o) => [o.roleArn, o]));
    expect(byRole[roleArn('billing-exec')]).toMatchObject({ outcome: 'approval-requested', mode: 'approve' });
    const degraded = byRole[roleArn('reports-exec')]!;
    expect(degraded).toMatchObject({ outcome: 'ticket', mode: 'ticket' });
    expect(degraded.why).toMatch(/^tracker-unavailable: jira\.auth: the Jira API token cannot be read \(ResourceNotFoundException\)$/);
    expect('warnings' in degraded && degraded.warnings?.map((x) => x.code)).toContain('ticket-failed');
    expect(jira!.requests).toEqual([]); // no token, no call
    expect(await world.stateHash('reports-exec')).toBe(ticketBefore);

    // The metric the alarm watches: same namespace, metric name and dimension (service = the stack's name).
    const alarm = trackerAlarm();
    expect(alarm.Dimensions).toEqual([{ Name: 'service', Value: { Ref: 'AWS::StackName' } }]);
    const emf = emfWith(json, alarm.MetricName);
    expect(emf).toHaveLength(1);
    expect(emf[0]!._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: alarm.Namespace, Dimensions: [['service']] });
    expect(emf[0]!).toMatchObject({ service: STACK, [alarm.MetricName]: 1 });
    const done = json.find((l) => l.message === 'done');
    expect(done).toMatchObject({ fn: 'remediate', outcome: 'ok' });
    expect(JSON.stringify(json)).not.toContain(JIRA.apiToken);

    // Audited, and the owners told on SNS (with the findings the ticket would have carried).
    const audit = await world.audit('reports-exec');
    expect(audit.map((e) => e.action)).toEqual(['ticket']);
    expect(audit[0]!.detail).toEqual({
      ticket: 'tracker-unavailable',
      problem: 'jira.auth: the Jira API token cannot be read (ResourceNotFoundException)',
    });
    const inbox = await world.drain(world.resources.inboxUrl);
    const notice = inbox.find((m) => m.startsWith('Leash could not open or update the Jira ticket for'));
    expect(notice).toContain(roleArn('reports-exec'));
    expect(notice).toContain('TrackerUnavailable');
    expect(notice).toMatch(/\[(urgent|review|info)\] /);

    // approvals: the signed link (from the approvals topic's inbox) approves and applies the plan.
    const requested = byRole[roleArn('billing-exec')]!;
    const plan = 'plan' in requested ? requested.plan : undefined;
    const links = await world.drain(world.resources.approvalsInboxUrl);
    const link = links.find((m) => m.includes(plan!.planHash) && m.includes(`as ${LINK_APPROVER} `))!;
    const url = link.split('\n').find((l) => l.startsWith(`${PUBLIC_BASE_URL}/approve/`))!;
    const token = decodeURIComponent(url.slice(`${PUBLIC_BASE_URL}/approve/`.length));
    const form = new URLSearchParams({ token, decision: 'approve' }).toString();
    const approved = await invoke(fns.approvals, httpEvent('POST', `/approve/${token}`, form), 'approvals');
    expect(approved.result.statusCode, String(approved.result.body)).toBe(200);
    // Where an approval is carried out by the remediate function instead (queued), run what it queued.
    const queued = await world.drain(world.resources.remediationQueueUrl);
    if (queued.length) expect((await invoke(fns.remediate, sqsEvent(queued), 'remediate')).result.batchItemFailures).toEqual([]);
    expect(await world.readRole('billing-exec')).toEqual(expectedAfter(before, plan!));
    expect((await world.audit('billing-exec')).map((e) => e.action)).toEqual(expect.arrayContaining(['plan', 'approve', 'apply']));

    // watch: its scheduled run is unaffected.
    const watched = await invoke(fns.watch, { 'detail-type': 'Scheduled Event', detail: {} }, 'watch');
    expect(watched.result).toEqual({ closed: [], retried: [] });
  });

  it('Jira refuses the token (HTTP 401): the same degradation, and no response body in what is recorded', async () => {
    const { world, fns } = await deployed(
      async (world) =>
        (await world.clients.secrets.send(new CreateSecretCommand({ Name: 'leash-acceptance/jira-token', SecretString: 'revoked-token' })))
          .ARN!,
    );
    const { result, json } = await remediateBoth(fns);
    expect(result.batchItemFailures).toEqual([]);
    const degraded = result.outcomes.find((o) => o.roleArn === roleArn('reports-exec'))!;
    expect(degraded.why).toBe('tracker-unavailable: jira.searchJql: Jira refused the token (HTTP 401)');
    // The token was tried once (the lookup), then nothing else.
    expect(jira!.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /rest/api/3/search/jql']);
    expect(result.outcomes.find((o) => o.roleArn === roleArn('billing-exec'))).toMatchObject({ outcome: 'approval-requested' });
    expect(emfWith(json, 'TrackerUnavailable')).toHaveLength(1);
    const recorded = JSON.stringify([await world.audit('reports-exec'), json, await world.drain(world.resources.inboxUrl)]);
    expect(recorded).not.toContain('Client must be authenticated'); // the fake's 401 body
    expect(recorded).not.toContain('revoked-token');
  });
});
