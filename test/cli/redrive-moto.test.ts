// Issue 12 acceptance, `leash redrive`: real DLQ messages in moto SQS go back through their functions. The CLI runs
// in-process with its own AWS composition (SQS on moto; Lambda Invoke on a local endpoint that runs the deployed
// handlers, functions/*.handler, configured from the environment as in Lambda, against the same moto). The events
// DLQ holds a failed async invocation (Lambda's on-failure record), a failed EventBridge delivery (the event, with
// TARGET_ARN), an event that still fails, a record naming a function outside the stack and a body that is not JSON;
// the remediation DLQ holds a remediation message that failed its receives.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LEASH_FUNCTIONS } from '../../lib/app/redrive.js';
import { startLambdaFake, type LambdaFake, type LambdaHandler } from '../fakes/lambda-fake.js';
import { loadEventJson, repoRoot } from '../support/corpus.js';
import { failureRecord } from '../support/fake-aws/lambda-async.js';
import { useMoto } from '../support/moto.js';
import {
  LINK_APPROVER,
  LINK_SECRET,
  createWorld,
  remediationAccount,
  PUBLIC_BASE_URL,
  roleArn,
  type DemoWorld,
} from '../support/world/index.js';

const STACK = 'leash-test';
const ACCOUNT = '123456789012';
const moto = useMoto();
let w: DemoWorld | undefined;
let lambda: LambdaFake | undefined;
afterEach(async () => {
  await w?.close();
  await lambda?.close();
  w = undefined;
  lambda = undefined;
});

const fnArn = (name: string) => `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:${name}`;

async function leash(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const sink = (add: (s: string) => void) => new Writable({ write: (c, _e, cb) => (add(String(c)), cb()) });
  // The CLI from the same module graph as the handlers (stack() resets modules), as one process would load it.
  const { main } = await import('../../lib/cli/main.js');
  const code = await main(argv, { stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)), env: process.env, width: 200 });
  return { code, out, err };
}

async function visible(sqs: SQSClient, url: string): Promise<number> {
  const a = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }));
  return Number(a.Attributes?.ApproximateNumberOfMessages);
}

/** Bodies (and attributes) left in a queue, read without deleting (visibility 0). */
async function peek(sqs: SQSClient, url: string): Promise<string[]> {
  const res = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 0, WaitTimeSeconds: 1 }),
  );
  return (res.Messages ?? []).map((m) => m.Body ?? '');
}

interface Stack {
  world: DemoWorld;
  sqs: SQSClient;
  eventsDlq: string;
  remediationDlq: string;
  bodies: { denial: string; delivery: string; broken: string; foreign: string; junk: string; remediation: string };
}

/** The world, both DLQs holding their messages, the environment of the functions and of the CLI, the Lambda endpoint. */
async function stack(): Promise<Stack> {
  w = await createWorld(moto.config(), remediationAccount({ dryRun: false }));
  const world = w;
  const sqs = world.clients.sqs;
  const eventsDlq = (await sqs.send(new CreateQueueCommand({ QueueName: `${STACK}-events-dlq` }))).QueueUrl!;
  const remediationDlq = (await sqs.send(new CreateQueueCommand({ QueueName: `${STACK}-remediation-dlq` }))).QueueUrl!;
  const link = await world.clients.secrets.send(new CreateSecretCommand({ Name: `${STACK}/link-signing`, SecretString: LINK_SECRET }));
  const { endpoint, credentials } = moto.config();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: world.aws.region,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    LEASH_TABLE: world.config.table,
    LEASH_TOPIC_ARN: world.config.topicArn,
    LEASH_REMEDIATION_QUEUE_URL: world.resources.remediationQueueUrl,
    LEASH_DRY_RUN: 'false',
    LEASH_APPROVERS: LINK_APPROVER,
    LEASH_PUBLIC_BASE_URL: PUBLIC_BASE_URL,
    LEASH_LINK_SIGNING_SECRET_ARN: link.ARN,
    LEASH_STACK_NAME: STACK,
    // The functions' own log lines and metrics are not what this test reads.
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  vi.resetModules();
  const functions: Record<string, LambdaHandler> = {
    [`${STACK}-denial`]: (await import('../../functions/denial.js')).handler as LambdaHandler,
    [`${STACK}-iam-change`]: (await import('../../functions/iam-change.js')).handler as LambdaHandler,
    [`${STACK}-remediate`]: (await import('../../functions/remediate.js')).handler as LambdaHandler,
    // In the account, but not Leash's: a message naming it must never run it.
    'admin-tool': async () => 'ran',
  };
  lambda = await startLambdaFake(functions, { region: world.aws.region, account: ACCOUNT });
  process.env.AWS_ENDPOINT_URL_LAMBDA = lambda.url;

  const at = '2026-11-22T07:31:00.000Z';
  const bodies = {
    denial: JSON.stringify(
      failureRecord(`${STACK}-denial`, loadEventJson('denial-secretsmanager.json'), new Error('throttled'), 3, at, 'r1'),
    ),
    delivery: JSON.stringify(loadEventJson('put-role-policy.json')),
    broken: JSON.stringify(
      failureRecord(`${STACK}-iam-change`, loadEventJson('malformed-missing-detail.json'), new Error('x'), 3, at, 'r2'),
    ),
    foreign: JSON.stringify({
      ...failureRecord('x', { any: 'event' }, new Error('x'), 3, at, 'r3'),
      requestContext: { functionArn: fnArn('admin-tool') },
    }),
    junk: 'not json at all',
    remediation: JSON.stringify({ roleArn: roleArn('billing-exec'), reason: 'findings changed' }),
  };
  const send = (url: string, body: string, attrs: Record<string, string> = {}) =>
    sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: body,
        MessageAttributes: Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, { DataType: 'String', StringValue: v }])),
      }),
    );
  await send(eventsDlq, bodies.denial);
  // What EventBridge puts in a target's DLQ: the event itself, and where it was going in the attributes.
  await send(eventsDlq, bodies.delivery, {
    RULE_ARN: `arn:aws:events:eu-west-1:${ACCOUNT}:rule/${STACK}-iam-change`,
    TARGET_ARN: fnArn(`${STACK}-iam-change`),
    ERROR_CODE: 'SDK_CLIENT_ERROR',
    ERROR_MESSAGE: 'Rate Exceeded',
    EXHAUSTED_RETRY_CONDITION: 'MaximumRetryAttempts',
    RETRY_ATTEMPTS: '10',
  });
  await send(eventsDlq, bodies.broken);
  await send(eventsDlq, bodies.foreign);
  await send(eventsDlq, bodies.junk);
  await send(remediationDlq, bodies.remediation);
  return { world, sqs, eventsDlq, remediationDlq, bodies };
}

