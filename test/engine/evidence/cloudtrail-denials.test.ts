// Denial variants written from the IAM message formats (spec §4) and records that must be ignored.
import { describe, expect, it } from 'vitest';
import { denialFromCloudTrail, isIgnored, useFromCloudTrail, type Denial } from '../../../lib/engine/evidence/index.js';
import { ACCOUNT, ROLE_ARN, SESSION_ARN, TASK_ID, denied, identity, record } from './fixtures.js';

const SECRET = `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:prod/db-AbC123`;
const user = `User: ${SESSION_ARN} is not authorized to perform:`;

function denial(r: unknown): Denial {
  const d = denialFromCloudTrail(r);
  if (isIgnored(d)) throw new Error(`unexpectedly ignored: ${d.ignored}`);
  return d;
}

describe('denialFromCloudTrail: message forms', () => {
  it.each([
    ['because no identity-based policy allows', 'no-identity-policy'],
    ['with an explicit deny in an identity-based policy', 'explicit-deny-identity'],
    ['with an explicit deny in a service control policy', 'scp'],
    ['because no permissions boundary allows the secretsmanager:GetSecretValue action', 'permissions-boundary'],
    ['with an explicit deny in a permissions boundary', 'permissions-boundary'],
    ['because no session policy allows the secretsmanager:GetSecretValue action', 'session-policy'],
    ['because no resource-based policy allows the secretsmanager:GetSecretValue action', 'resource-policy'],
    ['with an explicit deny in a resource-based policy', 'resource-policy'],
    ['with an explicit deny in a VPC endpoint policy', 'vpc-endpoint'],
  ] as const)('"%s" → %s', (clause, kind) => {
    const d = denial(
      denied(`${user} secretsmanager:GetSecretValue on resource: ${SECRET} ${clause}`, { errorCode: 'AccessDeniedException' }),
    );
    expect(d).toMatchObject({
      roleArn: ROLE_ARN,
      action: 'secretsmanager:GetSecretValue',
      resource: SECRET,
      kind,
      errorCode: 'AccessDeniedException',
      at: '2025-03-04T10:15:00Z',
      region: 'eu-west-1',
      eventId: 'e1b0a7c2-2f45-4b3a-8a3e-5b7b6b1f0d01',
      source: 'cloudtrail',
    });
    expect(d.truncated).toBeUndefined();
  });

  it('a KMS key-policy denial ("no resource-based policy allows … kms:Decrypt") is kms-key-policy', () => {
    const key = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    const d = denial(
      denied(`${user} kms:Decrypt on resource: ${key} because no resource-based policy allows the kms:Decrypt action`, {
        eventSource: 'kms.amazonaws.com',
        eventName: 'Decrypt',
        errorCode: 'AccessDeniedException',
        requestParameters: { encryptionAlgorithm: 'SYMMETRIC_DEFAULT', encryptionContext: { SecretARN: SECRET } },
      }),
    );
    expect(d).toMatchObject({ action: 'kms:Decrypt', resource: key, kind: 'kms-key-policy' });
    // An identity-policy KMS denial stays an identity-policy denial.
    const id = denial(
      denied(`${user} kms:Decrypt on resource: ${key} because no identity-based policy allows the kms:Decrypt action`, {
        eventSource: 'kms.amazonaws.com',
        eventName: 'Decrypt',
      }),
    );
    expect(id.kind).toBe('no-identity-policy');
  });

  it('a message without a because clause (older CloudWatch Logs records) keeps action and resource, kind unknown', () => {
    const stream = `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/ecs/app:log-stream:ecs/app/${TASK_ID}`;
    const d = denial(
      denied(`${user} logs:CreateLogStream on resource: ${stream}`, { eventSource: 'logs.amazonaws.com', eventName: 'CreateLogStream' }),
    );
    expect(d).toMatchObject({ action: 'logs:CreateLogStream', resource: stream, kind: 'unknown', errorCode: 'AccessDenied' });
    expect(d.truncated).toBeUndefined();
  });

  it('a message cut at 1 KB inside the because clause keeps the resource and is marked truncated', () => {
    const long = `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/${'service/'.repeat(100)}db_password`;
    const full = `${user} ssm:GetParameters on resource: ${long} because no identity-based policy allows the ssm:GetParameters action`;
    const cut = full.slice(0, full.indexOf('because no') + 20);
    const d = denial(denied(cut, { eventSource: 'ssm.amazonaws.com', eventName: 'GetParameters', requestParameters: { names: ['/x'] } }));
    expect(d).toMatchObject({ action: 'ssm:GetParameters', resource: long, kind: 'unknown', truncated: true });
  });

  it('a message cut inside the resource ARN does not use the cut ARN: it falls back to resources[]', () => {
    const long = `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/${'service/'.repeat(200)}db_password`;
    const full = `${user} ssm:GetParameters on resource: ${long} because no identity-based policy allows the ssm:GetParameters action`;
    const cut = full.slice(0, 1024);
    expect(cut.length).toBe(1024);
    const d = denial(
      denied(cut, {
        eventSource: 'ssm.amazonaws.com',
        eventName: 'GetParameters',
        resources: [{ ARN: long, accountId: ACCOUNT }],
        requestParameters: { names: ['/other'] },
      }),
    );
    expect(d.truncated).toBe(true);
    expect(d.resource).toBe(long);
    expect(d.action).toBe('ssm:GetParameters');
  });

  it('an EC2-style encoded message takes its action from eventSource + eventName', () => {
    const d = denial(
      denied('You are not authorized to perform this operation. Encoded authorization failure message: 4dSa_EXAMPLE-x9fQ', {
        eventSource: 'ec2.amazonaws.com',
        eventName: 'RunInstances',
        errorCode: 'Client.UnauthorizedOperation',
        requestParameters: { instanceType: 't3.micro' },
      }),
    );
    expect(d).toMatchObject({ action: 'ec2:RunInstances', kind: 'unknown', errorCode: 'Client.UnauthorizedOperation' });
    expect(d.resource).toBeUndefined();
  });

  it('without action or resource in the message, both come from the record (secretId name, names[], repository, log group)', () => {
    const region = 'eu-west-1';
    expect(denial(denied('Access Denied', { requestParameters: { secretId: 'prod/db' } }))).toMatchObject({
      action: 'secretsmanager:GetSecretValue',
      resource: `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:prod/db`,
      kind: 'unknown',
    });
    expect(
      denial(
        denied(undefined, {
          eventSource: 'ssm.amazonaws.com',
          eventName: 'GetParameters',
          requestParameters: { names: ['app_db_password'], withDecryption: true },
        }),
      ),
    ).toMatchObject({ action: 'ssm:GetParameters', resource: `arn:aws:ssm:${region}:${ACCOUNT}:parameter/app_db_password` });
    expect(
      denial(
        denied('Access Denied', {
          eventSource: 'ecr.amazonaws.com',
          eventName: 'BatchGetImage',
          requestParameters: { repositoryName: 'team/app', registryId: '999988887777', imageIds: [{ imageTag: 'latest' }] },
        }),
      ),
    ).toMatchObject({ action: 'ecr:BatchGetImage', resource: `arn:aws:ecr:${region}:999988887777:repository/team/app` });
    expect(
      denial(
        denied(undefined, {
          eventSource: 'logs.amazonaws.com',
          eventName: 'CreateLogStream',
          requestParameters: { logGroupName: '/ecs/app', logStreamName: `ecs/app/${TASK_ID}` },
        }),
      ),
    ).toMatchObject({
      action: 'logs:CreateLogStream',
      resource: `arn:aws:logs:${region}:${ACCOUNT}:log-group:/ecs/app:log-stream:ecs/app/${TASK_ID}`,
    });
  });

  it('treats every authorization errorCode spelling as a denial', () => {
    for (const code of [
      'AccessDenied',
      'AccessDeniedException',
      'Client.UnauthorizedOperation',
      'UnauthorizedOperation',
      'UnauthorizedException',
    ]) {
      expect(denial(denied('Access Denied', { errorCode: code })).errorCode).toBe(code);
    }
  });

  it('accepts the EventBridge envelope and reads its detail', () => {
    const d = denial({
      version: '0',
      id: '3e3c1b2a-0b6f-4f0e-9e5b-1d1f8f0b7c11',
      'detail-type': 'AWS API Call via CloudTrail',
      source: 'aws.secretsmanager',
      account: ACCOUNT,
      time: '2025-03-04T10:15:01Z',
      region: 'eu-west-1',
      resources: [],
      detail: denied(
        `${user} secretsmanager:GetSecretValue on resource: ${SECRET} because no identity-based policy allows the secretsmanager:GetSecretValue action`,
      ),
    });
    expect(d.roleArn).toBe(ROLE_ARN);
  });
});

