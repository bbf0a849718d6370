// Stop reasons: wordings taken from public reports (aws/copilot-cli #4504, #5752, #5927; doctorray117/minecraft-ondemand
// #12, #74; Releem/releem-agent #195; hashicorp/terraform-provider-aws #33044; GiamPy5/terraform-aws-directus #10;
// aws/amazon-ecs-agent #1128), with redacted account IDs and addresses replaced by example values.
import { describe, expect, it } from 'vitest';
import { classifyStoppedTask, isIgnored, type StopClass } from '../../../lib/engine/evidence/index.js';

const ACCT = '123456789012';
const TASK = `arn:aws:ecs:us-east-1:${ACCT}:task/app-cluster/a7438eb04296469cbb925934135fa489`;

function stopped(stoppedReason: string, containers: { name: string; reason?: string }[] = []): Record<string, unknown> {
  return {
    version: '0',
    id: '9bcdac79-b31f-4d3d-9410-fbd727c29fab',
    'detail-type': 'ECS Task State Change',
    source: 'aws.ecs',
    account: ACCT,
    time: '2025-03-04T11:00:05Z',
    region: 'us-east-1',
    resources: [TASK],
    detail: {
      clusterArn: `arn:aws:ecs:us-east-1:${ACCT}:cluster/app-cluster`,
      containers: containers.map((c) => ({ ...c, lastStatus: 'STOPPED', taskArn: TASK })),
      createdAt: '2025-03-04T10:59:01.100Z',
      desiredStatus: 'STOPPED',
      group: 'service:app',
      lastStatus: 'STOPPED',
      launchType: 'FARGATE',
      stopCode: 'TaskFailedToStart',
      stoppedAt: '2025-03-04T11:00:04.512Z',
      stoppedReason,
      taskArn: TASK,
      taskDefinitionArn: `arn:aws:ecs:us-east-1:${ACCT}:task-definition/app:12`,
    },
  };
}

function classify(event: unknown): StopClass {
  const c = classifyStoppedTask(event);
  if (isIgnored(c)) throw new Error(`ignored: ${c.ignored}`);
  return c;
}

