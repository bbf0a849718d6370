// `npm start`: the whole bot locally against the embedded default — moto on loopback, seeded with a demo account,
// the real-shaped events in events/ fed through the real handlers — printing what Leash found and did.
import './quiet-logs.js'; // first: before any module creates the logger
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AttachRolePolicyCommand, PutRolePolicyCommand, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { DeregisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { makeClients, type AwsConfig } from '../../adapters/aws/clients.js';
import { startMotoServer } from '../moto-server.js';
import { buildPipeline, type Pipeline } from '../../composition.js';
import { loadConfig } from '../../config.js';
import { run as runTaskDefinitionChange } from '../../../functions/task-definition-change.js';
import { run as runIamChange } from '../../../functions/iam-change.js';
import { run as runDenial } from '../../../functions/denial.js';
import { run as runTaskStopped } from '../../../functions/task-stopped.js';
import { run as runReconcile } from '../../../functions/reconcile.js';
import { DEMO_ACCOUNT, DEMO_REGION, roleArn, seedDemo } from './seed.js';
import { findingsTable, step } from './print.js';
import { remediationPhase } from './remediation-phase.js';
import { startCloudTrailFake } from './cloudtrail-fake.js';

const eventsDir = join(dirname(fileURLToPath(import.meta.url)), '../../../events');
const event = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(eventsDir, name), 'utf8'));
const docOf = (name: string) =>
  String((event(name).detail as { requestParameters: { policyDocument: string } }).requestParameters.policyDocument);

function say(line: string): void {
  process.stdout.write(line + '\n');
}

function describe(summary: { skipped?: string; roles?: { roleArn: string; findings: unknown[]; changed: boolean }[] }): string {
  if (summary.skipped) return `skipped: ${summary.skipped}`;
  const roles = summary.roles ?? [];
  if (!roles.length) return 'no execution role affected';
  return roles
    .map(
      (r) =>
        `${r.roleArn.split('/').pop()}: ${r.findings.length} findings${r.changed ? ' (changed, notified)' : ' (unchanged, no notice)'}`,
    )
    .join('; ');
}