describe('denialFromCloudTrail: attribution and ignored records', () => {
  it('attributes by sessionIssuer.arn, never by the shared task-ID session name', () => {
    const taskRole = `arn:aws:iam::${ACCOUNT}:role/app-task`;
    const sameSession = `arn:aws:sts::${ACCOUNT}:assumed-role/app-task/${TASK_ID}`;
    const a = denial(denied('Access Denied'));
    const b = denial(denied('Access Denied', { userIdentity: identity(taskRole, sameSession) }));
    expect(a.roleArn).toBe(ROLE_ARN); // keeps the role path (service-role/)
    expect(b.roleArn).toBe(taskRole);
  });

  it.each([
    ['a successful call', record(), 'successful call (no errorCode)'],
    [
      'ThrottlingException',
      denied('Rate exceeded', { errorCode: 'ThrottlingException' }),
      'errorCode ThrottlingException is not an authorization failure',
    ],
    [
      'ResourceNotFoundException',
      denied("Secrets Manager can't find the specified secret.", { errorCode: 'ResourceNotFoundException' }),
      'errorCode ResourceNotFoundException is not an authorization failure',
    ],
    [
      'an IAM user',
      denied('Access Denied', { userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/alice`, accountId: ACCOUNT } }),
      'identity type IAMUser is not an assumed role',
    ],
    [
      'an AWS service',
      denied('Access Denied', { userIdentity: { type: 'AWSService', invokedBy: 'ecs-tasks.amazonaws.com' } }),
      'identity type AWSService is not an assumed role',
    ],
    [
      'a federated session (issuer not a Role)',
      denied('Access Denied', {
        userIdentity: { ...identity(), sessionContext: { sessionIssuer: { type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/alice` } } },
      }),
      'session issuer type IAMUser is not Role',
    ],
    ['no userIdentity', denied('Access Denied', { userIdentity: undefined }), 'malformed: no userIdentity object'],
    ['no eventTime', denied('Access Denied', { eventTime: 'yesterday' }), 'malformed: no valid eventTime'],
    ['a numeric errorCode', denied('Access Denied', { errorCode: 403 }), 'malformed: errorCode is not a string'],
    ['a string instead of a record', 'AccessDenied', 'malformed: record is not a JSON object'],
  ])('ignores %s', (_name, input, why) => {
    const d = denialFromCloudTrail(input);
    expect(isIgnored(d) && d.ignored).toBe(why);
  });

  it('ignores roles outside opts.roles and keeps those inside', () => {
    const r = denied('Access Denied');
    expect(isIgnored(denialFromCloudTrail(r, { roles: new Set([`arn:aws:iam::${ACCOUNT}:role/app-exec`]) }))).toBe(true); // path differs
    expect(isIgnored(denialFromCloudTrail(r, { roles: new Set([ROLE_ARN]) }))).toBe(false);
  });
});

describe('useFromCloudTrail', () => {
  it('a successful call by the role is a use; a denial is not', () => {
    expect(useFromCloudTrail(record())).toEqual({
      roleArn: ROLE_ARN,
      action: 'secretsmanager:GetSecretValue',
      resource: SECRET,
      at: '2025-03-04T10:15:00Z',
      source: 'cloudtrail',
    });
    const u = useFromCloudTrail(denied('Access Denied'));
    expect(isIgnored(u) && u.ignored).toBe('failed call (errorCode AccessDenied) is not a use');
  });

  it('GetAuthorizationToken has no resource; the use says so by leaving it out', () => {
    const u = useFromCloudTrail(record({ eventSource: 'ecr.amazonaws.com', eventName: 'GetAuthorizationToken', requestParameters: null }));
    expect(u).toEqual({ roleArn: ROLE_ARN, action: 'ecr:GetAuthorizationToken', at: '2025-03-04T10:15:00Z', source: 'cloudtrail' });
  });
});