describe('classifyStoppedTask: permission denials', () => {
  it('Secrets Manager denial: role rebuilt from the assumed-role ARN, path unknown', () => {
    const reason =
      'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret ' +
      `arn:aws:secretsmanager:us-east-1:${ACCT}:secret:ReportWriter_ADC_DB from secrets manager: AccessDeniedException: User: arn:aws:sts::${ACCT}:assumed-role/streamlit-sample-test-front-end-ExecutionRole-qXmoAXceH13T/a7438eb04296469cbb925934135fa489 is not authorized to perform: secretsmanager:GetSecretValue on resource: ` +
      `arn:aws:secretsmanager:us-east-1:${ACCT}:secret:ReportWriter_ADC_DB because no identity-based policy allows the secretsmanager:GetSecretValue action status code: 400, request id: 53f8285a-ebbf-4208-8358-c011a9c0a9fc`;
    const c = classify(stopped(reason));
    expect(c).toEqual({
      kind: 'permission',
      denial: {
        roleArn: `arn:aws:iam::${ACCT}:role/streamlit-sample-test-front-end-ExecutionRole-qXmoAXceH13T`,
        rolePathUnknown: true,
        action: 'secretsmanager:GetSecretValue',
        resource: `arn:aws:secretsmanager:us-east-1:${ACCT}:secret:ReportWriter_ADC_DB`,
        kind: 'no-identity-policy',
        errorCode: 'AccessDeniedException',
        errorMessage: reason,
        at: '2025-03-04T11:00:04.512Z',
        region: 'us-east-1',
        taskArn: TASK,
        source: 'stop-reason',
      },
    });
  });

  it('SSM denial', () => {
    const c = classify(
      stopped(
        'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time(s): AccessDeniedException: ' +
          `User: arn:aws:sts::${ACCT}:assumed-role/aits-demo-app-test-demo-app-ExecutionRole-28VBAJL3T0YT/f83b93a4dc3442a18eaaf8c2a235cd37 is not authorized to perform: ssm:GetParameters on resource: arn:aws:ssm:eu-west-2:${ACCT}:parameter/GOOGLE_CLIENT_ID ` +
          'because no identity-based policy allows the ssm:GetParameters action status code: 400, request id: 1adcb55f-f798-4503-b8a3-cd1533290001',
      ),
    );
    expect(c.kind).toBe('permission');
    const d = (c as Extract<StopClass, { kind: 'permission' }>).denial;
    expect(d).toMatchObject({
      roleArn: `arn:aws:iam::${ACCT}:role/aits-demo-app-test-demo-app-ExecutionRole-28VBAJL3T0YT`,
      action: 'ssm:GetParameters',
      resource: `arn:aws:ssm:eu-west-2:${ACCT}:parameter/GOOGLE_CLIENT_ID`,
      kind: 'no-identity-policy',
    });
  });

  it('logger denial cut with "...": role from the cut principal, action from the agent context, resource unknown', () => {
    const c = classify(
      stopped(
        `ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: AccessDeniedException: User: arn:aws:sts::${ACCT}:assumed-role/ecs.task.minecraft-server/123456a999ee4b919...`,
      ),
    );
    const d = (c as Extract<StopClass, { kind: 'permission' }>).denial;
    expect(c.kind).toBe('permission');
    expect(d.roleArn).toBe(`arn:aws:iam::${ACCT}:role/ecs.task.minecraft-server`);
    expect(d.action).toBe('logs:CreateLogStream');
    expect(d.resource).toBeUndefined();
    expect(d.truncated).toBe(true);
  });

  it('ECR pull denial found in a container reason', () => {
    const c = classify(
      stopped('Essential container in task exited', [
        {
          name: 'app',
          reason: `CannotPullContainerError: pull access denied for ${ACCT}.dkr.ecr.us-east-1.amazonaws.com/team/app, repository does not exist or may require 'docker login': denied: User: arn:aws:sts::${ACCT}:assumed-role/ecsTaskExecutionRole/a7438eb04296469cbb925934135fa489 is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:us-east-1:${ACCT}:repository/team/app because no identity-based policy allows the ecr:BatchGetImage action`,
        },
      ]),
    );
    expect(c.kind).toBe('permission');
    expect((c as Extract<StopClass, { kind: 'permission' }>).denial).toMatchObject({
      roleArn: `arn:aws:iam::${ACCT}:role/ecsTaskExecutionRole`,
      action: 'ecr:BatchGetImage',
      resource: `arn:aws:ecr:us-east-1:${ACCT}:repository/team/app`,
    });
  });

  it('"Access to KMS is not allowed" is a kms:Decrypt denial that names no role (stopped-task.ts attributes it)', () => {
    const reason = `ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret arn:aws:secretsmanager:eu-central-1:${ACCT}:secret:algo-dev-directus-secret20240626183203358800000004-EaPYTy from secrets manager: AccessDeniedException: Access to KMS is not allowed status code: 400, request id: a87a66d9-f839-4353-b8c2-9984b1465695`;
    const d = (classify(stopped(reason)) as Extract<StopClass, { kind: 'permission' }>).denial;
    expect(d).toMatchObject({ roleArn: '', action: 'kms:Decrypt', kind: 'unknown' });
    expect(d.resource).toBeUndefined(); // the key is not named; the secret is not the denied resource
  });

  // Behaviour changed deliberately (issue 10): only a failed start is classified, and a reason naming a role of
  // another account is never a denial. Who a denial is about is decided by authenticateStoppedTask.
  it.each(['UserInitiated', 'EssentialContainerExited', 'ServiceSchedulerInitiated', 'SpotInterruption', 'TerminationNotice', 'Other'])(
    'a %s stop is never a denial, whatever its reason says',
    (stopCode) => {
      const event = stopped(
        `User: arn:aws:sts::${ACCT}:assumed-role/billing-exec/x is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:us-east-1:${ACCT}:secret:billing/db-AbCdEf`,
      );
      (event.detail as Record<string, unknown>).stopCode = stopCode;
      const c = classify(event);
      expect(c.kind).toBe('other');
      expect((c as { detail: string }).detail).toMatch(new RegExp(`^stop code ${stopCode} is not TaskFailedToStart`));
    },
  );

  it('a failed start whose reason names a role of another account is not a denial', () => {
    const c = classify(
      stopped(
        'User: arn:aws:sts::210987654321:assumed-role/billing-exec/x is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:us-east-1:210987654321:secret:billing/db-AbCdEf',
      ),
    );
    expect(c).toEqual({ kind: 'other', detail: `untrusted: the reason names a role in account 210987654321, the task runs in ${ACCT}` });
  });
});

