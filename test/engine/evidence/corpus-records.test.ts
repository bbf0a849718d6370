// Every corpus CloudTrail file through the parser and both classifiers; expectations come from reading the records.
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../lib/errors.js';
import {
  denialFromCloudTrail,
  isIgnored,
  parseCloudTrailFile,
  useFromCloudTrail,
  usesFromCloudTrail,
} from '../../../lib/engine/evidence/index.js';
import { listCorpus, readCorpusText } from '../../support/corpus.js';
import { identity } from './fixtures.js';

const load = (file: string): Record<string, unknown>[] =>
  parseCloudTrailFile(readCorpusText('events', file), file) as Record<string, unknown>[];

describe('corpus events', () => {
  it('parses every CloudTrail file and rejects the two placebo API responses', () => {
    const counts: Record<string, number> = {};
    const rejected: string[] = [];
    for (const file of listCorpus('events')) {
      try {
        counts[file.slice(0, 4)] = load(file).length;
      } catch (e) {
        expect(e).toBeInstanceOf(InputError);
        rejected.push(file.slice(0, 4));
      }
    }
    expect(rejected).toEqual(['EA08', 'EA09']);
    expect(counts).toEqual({ EA01: 2, EA02: 3, EA03: 10, EA04: 21, EA05: 3, EA06: 1, EA07: 1, EA10: 1 });
  });

  it('says why a placebo response is not a CloudTrail record, naming file and path', () => {
    for (const file of [
      'EA08_c7n-placebo_ecs-RegisterTaskDefinition-response.json',
      'EA09_c7n-placebo_ecs-DeregisterTaskDefinition-response.json',
    ]) {
      let err: unknown;
      try {
        load(file);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InputError);
      const ie = err as InputError;
      expect(ie.source).toBe(file);
      expect(ie.jsonPath).toBe('$');
      expect(ie.message).toMatch(/recorded API response.*not a CloudTrail record/);
    }
  });

  it('EA02: the LeaveOrganization AccessDenied is a denial attributed by its sessionIssuer', () => {
    const records = load('EA02_stratus_organizations-leave.json');
    const results = records.map((r) => denialFromCloudTrail(r));
    const denials = results.filter((r) => !isIgnored(r));
    expect(denials).toEqual([
      {
        roleArn: 'arn:aws:iam::307578594326:role/stratus-red-team-leave-org-role',
        action: 'organizations:LeaveOrganization',
        resource: '*',
        kind: 'no-identity-policy',
        errorCode: 'AccessDenied',
        errorMessage:
          'User: arn:aws:sts::307578594326:assumed-role/stratus-red-team-leave-org-role/aws-go-sdk-1722587398902687000 is not authorized to perform: organizations:LeaveOrganization on resource: * because no identity-based policy allows the organizations:LeaveOrganization action',
        at: '2024-08-02T08:30:00Z',
        eventId: '16903cbd-fdff-4818-82f2-d66ad09aaf57',
        region: 'euiso-south-3r',
        source: 'cloudtrail',
      },
    ]);
    // The two AssumeRole calls by the IAM user succeeded.
    expect(results.filter(isIgnored).map((r) => r.ignored)).toEqual(['successful call (no errorCode)', 'successful call (no errorCode)']);
    // Asked for other roles only, the denial is left out.
    const other = denialFromCloudTrail(records[1], { roles: new Set(['arn:aws:iam::307578594326:role/other']) });
    expect(isIgnored(other) && other.ignored).toMatch(/not one of the roles/);
    // A failed call is never a use.
    expect(isIgnored(useFromCloudTrail(records[1]))).toBe(true);
  });

  it('EA03/EA10 GetParameters and EA04/EA07 GetSecretValue are successful calls: never denials', () => {
    for (const file of [
      'EA03_stratus_ssm-retrieve-securestring-parameters.json',
      'EA04_stratus_secretsmanager-retrieve-secrets.json',
      'EA07_elastic_test-get-secret-value-json.log',
      'EA10_elastic_test-get-parameters-json.log',
    ]) {
      for (const r of load(file)) {
        const d = denialFromCloudTrail(r);
        expect(isIgnored(d) && d.ignored).toBe('successful call (no errorCode)');
        // Made by IAM users, not by a role: no use can be attributed to an execution role either.
        const u = useFromCloudTrail(r);
        expect(isIgnored(u) && u.ignored).toBe('identity type IAMUser is not an assumed role');
      }
    }
  });

  it('the same successful reads, made by an assumed role, are uses with their resources', () => {
    // The elastic files use the 9-digit placeholder account "000000000": a role ARN built on it is not a
    // valid role ARN (accounts have 12 digits) and is refused, so the swapped-in identity uses a valid one.
    const placeholderRole = 'arn:aws:iam::000000000:role/exec';
    const asPlaceholder = (r: Record<string, unknown>): Record<string, unknown> => ({ ...r, userIdentity: identity(placeholderRole) });
    const refused = useFromCloudTrail(asPlaceholder(load('EA07_elastic_test-get-secret-value-json.log')[0]!));
    expect(isIgnored(refused) && refused.ignored).toMatch(/is not a role ARN/);
    const validRole = 'arn:aws:iam::111122223333:role/exec';
    const session = 'arn:aws:sts::111122223333:assumed-role/exec/a20b735e9bbc41598825b6f0269f6fef';
    // Only the identity swapped: the record still says it was received by another account, so it is evidence of nothing.
    const foreign = useFromCloudTrail({
      ...load('EA07_elastic_test-get-secret-value-json.log')[0]!,
      userIdentity: identity(validRole, session),
    });
    expect(isIgnored(foreign) && foreign.ignored).toBe(`recipientAccountId 000000000 is not the account of role ${validRole}`);
    const asValid = (r: Record<string, unknown>): Record<string, unknown> => ({
      ...r,
      userIdentity: identity(validRole, session),
      recipientAccountId: '111122223333',
    });

    expect(useFromCloudTrail(asValid(load('EA07_elastic_test-get-secret-value-json.log')[0]!))).toEqual({
      roleArn: validRole,
      action: 'secretsmanager:GetSecretValue',
      resource: 'arn:aws:secretsmanager:us-east-1:000000000:secret:MyTestSecret-nxYStj',
      at: '2024-10-11T08:55:23Z',
      source: 'cloudtrail',
    });
    expect(useFromCloudTrail(asValid(load('EA10_elastic_test-get-parameters-json.log')[0]!))).toEqual({
      roleArn: validRole,
      action: 'ssm:GetParameters',
      resource: 'arn:aws:ssm:us-east-1:000000000:parameter/inspector-aws/service/inspector-linux-application-paths',
      at: '2024-10-15T08:55:36Z',
      source: 'cloudtrail',
    });
    // EA03's third record asks for ten parameters: one use each, from resources[].
    const uses = usesFromCloudTrail(asValid(load('EA03_stratus_ssm-retrieve-securestring-parameters.json')[2]!));
    expect(isIgnored(uses)).toBe(false);
    const list = uses as { resource?: string }[];
    expect(list).toHaveLength(10);
    expect(list[0]!.resource).toBe('arn:aws:ssm:cn-west-3r:933175858973:parameter/credentials/stratus-red-team/credentials-1');
    expect(list[9]!.resource).toBe('arn:aws:ssm:cn-west-3r:933175858973:parameter/credentials/stratus-red-team/credentials-6');
  });

  it('EA01/EA05/EA06 IAM calls by IAM users are ignored for denials and uses', () => {
    for (const file of [
      'EA01_stratus_iam-create-backdoor-role.json',
      'EA05_stratus_iam-create-admin-user.json',
      'EA06_elastic_test-attach-role-policy-json.log',
    ]) {
      for (const r of load(file)) {
        expect(isIgnored(denialFromCloudTrail(r))).toBe(true);
        const u = useFromCloudTrail(r);
        expect(isIgnored(u) && u.ignored).toBe('identity type IAMUser is not an assumed role');
      }
    }
  });
});