export async function runDemo(): Promise<void> {
  say('Leash local demo: moto_server on loopback, demo account 123456789012, Region eu-west-1. Dry-run.');
  const moto = await startMotoServer({ awsManagedPolicies: true });
  try {
    const aws: AwsConfig = { region: DEMO_REGION, endpoint: moto.endpoint, credentials: { accessKeyId: 'demo', secretAccessKey: 'demo' } };
    const clients = makeClients(aws);
    const res = await seedDemo(clients);
    say(`moto_server at ${moto.endpoint}; seeded 3 execution roles, 5 families (web-api ×3 revisions), secrets, parameters, a KMS key.`);
    const config = {
      ...loadConfig({ LEASH_DRY_RUN: 'true' }),
      table: res.table,
      topicArn: res.topicArn,
      remediationQueueUrl: res.remediationQueueUrl,
      selfRoleArns: ['arn:aws:iam::123456789012:role/leash-prod-remediate'],
      homeAccount: DEMO_ACCOUNT,
    };
    // The demo's clock starts where the events in events/ happen, so their times fall inside its windows.
    const started = Date.now();
    const now = () => new Date(Date.parse('2026-11-22T07:20:00Z') + (Date.now() - started)).toISOString();
    // moto has no CloudTrail LookupEvents and no IAM last-accessed: a local stand-in serves the former.
    const cloudTrail = await startCloudTrailFake(now);
    const deps: Pipeline = buildPipeline(config, aws, { now, local: { cloudTrailEndpoint: cloudTrail.url, lastAccessed: false } });
    let n = 0;

    say(
      step(++n, 'Scheduled reconcile (events/scheduled-reconcile.json): sweep every revision and role, then backfill CloudTrail evidence'),
    );
    const sweep = await runReconcile(event('scheduled-reconcile.json'), { ...deps, concurrency: 4, timeLeft: () => 600_000 });
    say(
      `    sweep complete=${sweep.complete}; ${sweep.cursor.described} revisions described; roles: ${sweep.roles.map((r) => `${r.role.split('/').pop()} (${r.findings})`).join(', ')}`,
    );
    const ev = sweep.evidence;
    say(
      ev && 'pages' in ev
        ? `    backfill: ${ev.pages} LookupEvents pages (${cloudTrail.calls} calls, ≤ 2/s), ${ev.uses} uses, ${ev.denials} denials stored; IAM last-accessed skipped (moto lacks it)`
        : `    backfill failed: ${ev && 'error' in ev ? ev.error : 'not run'}`,
    );
    await cloudTrail.close();

    say(step(++n, 'RegisterTaskDefinition web-api:3, delivered twice (EventBridge is at-least-once)'));
    say('    first:  ' + describe(await runTaskDefinitionChange(event('register-task-definition.json'), deps)));
    say('    second: ' + describe(await runTaskDefinitionChange(event('register-task-definition.json'), deps)));

    say(step(++n, 'DeregisterTaskDefinition web-api:2 while service web-api-canary still runs it'));
    await clients.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'web-api:2' }));
    const dereg = await runTaskDefinitionChange(event('deregister-task-definition.json'), deps);
    const kept = (await deps.index.entriesForRole(roleArn('web-exec'))).find((e) => e.taskDefinitionArn.endsWith('web-api:2'));
    say(`    ${describe(dereg)}; web-api:2 status=${kept?.status} inUse=${kept?.inUse} (still counts as intent)`);

    say(step(++n, 'AttachRolePolicy AmazonECSTaskExecutionRolePolicy → billing-exec'));
    await clients.iam.send(
      new AttachRolePolicyCommand({
        RoleName: 'billing-exec',
        PolicyArn: 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy',
      }),
    );
    say('    ' + describe(await runIamChange(event('attach-role-policy.json'), deps)));

    say(step(++n, 'PutRolePolicy billing-exports (s3:GetObject, s3:ListBucket on *) → billing-exec'));
    await clients.iam.send(
      new PutRolePolicyCommand({ RoleName: 'billing-exec', PolicyName: 'billing-exports', PolicyDocument: docOf('put-role-policy.json') }),
    );
    say('    ' + describe(await runIamChange(event('put-role-policy.json'), deps)));

    say(step(++n, 'UpdateAssumeRolePolicy on reports-exec: trust opened to account 210987654321'));
    await clients.iam.send(
      new UpdateAssumeRolePolicyCommand({ RoleName: 'reports-exec', PolicyDocument: docOf('update-assume-role-policy.json') }),
    );
    say('    ' + describe(await runIamChange(event('update-assume-role-policy.json'), deps)));

    say(step(++n, 'PutRolePolicy made by Leash itself (events/put-role-policy-by-leash.json)'));
    say('    ' + describe(await runIamChange(event('put-role-policy-by-leash.json'), deps)));

    say(
      step(
        ++n,
        'CloudTrail denials for reports-exec: GetSecretValue, GetParameters, CreateLogGroup (then GetSecretValue again, duplicated)',
      ),
    );
    for (const name of ['denial-secretsmanager.json', 'denial-ssm.json', 'denial-logs.json', 'denial-secretsmanager.json']) {
      const s = await runDenial(event(name), deps);
      say(
        `    ${name}: ${s.skipped ? 'skipped: ' + s.skipped : `${s.denial?.action} denied → ${describe({ roles: s.role ? [s.role] : [] })}`}`,
      );
    }

    say(step(++n, 'ECS tasks STOPPED: a network failure and an essential-container exit'));
    for (const name of ['task-stopped-network.json', 'task-stopped-essential-exit.json']) {
      const s = await runTaskStopped(event(name), deps);
      say(
        `    ${name}: ${s.network ? `network failure (${s.network.service ?? 'unknown service'}), not a missing permission` : s.skipped ? 'skipped: ' + s.skipped : 'denial recorded'}`,
      );
    }

    say(step(++n, 'Findings per role (stored in DynamoDB, published to SNS)'));
    for (const role of ['web-exec', 'billing-exec', 'reports-exec']) {
      const current = await deps.findings.current(roleArn(role));
      say(findingsTable(roleArn(role), current?.findings ?? []));
    }
    const inbox = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: res.inboxUrl, MaxNumberOfMessages: 10 }));
    const first = inbox.Messages?.[0]?.Body?.split('\n').slice(0, 3).join('\n      ');
    say(`\n    SNS topic delivered ${inbox.Messages?.length ?? 0}+ messages; the first begins:\n      ${first ?? '(none)'}`);
    await remediationPhase({ aws, clients, config, now, event, say, step: (text) => say(step(++n, text)) });
  } finally {
    await moto.stop();
  }
  say('\nDone: moto_server stopped. Nothing outside this process was touched.');
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  runDemo().catch((err: unknown) => {
    process.stderr.write(`leash demo failed: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}\n`);
    process.exitCode = 1;
  });
}
