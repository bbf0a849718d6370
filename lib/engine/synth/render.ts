// Statements as IAM JSON: Sid stem and display order come from the statement's content, single values are
// written as strings. The size model (size-model.ts) mirrors this byte for byte.
import type { PolicyDocument, PolicyStatement } from '../types.js';

export interface Draft {
  actions: string[];
  resources: string[];
}

export const AUTH = 'ecr:GetAuthorizationToken';

/** Sid stem and display order from the statement's actions. */
export function family(actions: string[]): [string, number] {
  const services = [...new Set(actions.map((a) => a.slice(0, a.indexOf(':'))))];
  const only = (s: string): boolean => services.length === 1 && services[0] === s;
  if (actions.length === 1 && actions[0] === AUTH) return ['EcrAuth', 0];
  if (only('ecr')) return ['EcrPull', 1];
  if (only('logs')) return ['Logs', 2];
  if (only('ssm')) return ['SsmParameters', 3];
  if (only('secretsmanager')) return ['Secrets', 4];
  if (only('kms')) return [actions.every((a) => a === 'kms:Decrypt') ? 'KmsDecrypt' : 'Kms', 5];
  if (only('s3')) {
    if (actions.every((a) => a === 's3:GetObject')) return ['S3Objects', 6];
    if (actions.every((a) => a === 's3:GetBucketLocation')) return ['S3Buckets', 6];
    return ['S3', 6];
  }
  const pascal = services.map((s) =>
    s.replace(/(^|[^A-Za-z0-9])([a-z])/g, (_m, _d, c: string) => c.toUpperCase()).replace(/[^A-Za-z0-9]/g, ''),
  );
  return [pascal.join('') || 'Other', 7];
}

const one = (v: string[]): string | string[] => (v.length === 1 ? v[0]! : v);

/** Drafts in the order render() writes them. */
function renderOrder<T extends Draft>(list: T[]): T[] {
  const keyed = list.map((d) => ({ d, fam: family(d.actions), key: `${d.actions.join(',')}|${d.resources.join(',')}` }));
  keyed.sort(
    (a, b) =>
      a.fam[1] - b.fam[1] || (a.fam[0] < b.fam[0] ? -1 : a.fam[0] > b.fam[0] ? 1 : 0) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
  return keyed.map((k) => k.d);
}

export function render(list: Draft[], sidPrefix: string): PolicyDocument {
  const ordered = renderOrder(list);
  const totals = new Map<string, number>();
  const stems = ordered.map((d) => family(d.actions)[0]);
  for (const stem of stems) totals.set(stem, (totals.get(stem) ?? 0) + 1);
  const seen = new Map<string, number>();
  const Statement: PolicyStatement[] = ordered.map((d, i) => {
    const stem = stems[i]!;
    const n = (seen.get(stem) ?? 0) + 1;
    seen.set(stem, n);
    const Sid = `${sidPrefix}${stem}${totals.get(stem)! > 1 ? n : ''}`;
    return { Sid, Effect: 'Allow', Action: one(d.actions), Resource: one(d.resources) };
  });
  return { Version: '2012-10-17', Statement };
}