describe('classifyStoppedTask: network failures are not missing permissions', () => {
  it.each([
    [
      'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve ecr registry auth: service call has been retried 3 time(s): RequestError: send request failed caused by: Post "https://api.ecr.us-east-2.amazonaws.com/": dial tcp 52.95.1.10:443: i/o timeout. Please check your task network configuration.',
      'ecr',
    ],
    [
      'ResourceInitializationError: unable to pull secrets or registry auth: The task cannot pull registry auth from Amazon ECR: There is a connection issue between the task and Amazon ECR. Check your task network configuration. RequestError: send request failed caused by: Post "https://api.ecr.us-east-1.amazonaws.com/": dial tcp 172.40.1.94:443: i/o timeout',
      'ecr',
    ],
    [
      'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 5 time(s): RequestCanceled: request context canceled caused by: context deadline exceeded. Please check your task network configuration.',
      'ssm',
    ],
    [
      `ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 5 time(s): failed to fetch secret arn:aws:secretsmanager:us-west-2:${ACCT}:secret:DBPasswordSecret-AbCdEf from secrets manager: RequestCanceled: request context canceled caused by: context deadline exceeded. Please check your task network configuration.`,
      'secretsmanager',
    ],
    [
      `CannotPullContainerError: API error (500): Get https://${ACCT}.dkr.ecr.us-east-1.amazonaws.com/v2/: net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)`,
      'ecr',
    ],
    [
      'ResourceInitializationError: failed to validate logger args: RequestError: send request failed caused by: Post "https://logs.eu-west-1.amazonaws.com/": dial tcp: lookup logs.eu-west-1.amazonaws.com on 10.0.0.2:53: no such host',
      'logs',
    ],
    [
      'ResourceInitializationError: failed to download env files: file download command: non empty error stream: RequestError: send request failed caused by: Get "https://app-config.s3.eu-west-1.amazonaws.com/app.env": dial tcp 52.218.1.1:443: connect: connection refused',
      's3',
    ],
  ])('%s → network (%s)', (reason, service) => {
    const c = classify(stopped(reason));
    expect(c).toEqual({ kind: 'network', service, detail: reason });
  });
});

describe('classifyStoppedTask: everything else', () => {
  it('an exited container is "other", with container reasons', () => {
    const c = classify(
      stopped('Essential container in task exited', [{ name: 'app', reason: 'OutOfMemoryError: Container killed due to memory usage' }]),
    );
    expect(c).toEqual({
      kind: 'other',
      detail: 'Essential container in task exited; OutOfMemoryError: Container killed due to memory usage',
    });
  });

  it('a registry "pull access denied" for a missing image, without an IAM principal, is "other"', () => {
    const c = classify(
      stopped(
        "CannotPullContainerError: Error response from daemon: pull access denied for nosuchimage, repository does not exist or may require 'docker login': denied: requested access to the resource is denied",
      ),
    );
    expect(c.kind).toBe('other');
  });

  it('a scale-in is "other"', () => {
    expect(classify(stopped('Scaling activity initiated by (deployment ecs-svc/3922456787425516734)')).kind).toBe('other');
  });

  it('ignores running tasks, other event types and non-objects', () => {
    const running = stopped('x');
    (running.detail as Record<string, unknown>).lastStatus = 'RUNNING';
    const r1 = classifyStoppedTask(running);
    expect(isIgnored(r1) && r1.ignored).toBe('lastStatus RUNNING is not STOPPED');
    const r2 = classifyStoppedTask({ ...stopped('x'), 'detail-type': 'ECS Container Instance State Change' });
    expect(isIgnored(r2) && r2.ignored).toMatch(/is not ECS Task State Change/);
    expect(isIgnored(classifyStoppedTask(null))).toBe(true);
  });

  it('accepts a bare task (DescribeTasks shape) as well as the event', () => {
    const event = stopped('Essential container in task exited');
    expect(classify(event.detail)).toEqual(classify(event));
  });
});
