// The policy `leash plan --json` synthesizes for corpus task definitions with private ECR, awslogs and secrets,
// evaluated with the engine's IAM evaluator: it allows every requirement (on the concrete resources AWS evaluates)
// and denies the neighbours — another repository, log group, secret or parameter path, and any write action.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../lib/cli/main.js';
import { parsePolicyFile } from '../../lib/engine/policy/parse.js';
import { evaluate } from '../../lib/engine/policy/evaluate.js';
import type { NamedPolicy } from '../../lib/engine/types.js';
import { corpusPath } from '../support/corpus.js';

interface PlanJson {
  policy: unknown;
  requirements: { action: string; resource: string }[];
}

async function plan(...argv: string[]): Promise<PlanJson> {
  let out = '';
  const sink = new Writable({ write: (chunk, _enc, cb) => ((out += String(chunk)), cb()) });
  const code = await main(['plan', '--json', ...argv], { stdout: sink, stderr: sink });
  expect(code, out).toBe(0);
  return JSON.parse(out) as PlanJson;
}

/** A resource AWS would evaluate for a requirement pattern (spec §2.3: CreateLogStream is authorized on the stream). */
function concrete(resource: string): string[] {
  if (resource.endsWith(':*') && resource.includes(':log-group:')) {
    const group = resource.slice(0, -2);
    return [`${group}:log-stream:ecs/app/0123456789abcdef0123456789abcdef`, `${group}:log-stream:`];
  }
  return [resource.replace(/-\?{6}$/, '-AbCdEf')];
}

/** Resources next to a needed one that the role must not reach. */
function neighbours(resource: string): string[] {
  if (resource.includes(':repository/')) {
    return [`${resource}-other`, resource.replace(/repository\/.*$/, 'repository/other'), resource.replace(/:\d{12}:/, ':999999999999:')];
  }
  if (resource.includes(':log-group:')) {
    const group = resource.replace(/:\*$/, '');
    return [`${group}-other:log-stream:x`, `${group.replace(/log-group:.*$/, 'log-group:/ecs/other')}:log-stream:x`, `${group}-other`];
  }
  if (resource.includes(':secret:')) {
    const exact = resource.replace(/-\?{6}$/, '-AbCdEf');
    return [exact.replace(':secret:', ':secret:other-'), `${exact}X`, exact.replace(/:\d{12}:/, ':999999999999:')];
  }
  if (resource.includes(':parameter/')) {
    return [`${resource}2`, `${resource}/child`, resource.replace(/\/[^/]+$/, ''), resource.replace(/parameter\/.*$/, 'parameter/other')];
  }
  return [];
}

// Writes (and reads nobody asked for) on the services an execution role touches.
const WRITES: Record<string, string[]> = {
  ecr: ['ecr:PutImage', 'ecr:InitiateLayerUpload', 'ecr:DeleteRepository', 'ecr:SetRepositoryPolicy'],
  logs: ['logs:DeleteLogGroup', 'logs:PutRetentionPolicy', 'logs:DeleteLogStream'],
  secretsmanager: ['secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecret', 'secretsmanager:DeleteSecret'],
  ssm: ['ssm:PutParameter', 'ssm:DeleteParameter', 'ssm:GetParametersByPath'],
};
const ANYWHERE = [
  'iam:PassRole',
  'ecr:PutImage',
  'logs:DeleteLogGroup',
  'secretsmanager:CreateSecret',
  'ssm:PutParameter',
  's3:PutObject',
  'kms:Encrypt',
  'sts:AssumeRole',
];

const CASES: [string, string[]][] = [
  ['A12_c7n-placebo_test-delete-definition_2.json', []],
  ['A11_c7n-placebo_dev-redash-server_75.json', []],
  ['A18_core-saida-middleware_task-definition_prod.json', []],
  ['A19_kanban-go_task-definition.json', []],
  ['A20_where-is-the-power_task-definition.json', []],
  ['A21_moikai_aws-task-definition.json', []],
  ['A26_amesaBE_payment-service-task.json', ['--region', 'eu-north-1']],
  ['A27_the-floor2_task-definition.json', []],
  ['A29_girok-server_task-definition-prod.json', []],
  // A04 names its role's account as the placeholder XXXXXXXXXXXX, which --account no longer overwrites (issue 13): its
  // template plan is judged with the pipeline's substitution in corpus-plans.test.ts. A07 keeps a cross-account pull here.
  ['A07_firelens-examples_appmesh-colorteller.json', []],
];

describe('the synthesized policy, evaluated', () => {
  it.each(CASES)('%s: allows every requirement, denies every neighbour', async (file, args) => {
    const out = await plan(...args, corpusPath('task-definitions', file));
    const policies: NamedPolicy[] = parsePolicyFile(JSON.stringify(out.policy), `plan of ${file}`);
    const decide = (action: string, resource: string) => evaluate(policies, { action, resource }).decision;
    const services = new Set<string>();
    expect(out.requirements.length).toBeGreaterThan(0);

    for (const r of out.requirements) {
      services.add(r.action.split(':')[0]!);
      for (const resource of concrete(r.resource)) expect(decide(r.action, resource), `${r.action} on ${resource}`).toBe('allowed');
      for (const other of neighbours(r.resource)) {
        // A neighbour is denied unless it is itself needed (two repositories or groups sharing a prefix).
        if (out.requirements.some((q) => q.action === r.action && concrete(q.resource).includes(other))) continue;
        expect(decide(r.action, other), `${r.action} on neighbour ${other}`).toBe('implicit-deny');
      }
      if (r.resource !== '*') {
        for (const write of WRITES[r.action.split(':')[0]!] ?? []) {
          for (const resource of concrete(r.resource)) expect(decide(write, resource), `${write} on ${resource}`).toBe('implicit-deny');
        }
      }
    }
    expect(services.has('ecr') && services.has('logs')).toBe(true);
    for (const action of ANYWHERE) expect(decide(action, '*'), `${action} on *`).toBe('implicit-deny');
  });
});