describe('leash redrive against moto', () => {
  it('a dry run says where each message would go, invokes and deletes nothing, and leaves every message visible', async () => {
    const s = await stack();
    const r = await leash('redrive', '--all', '--stack', STACK);
    expect(r.err).toBe('');
    expect(r.code).toBe(1); // two messages would be left for a person
    expect(r.out).toMatch(
      new RegExp(
        `^${STACK}-events-dlq: dry run \\(add --yes to act\\), nothing invoked or deleted: 3 to redrive, 2 left for a person, 0 not asked for$`,
        'm',
      ),
    );
    expect(r.out).toMatch(
      new RegExp(
        `^${STACK}-remediation-dlq: dry run \\(add --yes to act\\), nothing invoked or deleted: 1 to redrive, 0 left for a person`,
        'm',
      ),
    );
    expect(r.out).toMatch(new RegExp(`would redrive +\\S+ +${STACK}-denial`));
    expect(r.out).toMatch(new RegExp(`would redrive +\\S+ +${STACK}-iam-change`));
    expect(r.out).toMatch(new RegExp(`would redrive +\\S+ +${STACK}-remediate`));
    expect(r.out).toMatch(/left +\S+ +admin-tool +admin-tool is not a function of stack leash-test/);
    expect(r.out).toMatch(/left +\S+ +- +EventError: message \S+: \$: message body is not JSON/);
    expect(lambda!.invocations).toEqual([]);
    expect(await visible(s.sqs, s.eventsDlq)).toBe(5);
    expect(await visible(s.sqs, s.remediationDlq)).toBe(1);
  });

  it('--function takes only that function’s messages; the others stay', async () => {
    const s = await stack();
    const r = await leash('redrive', '--queue', `${STACK}-events-dlq`, '--function', 'iam-change', '--json', '--yes');
    expect(r.code).toBe(1); // the malformed event fails again
    const json = JSON.parse(r.out) as { queues: { redriven: unknown[]; failed: { error: string }[]; skipped: unknown[] }[] };
    expect(json.queues[0]!.redriven).toHaveLength(1);
    expect(json.queues[0]!.failed).toHaveLength(1);
    expect(json.queues[0]!.failed[0]!.error).toMatch(/^AdapterError: lambda\.Invoke: leash-test-iam-change failed: EventError: /);
    expect(json.queues[0]!.skipped).toHaveLength(2); // the denial, and the record naming admin-tool
    expect(lambda!.invocations.map((i) => i.function)).toEqual([`${STACK}-iam-change`, `${STACK}-iam-change`]);
    expect((await peek(s.sqs, s.eventsDlq)).sort()).toEqual([s.bodies.broken, s.bodies.denial, s.bodies.foreign, s.bodies.junk].sort());
  });

  it('redrives each message through its own function, deletes what succeeded and keeps the rest', async () => {
    const s = await stack();
    const r = await leash('redrive', '--all', '--stack', STACK, '--yes');
    expect(r.err).toBe('');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(new RegExp(`^${STACK}-events-dlq: 2 redriven, 1 failed again, 2 left for a person, 0 not asked for$`, 'm'));
    expect(r.out).toMatch(new RegExp(`^${STACK}-remediation-dlq: 1 redriven, 0 failed again, 0 left for a person, 0 not asked for$`, 'm'));

    // Each function got the original event: the on-failure record's payload, the delivery's body, and the
    // remediation message as the SQS event Lambda builds.
    const by = (fn: string) => lambda!.invocations.filter((i) => i.function === `${STACK}-${fn}`);
    expect(by('denial').map((i) => i.event)).toEqual([loadEventJson('denial-secretsmanager.json')]);
    expect(by('iam-change').map((i) => i.event)).toContainEqual(loadEventJson('put-role-policy.json'));
    const sqsEvent = by('remediate')[0]!.event as { Records: { body: string; eventSource: string; eventSourceARN: string }[] };
    expect(sqsEvent.Records).toHaveLength(1);
    expect(sqsEvent.Records[0]).toMatchObject({
      body: s.bodies.remediation,
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:eu-west-1:${ACCOUNT}:${STACK}-remediation`,
    });
    expect(lambda!.invocations.some((i) => i.function === 'admin-tool')).toBe(false);

    // And they did their work on moto: the denial is evidence for reports-exec, billing-exec's plan awaits approval.
    const evidence = await s.world.deps.evidence.forRole(roleArn('reports-exec'), '2026-01-01T00:00:00.000Z');
    expect(evidence.denials.map((d) => d.action)).toContain('secretsmanager:GetSecretValue');
    expect((await s.world.audit('billing-exec')).map((e) => e.action)).toContain('plan');

    // Only what no function of the stack could take, or what failed again, is left.
    expect((await peek(s.sqs, s.eventsDlq)).sort()).toEqual([s.bodies.broken, s.bodies.foreign, s.bodies.junk].sort());
    expect(await visible(s.sqs, s.remediationDlq)).toBe(0);

    // A second run finds the same three, and invokes only the one it may (which fails again).
    const before = lambda!.invocations.length;
    const again = await leash('redrive', '--queue', s.eventsDlq, '--yes');
    expect(again.out).toMatch(/: 0 redriven, 1 failed again, 2 left for a person/);
    expect(lambda!.invocations.length - before).toBe(1);
  });

  it('bad input exits 2 and says what is wrong', async () => {
    const s = await stack();
    const other = (await s.sqs.send(new CreateQueueCommand({ QueueName: 'orders-dlq' }))).QueueUrl!;
    const cases: [string[], RegExp][] = [
      [
        ['--queue', other],
        /^leash redrive: command line: --queue: orders-dlq is not a DLQ of a Leash stack: expected <stack>-events-dlq or <stack>-remediation-dlq\n$/,
      ],
      [
        ['--queue', `${STACK}-events-dlq`, '--stack', 'leash-prod'],
        /is not a DLQ of stack leash-prod: expected leash-prod-events-dlq or leash-prod-remediation-dlq/,
      ],
      [['--queue', 'leash-gone-events-dlq'], /^leash redrive: command line: --queue: no queue leash-gone-events-dlq in eu-west-1/],
      [['--queue', `${STACK}-events-dlq`, '--function', 'admin-tool'], /--function must be one of task-definition-change, iam-change/],
      [['--queue', `${STACK}-events-dlq`, '--max', '0'], /--max must be a positive integer, got "0"/],
      [['--all'], /--all needs --stack NAME/],
      [[], /expected --queue QUEUE, or --all --stack NAME/],
      [['--stack', 'bad name!', '--all'], /--stack must be a stack name/],
    ];
    for (const [args, message] of cases) {
      const r = await leash('redrive', ...args);
      expect([r.code, r.out, r.err], args.join(' ')).toEqual([2, '', expect.stringMatching(message)]);
      expect(r.err, args.join(' ')).toMatch(message);
    }
    expect(lambda!.invocations).toEqual([]);
    expect(await visible(s.sqs, s.eventsDlq)).toBe(5);
  });
});

describe("the stack's functions, as serverless.yml names them", () => {
  it('LEASH_FUNCTIONS is exactly the functions serverless.yml deploys', () => {
    const yml = readFileSync(join(repoRoot, 'serverless.yml'), 'utf8');
    const names = [...yml.matchAll(/^ {4}name: \$\{self:custom\.prefix\}-([a-z-]+)$/gm)].map((m) => m[1]);
    expect(names.sort()).toEqual([...LEASH_FUNCTIONS].sort());
  });
});
