// The attacker's view of a deployment: the world on moto (test/support/world, remediationAccount(), seeds the table, topic,
// queue, roles, task definitions and index) and the deployed handlers (functions/*.handler with their middleware),
// configured only through the environment as serverless.yml configures them, on the real clock. Access Analyzer
// (absent from moto) answers as the service does for a clean policy.
import { AccessAnalyzerClient, CheckNoNewAccessCommand, ValidatePolicyCommand } from '@aws-sdk/client-accessanalyzer';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import type { Context, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { vi } from 'vitest';
import type { AwsTestConfig } from '../../support/moto.js';
import {
  createWorld,
  LINK_APPROVER,
  LINK_SECRET,
  PUBLIC_BASE_URL,
  remediationAccount,
  roleArn,
  sqsEvent,
  type DemoWorld,
} from '../../support/world/index.js';

type Handler = (event: unknown, context: Context) => Promise<unknown>;
export type FunctionName = 'task-stopped' | 'denial' | 'remediate' | 'approvals' | 'watch' | 'iam-change';

export interface Deployed {
  world: DemoWorld;
  /** Runs one deployed handler with a Lambda context; its log lines are kept off the test output. */
  invoke<R = Record<string, unknown>>(fn: FunctionName, event: unknown): Promise<R>;
  /** The remediation function on "findings changed" messages for `roles`. */
  remediate(...roles: string[]): Promise<RemediateResult>;
}

export interface RemediateResult {
  batchItemFailures: unknown[];
  outcomes: {
    roleArn?: string;
    outcome: string;
    why?: string;
    mode?: string;
    plan?: { additions: { action: string; resource: string }[] };
  }[];
}

const context = (fn: string): Context =>
  ({
    awsRequestId: `req-${fn}-${Math.random().toString(36).slice(2)}`,
    functionName: `leash-attack-${fn}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:leash-attack-${fn}`,
    memoryLimitInMB: '512',
    logGroupName: `/aws/lambda/leash-attack-${fn}`,
    logStreamName: 'test',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  }) as Context;

export const analyzer = mockClient(AccessAnalyzerClient);

/**
 * Seeds the world, lets `prepare` add what the test needs (roles, task definitions: reindexed by the caller), then
 * configures the environment and loads the handlers afresh (the composition roots cache per container).
 */
export async function deploy(moto: AwsTestConfig, env: Record<string, string> = {}): Promise<Deployed> {
  analyzer.reset();
  analyzer.on(ValidatePolicyCommand).resolves({ findings: [] });
  analyzer.on(CheckNoNewAccessCommand).resolves({ result: 'PASS', message: 'The modified permissions grant no new access.', reasons: [] });
  const world = await createWorld(moto, remediationAccount({ dryRun: false }));
  const link = await world.clients.secrets.send(new CreateSecretCommand({ Name: 'leash-attack/link-signing', SecretString: LINK_SECRET }));
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_REGION: world.aws.region,
    AWS_ACCESS_KEY_ID: moto.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: moto.credentials.secretAccessKey,
    LEASH_TABLE: world.config.table,
    LEASH_TOPIC_ARN: world.config.topicArn,
    LEASH_REMEDIATION_QUEUE_URL: world.resources.remediationQueueUrl,
    LEASH_DEFAULT_MODE: 'observe',
    LEASH_DRY_RUN: 'false',
    LEASH_APPROVERS: LINK_APPROVER,
    LEASH_PUBLIC_BASE_URL: PUBLIC_BASE_URL,
    LEASH_LINK_SIGNING_SECRET_ARN: link.ARN!,
    ...env,
  });
  vi.resetModules();
  const handlers: Record<FunctionName, Handler> = {
    'task-stopped': (await import('../../../functions/task-stopped.js')).handler as Handler,
    denial: (await import('../../../functions/denial.js')).handler as Handler,
    remediate: (await import('../../../functions/remediate.js')).handler as Handler,
    approvals: (await import('../../../functions/approvals.js')).handler as Handler,
    watch: (await import('../../../functions/watch.js')).handler as Handler,
    'iam-change': (await import('../../../functions/iam-change.js')).handler as Handler,
  };

  const invoke = async <R>(fn: FunctionName, event: unknown): Promise<R> => {
    const quiet = () => true;
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(quiet as typeof process.stdout.write);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(quiet as typeof process.stderr.write);
    try {
      return (await handlers[fn](event, context(fn))) as R;
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  };
  const remediate = (...roles: string[]) =>
    invoke<RemediateResult>(
      'remediate',
      sqsEvent(roles.map((r) => JSON.stringify({ roleArn: roleArn(r), reason: 'findings changed' }))) satisfies SQSEvent,
    );
  return { world, invoke, remediate };
}

/** Regex-escapes a literal (ARNs hold `.`, `*`, `?`). */
export const literal = (s: string) => new RegExp(s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
