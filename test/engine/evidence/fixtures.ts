// Real-shaped CloudTrail records for an ECS execution role, built field by field like the Stratus/flaws2
// records (AssumedRole identity, sessionIssuer of type Role, task ID as the session name).
export const ACCOUNT = '111122223333';
export const TASK_ID = 'a20b735e9bbc41598825b6f0269f6fef';
export const ROLE_NAME = 'app-exec';
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/service-role/${ROLE_NAME}`;
export const SESSION_ARN = `arn:aws:sts::${ACCOUNT}:assumed-role/${ROLE_NAME}/${TASK_ID}`;

export function identity(roleArn = ROLE_ARN, sessionArn = SESSION_ARN): Record<string, unknown> {
  const roleName = roleArn.split('/').at(-1);
  return {
    type: 'AssumedRole',
    principalId: `AROARZ5BM7HX7EXAMPLE:${TASK_ID}`,
    arn: sessionArn,
    accountId: ACCOUNT,
    accessKeyId: 'ASIARZ5BM7HXEXAMPLE1',
    sessionContext: {
      sessionIssuer: { type: 'Role', principalId: 'AROARZ5BM7HX7EXAMPLE', arn: roleArn, accountId: ACCOUNT, userName: roleName },
      attributes: { creationDate: '2025-03-04T10:14:58Z', mfaAuthenticated: 'false' },
    },
  };
}

export function record(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventVersion: '1.09',
    userIdentity: identity(),
    eventTime: '2025-03-04T10:15:00Z',
    eventSource: 'secretsmanager.amazonaws.com',
    eventName: 'GetSecretValue',
    awsRegion: 'eu-west-1',
    sourceIPAddress: '10.0.12.34',
    userAgent: 'aws-sdk-go/1.55.5 (go1.22.7; linux; amd64)',
    requestParameters: { secretId: `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:prod/db-AbC123` },
    responseElements: null,
    requestID: '6f0c6c3e-9b1a-4a59-9d0e-1b7a3f3b2c11',
    eventID: 'e1b0a7c2-2f45-4b3a-8a3e-5b7b6b1f0d01',
    readOnly: true,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
    ...over,
  };
}

export function denied(message: string | undefined, over: Record<string, unknown> = {}): Record<string, unknown> {
  return record({ errorCode: 'AccessDenied', ...(message === undefined ? {} : { errorMessage: message }), ...over });
}
