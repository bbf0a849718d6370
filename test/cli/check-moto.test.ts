// `leash check` reading the role live from IAM (moto_server on loopback, real SDK v3 clients through the CLI's own
// composition and the IAM reader): missing grants block with the statements to add, and adding exactly those passes;
// a role that does not exist or that ECS may not assume blocks; the KMS key behind a secret is looked up.
import { Writable } from 'node:stream';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AttachRolePolicyCommand, CreatePolicyCommand, CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../lib/cli/main.js';
import { TEST_ACCOUNT, useMoto } from '../support/moto.js';

const moto = useMoto();
const dir = mkdtempSync(join(tmpdir(), 'leash-check-moto-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ECS_TRUST = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};
const REPO = `arn:aws:ecr:us-east-1:${TEST_ACCOUNT}:repository/web`;
const GROUP = `arn:aws:logs:us-east-1:${TEST_ACCOUNT}:log-group:/ecs/web`;
const PULL = {
  Effect: 'Allow',
  Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
  Resource: REPO,
};

function taskDefinition(role: string, extra: Record<string, unknown> = {}): string {
  const path = join(dir, `td-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(
    path,
    JSON.stringify({
      family: 'web',
      executionRoleArn: role,
      requiresCompatibilities: ['FARGATE'],
      containerDefinitions: [
        {
          name: 'web',
          image: `${TEST_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/web:1.0`,
          logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/web', 'awslogs-region': 'us-east-1' } },
          ...extra,
        },
      ],
    }),
  );
  return path;
}

interface CheckJson {
  verdict: string;
  role: string;
  source: string;
  blocking: { kind: string; action: string; resource: string; reasons: string[] }[];
  add?: unknown;
}

async function check(...argv: string[]): Promise<{ code: number; json: CheckJson; err: string; ms: number }> {
  let out = '';
  let err = '';
  const sink = (add: (s: string) => void) => new Writable({ write: (c, _e, cb) => (add(String(c)), cb()) });
  const env = {
    AWS_ENDPOINT_URL: moto.config().endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
  };
  const start = Date.now();
  const code = await main(['check', '--format', 'json', ...argv], {
    stdout: sink((s) => (out += s)),
    stderr: sink((s) => (err += s)),
    env,
  });
  return { code, json: JSON.parse(out) as CheckJson, err, ms: Date.now() - start };
}

async function role(iam: IAMClient, name: string, trust: unknown = ECS_TRUST): Promise<string> {
  const r = await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: JSON.stringify(trust) }));
  return r.Role!.Arn!;
}

describe('leash check against IAM (moto)', () => {
  it('reads the role, blocks with the statements to add; once they are added the task starts', async () => {
    const iam = new IAMClient(moto.config());
    const arn = await role(iam, 'web-exec');
    // What people usually have: the token and the pull, but logs only through a customer managed policy on another group.
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'web-exec',
        PolicyName: 'pull',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' }, PULL],
        }),
      }),
    );
    const other = await iam.send(
      new CreatePolicyCommand({
        PolicyName: 'other-logs',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: `${GROUP}-old:*` }],
        }),
      }),
    );
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'web-exec', PolicyArn: other.Policy!.Arn! }));
    const td = taskDefinition(arn);

    const blocked = await check(td);
    expect(blocked.err).toBe('');
    expect([blocked.code, blocked.json.verdict, blocked.json.source, blocked.json.role]).toEqual([1, 'blocked', 'iam', arn]);
    expect(blocked.json.blocking.map((f) => `${f.action} ${f.resource}`).sort()).toEqual([
      `logs:CreateLogStream ${GROUP}:*`,
      `logs:PutLogEvents ${GROUP}:*`,
    ]);
    // An answer in seconds, not minutes.
    expect(blocked.ms).toBeLessThan(10_000);

    await iam.send(
      new PutRolePolicyCommand({ RoleName: 'web-exec', PolicyName: 'leash-add', PolicyDocument: JSON.stringify(blocked.json.add) }),
    );
    const pass = await check(td);
    expect([pass.code, pass.json.verdict, pass.json.blocking]).toEqual([0, 'pass', []]);
    // --role by name reads the same role.
    expect((await check('--role', 'web-exec', td)).code).toBe(0);
  });

  it('a role that does not exist, or that ECS may not assume, blocks', async () => {
    const iam = new IAMClient(moto.config());
    const missing = await check(taskDefinition(`arn:aws:iam::${TEST_ACCOUNT}:role/nobody`));
    expect(missing.code).toBe(1);
    expect(missing.json.blocking[0]!.reasons[0]).toMatch(/does not exist/);

    const lambdaOnly = await role(iam, 'lambda-exec', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'lambda-exec',
        PolicyName: 'all',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: ['ecr:*', 'logs:*'], Resource: '*' }],
        }),
      }),
    );
    const untrusted = await check(taskDefinition(lambdaOnly));
    expect(untrusted.code).toBe(1);
    expect(untrusted.json.blocking.map((f) => f.reasons[0])).toEqual([
      expect.stringMatching(/does not let ecs-tasks\.amazonaws\.com assume it/),
    ]);
  });

  it('looks up the customer managed key behind a secret: kms:Decrypt on the key ARN is required', async () => {
    const iam = new IAMClient(moto.config());
    const key = await new KMSClient(moto.config()).send(new CreateKeyCommand({ Description: 'db' }));
    const secret = await new SecretsManagerClient(moto.config()).send(
      new CreateSecretCommand({ Name: 'web/db', SecretString: 'x', KmsKeyId: key.KeyMetadata!.KeyId! }),
    );
    const arn = await role(iam, 'db-exec');
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'db-exec',
        PolicyName: 'base',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
            PULL,
            { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: `${GROUP}:*` },
            {
              Effect: 'Allow',
              Action: 'secretsmanager:GetSecretValue',
              Resource: `arn:aws:secretsmanager:us-east-1:${TEST_ACCOUNT}:secret:web/db-??????`,
            },
          ],
        }),
      }),
    );
    const td = taskDefinition(arn, {
      secrets: [{ name: 'DB', valueFrom: `arn:aws:secretsmanager:us-east-1:${TEST_ACCOUNT}:secret:web/db` }],
    });
    expect(secret.ARN).toMatch(/:secret:web\/db-[A-Za-z0-9]{6}$/);
    const r = await check(td);
    expect(r.code).toBe(1);
    expect(r.json.blocking.map((f) => `${f.action} ${f.resource}`)).toEqual([`kms:Decrypt ${key.KeyMetadata!.Arn}`]);
    // Without the lookup, the gate cannot see the key.
    expect((await check('--no-kms', td)).code).toBe(0);
  });
});
