// The synthesized policy must allow every concrete request behind the intent and deny its neighbours
// (another repository, log group, secret, parameter; any write action). Each request is judged both by
// our evaluator and by the independent IAM simulator (@cloud-copilot/iam-simulate, test-only oracle).
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../lib/engine/policy/evaluate.js';
import { synthesize } from '../../../lib/engine/synth/synthesize.js';
import type { AccessRequest, PolicyDocument, Requirement } from '../../../lib/engine/types.js';
import { ACCT, awslogs, ecrImage, envFile, groupArn, kmsKey, paramArn, parameter, repoArn, secret, secretArn } from './fixtures.js';

const KEY = '1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY_ARN = `arn:aws:kms:us-east-1:${ACCT}:key/${KEY}`;

async function oracle(document: PolicyDocument, req: AccessRequest): Promise<string> {
  const result = await runSimulation(
    {
      request: {
        principal: `arn:aws:iam::${ACCT}:role/exec`,
        action: req.action,
        resource: { resource: req.resource, accountId: ACCT },
        contextVariables: {},
      },
      identityPolicies: [{ name: 'leash', policy: document }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      // KMS always consults the key policy; the default one delegates to IAM policies.
      ...(req.action.startsWith('kms:')
        ? {
            resourcePolicy: {
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCT}:root` }, Action: 'kms:*', Resource: '*' }],
            },
          }
        : {}),
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
  return result.overallResult;
}

async function judge(document: PolicyDocument, allowed: AccessRequest[], denied: AccessRequest[]): Promise<void> {
  const policies = [{ name: 'leash', kind: 'inline' as const, document }];
  for (const r of allowed) {
    expect([r, evaluate(policies, r).decision]).toEqual([r, 'allowed']);
    expect([r, await oracle(document, r)]).toEqual([r, 'Allowed']);
  }
  for (const r of denied) {
    expect([r, evaluate(policies, r).decision]).toEqual([r, 'implicit-deny']);
    expect([r, await oracle(document, r)]).toEqual([r, 'ImplicitlyDenied']);
  }
}

const stream = (group: string) => `${groupArn(group)}:log-stream:web/web/0f1e2d3c4b5a69788796a5b4c3d2e1f0`;

describe('synthesized policy: requirements allowed, neighbours denied', () => {
  it('for a realistic task definition', async () => {
    const reqs: Requirement[] = [
      ...ecrImage('team/web'),
      ...awslogs('/ecs/web', true),
      ...secret('prod/db'),
      ...parameter('/prod/web/api_key'),
      ...kmsKey(KEY),
      ...envFile('config-bucket', 'web/app.env'),
    ];
    const { document } = synthesize(reqs);
    const allowed: AccessRequest[] = [
      { action: 'ecr:GetAuthorizationToken', resource: '*' },
      { action: 'ecr:BatchGetImage', resource: repoArn('team/web') },
      { action: 'ecr:GetDownloadUrlForLayer', resource: repoArn('team/web') },
      { action: 'ecr:BatchCheckLayerAvailability', resource: repoArn('team/web') },
      { action: 'logs:CreateLogStream', resource: stream('/ecs/web') },
      { action: 'logs:PutLogEvents', resource: stream('/ecs/web') },
      { action: 'logs:CreateLogGroup', resource: groupArn('/ecs/web') },
      { action: 'secretsmanager:GetSecretValue', resource: secretArn('prod/db-AbCdEf') },
      { action: 'ssm:GetParameters', resource: paramArn('/prod/web/api_key') },
      { action: 'kms:Decrypt', resource: KEY_ARN },
      { action: 's3:GetObject', resource: 'arn:aws:s3:::config-bucket/web/app.env' },
    ];
    const denied: AccessRequest[] = [
      { action: 'ecr:BatchGetImage', resource: repoArn('team/other') },
      { action: 'ecr:BatchGetImage', resource: repoArn('team/web2') },
      { action: 'logs:CreateLogStream', resource: stream('/ecs/other') },
      { action: 'logs:CreateLogGroup', resource: groupArn('/ecs/web2') },
      { action: 'secretsmanager:GetSecretValue', resource: secretArn('prod/db-other-AbCdEf') },
      { action: 'secretsmanager:GetSecretValue', resource: secretArn('prod/db-AbCdEfG') },
      { action: 'ssm:GetParameters', resource: paramArn('/prod/other/api_key') },
      { action: 'kms:Decrypt', resource: `arn:aws:kms:us-east-1:${ACCT}:key/ffffffff-12ab-34cd-56ef-1234567890ab` },
      { action: 's3:GetObject', resource: 'arn:aws:s3:::config-bucket/web/other.env' },
      // Write actions on the very resources it may read.
      { action: 'ecr:PutImage', resource: repoArn('team/web') },
      { action: 'secretsmanager:PutSecretValue', resource: secretArn('prod/db-AbCdEf') },
      { action: 'ssm:PutParameter', resource: paramArn('/prod/web/api_key') },
      { action: 'logs:DeleteLogGroup', resource: groupArn('/ecs/web') },
      { action: 's3:PutObject', resource: 'arn:aws:s3:::config-bucket/web/app.env' },
      { action: 'kms:Encrypt', resource: KEY_ARN },
    ];
    await judge(document, allowed, denied);
  });

  it('after compacting 500 of each, outside the compacted prefixes', async () => {
    const reqs = Array.from({ length: 500 }, (_, i) => [
      ...ecrImage(`team/service-${i}`),
      ...awslogs(`/ecs/svc-${i}`),
      ...secret(`prod/app-${i}`),
    ]).flat();
    const { document, compaction } = synthesize(reqs);
    expect(compaction.length).toBeGreaterThan(0);
    await judge(
      document,
      [
        { action: 'ecr:BatchGetImage', resource: repoArn('team/service-499') },
        { action: 'logs:PutLogEvents', resource: stream('/ecs/svc-0') },
        { action: 'secretsmanager:GetSecretValue', resource: secretArn('prod/app-17-AbCdEf') },
      ],
      [
        { action: 'ecr:BatchGetImage', resource: repoArn('other/service-1') },
        { action: 'logs:PutLogEvents', resource: stream('/aws/lambda/x') },
        { action: 'secretsmanager:GetSecretValue', resource: secretArn('dev/app-1-AbCdEf') },
        { action: 'ecr:PutImage', resource: repoArn('team/service-1') },
        { action: 'logs:DeleteLogGroup', resource: groupArn('/ecs/svc-1') },
        { action: 'secretsmanager:PutSecretValue', resource: secretArn('prod/app-1-AbCdEf') },
      ],
    );
  });
});
