// Organizations: in a member account Leash works through the read-only role infra/org-member-stackset.yml creates
// there (ExternalId required). Credentials are refreshed five minutes before they expire.
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { makeClients, type AwsClients, type AwsConfig, type StaticCredentials } from './clients.js';
import { roleArnIn } from '../../engine/arn.js';
import { AdapterError } from '../../errors.js';
import { call } from './sdk-call.js';

const REFRESH_MS = 5 * 60_000;

export function assumeRoleCredentials(
  sts: STSClient,
  roleArn: string,
  externalId: string,
  sessionName = 'leash',
): () => Promise<StaticCredentials> {
  let current: StaticCredentials | undefined;
  return async () => {
    if (current?.expiration && current.expiration.getTime() - Date.now() > REFRESH_MS) return current;
    const res = await call('sts', 'AssumeRole', () =>
      sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName, ExternalId: externalId, DurationSeconds: 3600 })),
    );
    const c = res.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`AssumeRole ${roleArn} returned no credentials`);
    current = {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      ...(c.Expiration ? { expiration: c.Expiration } : {}),
    };
    return current;
  };
}

/** The AWS configuration that acts in `account` through its member role (home keeps the table, topic, queues). */
export function memberConfig(home: AwsClients, aws: AwsConfig, account: string, roleName: string, externalId: string): AwsConfig {
  return { ...aws, credentials: assumeRoleCredentials(home.sts, memberRoleArn(aws.region, account, roleName), externalId) };
}

/** The member role's ARN in the partition of Leash's Region (every partition, the ISO ones included). */
export function memberRoleArn(region: string, account: string, roleName: string): string {
  const arn = roleArnIn(region, account, roleName);
  if (!arn) throw new AdapterError(`no role ARN for account ${account} in Region ${region}`, 'sts', 'AssumeRole');
  return arn;
}

export function memberClients(home: AwsClients, aws: AwsConfig, account: string, roleName: string, externalId: string): AwsClients {
  return makeClients(memberConfig(home, aws, account, roleName, externalId));
}
