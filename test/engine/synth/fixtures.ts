// Requirement builders for synthesis and diff tests, written from spec §2.3 (actions and ARN shapes).
import type { Requirement } from '../../../lib/engine/types.js';

export const ACCT = '123456789012';
export const REGION = 'us-east-1';
const why = (field: string) => [{ taskDefinition: 'web:7', container: 'web', field }];

export const ECR_PULL = ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'];

export const repoArn = (name: string) => `arn:aws:ecr:${REGION}:${ACCT}:repository/${name}`;
export const groupArn = (name: string) => `arn:aws:logs:${REGION}:${ACCT}:log-group:${name}`;
export const secretArn = (nameAndSuffix: string) => `arn:aws:secretsmanager:${REGION}:${ACCT}:secret:${nameAndSuffix}`;
export const paramArn = (name: string) => `arn:aws:ssm:${REGION}:${ACCT}:parameter/${name.replace(/^\//, '')}`;

/** Rows 1/1b: token on `*`, three pull actions on the repository. */
export function ecrImage(repo: string): Requirement[] {
  const reasons = why('containerDefinitions[0].image');
  return [
    { action: 'ecr:GetAuthorizationToken', resource: '*', reasons },
    ...ECR_PULL.map((action) => ({ action, resource: repoArn(repo), reasons })),
  ];
}

/** Rows 7/7b: stream actions on `log-group:G:*`; with create-group also CreateLogGroup on both forms. */
export function awslogs(group: string, createGroup = false): Requirement[] {
  const reasons = why('containerDefinitions[0].logConfiguration');
  const out: Requirement[] = ['logs:CreateLogStream', 'logs:PutLogEvents'].map((action) => ({
    action,
    resource: `${groupArn(group)}:*`,
    reasons,
  }));
  if (createGroup) {
    out.push({ action: 'logs:CreateLogGroup', resource: `${groupArn(group)}:*`, reasons });
    out.push({ action: 'logs:CreateLogGroup', resource: groupArn(group), reasons });
  }
  return out;
}

/** Row 9: `-??????` for any secret named without its suffix. */
export function secret(name: string): Requirement[] {
  return [
    {
      action: 'secretsmanager:GetSecretValue',
      resource: secretArn(`${name}-??????`),
      reasons: why('containerDefinitions[0].secrets[0].valueFrom'),
    },
  ];
}

export function parameter(name: string): Requirement[] {
  return [{ action: 'ssm:GetParameters', resource: paramArn(name), reasons: why('containerDefinitions[0].secrets[1].valueFrom') }];
}

export function envFile(bucket: string, key: string): Requirement[] {
  const reasons = why('containerDefinitions[0].environmentFiles[0].value');
  return [
    { action: 's3:GetObject', resource: `arn:aws:s3:::${bucket}/${key}`, reasons },
    { action: 's3:GetBucketLocation', resource: `arn:aws:s3:::${bucket}`, reasons },
  ];
}

export function kmsKey(id: string): Requirement[] {
  return [
    {
      action: 'kms:Decrypt',
      resource: `arn:aws:kms:${REGION}:${ACCT}:key/${id}`,
      reasons: why('containerDefinitions[0].secrets[0].valueFrom'),
    },
  ];
}

/** A deterministic shuffle (mulberry32), so a failing order can be reproduced. */
export function shuffled<T>(items: T[], seed: number): T[] {
  let s = seed >>> 0;
  const rnd = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
