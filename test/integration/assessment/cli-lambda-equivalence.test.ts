// One role, two paths, one assessment (issue 13 item 4): web-exec of the demo account is assessed by the Lambdas (the
// sweep indexes its task definitions, the denial function stores CloudTrail denials, IAM is read live on moto, the KMS
// key behind its secret is looked up) and by `leash audit` over files exported from the same world (its task
// definitions as describe-task-definition output, its policies as get-role-policy items, its trust policy as get-role
// output, the same CloudTrail records, the KMS answer for the lookup the CLI lists). The findings must be identical.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { DescribeParametersCommand } from '@aws-sdk/client-ssm';
import { afterAll, describe, expect, it } from 'vitest';
import { auditCommand } from '../../../lib/cli/commands/audit.js';
import { findingJson } from '../../../lib/cli/format.js';
import { leash } from '../../support/cli.js';
import { useMoto } from '../../support/moto.js';
import { createWorld, demoAccount, event, NOW, registerInMoto, roleArn, soloRevision } from '../../support/world/index.js';

const moto = useMoto();
const WEB = roleArn('web-exec');
const dir = mkdtempSync(join(tmpdir(), 'leash-equivalence-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A denial event of events/ as web-exec's own (same record, another session issuer; its log group is web's). */
function webDenial(name: string): Record<string, unknown> {
  const text = JSON.stringify(event(name)).replaceAll('reports-exec', 'web-exec').replaceAll('/ecs/reports', '/ecs/web');
  return JSON.parse(text) as Record<string, unknown>;
}

const write = (name: string, value: unknown): string => {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(value, null, 2));
  return file;
};

async function audit(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const sink = (add: (s: string) => void) => new Writable({ write: (chunk, _enc, cb) => (add(String(chunk)), cb()) });
  const code = auditCommand(argv, { stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)) }, () => NOW);
  return { code, out, err };
}

describe('the CLI and the Lambdas assess a role identically', () => {
  it('web-exec: trust policy, KMS key, boundary-free grant and CloudTrail denials give the same findings', async () => {
    const w = await createWorld(moto.config(), demoAccount());
    const { iam, ecs, kms, secrets, ssm } = w.clients;
    // The trust policy also admits another account: a trust-policy finding both paths must report.
    await iam.send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: 'web-exec',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' },
            { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::210987654321:root' }, Action: 'sts:AssumeRole' },
          ],
        }),
      }),
    );

    // A revision naming the KMS-encrypted secret by its real ARN, so the key lookup resolves to the customer key.
    const stripe = (await secrets.send(new DescribeSecretCommand({ SecretId: 'web/stripe' }))).ARN!;
    await registerInMoto(w.clients, soloRevision('web-stripe', stripe.split(':secret:')[1]!));

    // --- the Lambda path: the sweep indexes and assesses, the denial function adds the evidence ---
    await w.run.reconcile(event('scheduled-reconcile.json'));
    const denials = ['denial-secretsmanager.json', 'denial-ssm.json', 'denial-logs.json', 'denial-ecr.json'].map(webDenial);
    for (const e of denials) await w.run.denial(e);
    const lambda = (await w.findings(WEB)) ?? [];

    // --- the same world, exported as files ---
    const entries = (await w.deps.index.entriesForRole(WEB)).filter((e) => e.status === 'ACTIVE' || e.inUse);
    const taskDefinitionFiles = [];
    for (const [i, e] of entries.entries()) {
      const described = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: e.taskDefinitionArn }));
      taskDefinitionFiles.push(write(`td-${i}.json`, { taskDefinition: described.taskDefinition }));
    }
    const policyFiles = [];
    for (const name of (await iam.send(new ListRolePoliciesCommand({ RoleName: 'web-exec' }))).PolicyNames ?? []) {
      const { $metadata: _m, ...out } = await iam.send(new GetRolePolicyCommand({ RoleName: 'web-exec', PolicyName: name }));
      policyFiles.push(write(`inline-${name}.json`, out));
    }
    for (const a of (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'web-exec' }))).AttachedPolicies ?? []) {
      const policy = (await iam.send(new GetPolicyCommand({ PolicyArn: a.PolicyArn }))).Policy!;
      const version = await iam.send(new GetPolicyVersionCommand({ PolicyArn: a.PolicyArn, VersionId: policy.DefaultVersionId }));
      policyFiles.push(
        write(`managed-${policy.PolicyName}.json`, {
          PolicyName: policy.PolicyName,
          PolicyArn: a.PolicyArn,
          PolicyDocument: version.PolicyVersion!.Document,
        }),
      );
    }
    const { $metadata: _r, ...role } = await iam.send(new GetRoleCommand({ RoleName: 'web-exec' }));
    const trustFile = write('get-role.json', role);
    const trailFile = write('trail.json', { Records: denials.map((e) => e.detail) });

    // The KMS lookup the CLI lists, answered from the world as an operator would (describe-secret, describe-key).
    const planned = await leash('plan', '--json', ...taskDefinitionFiles);
    const lookups = (JSON.parse(planned.out) as { unresolved: { kind: string; resource: string }[] }).unresolved.filter((l) =>
      l.kind.startsWith('kms-key-for-'),
    );
    expect(lookups.map((l) => l.resource)).toContain(stripe);
    const keyArnOf = async (keyId: string | undefined) =>
      !keyId || keyId.startsWith('alias/aws/')
        ? 'aws-managed'
        : (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!.Arn!;
    const answers: string[] = [];
    for (const l of lookups) {
      const parameterName = (l.resource.split(':')[5] ?? '').replace(/^parameter/, '');
      // A secret that does not exist under that ARN has no answer (the Lambdas' lookup finds none either).
      const described =
        l.kind === 'kms-key-for-secret'
          ? await secrets.send(new DescribeSecretCommand({ SecretId: l.resource })).catch(() => undefined)
          : (await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Values: [parameterName] }] })))
              .Parameters?.[0];
      if (described)
        answers.push(
          `${l.resource}=${await keyArnOf('KmsKeyId' in described ? described.KmsKeyId : (described as { KeyId?: string }).KeyId)}`,
        );
    }
    const keyArn = (await kms.send(new DescribeKeyCommand({ KeyId: 'alias/web-secrets' }))).KeyMetadata!.Arn!;

    // --- the CLI path ---
    const cli = await audit([
      '--json',
      ...policyFiles.flatMap((f) => ['--policy', f]),
      '--trust-policy',
      trustFile,
      ...answers.flatMap((a) => ['--kms-key', a]),
      '--cloudtrail',
      trailFile,
      ...taskDefinitionFiles,
    ]);
    expect(cli.err).toBe('');
    // audit exits 1 when a finding is urgent (the default --fail-on): the same verdict a pipeline gets from the Lambdas' set.
    expect(cli.code).toBe(lambda.some((f) => f.severity === 'urgent') ? 1 : 0);
    const out = JSON.parse(cli.out) as { findings: unknown[]; requirements: { action: string; resource: string }[] };

    // Not a vacuous comparison: every source of findings is there.
    const kinds = new Set(lambda.map((f) => f.kind));
    for (const kind of ['denied', 'unexplained-denial', 'too-broad', 'trust-policy']) expect(kinds, kind).toContain(kind);
    expect(out.requirements).toContainEqual(expect.objectContaining({ action: 'kms:Decrypt', resource: keyArn }));
    expect(out.findings).toEqual(lambda.map(findingJson));
  });
});
