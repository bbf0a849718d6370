// Which clients act where. Leash's own state (table, topic, queues) always lives in the home account; reads go to the
// account the event came from: the home account itself, or an organization member through the read role
// infra/org-member-stackset.yml creates there; IAM writes in a member go through its separate write role, which only
// the remediation function is configured to assume.
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { makeClients, type AwsClients, type AwsConfig } from './clients.js';
import { memberConfig, memberRoleArn } from './member-account.js';
import { call } from './sdk-call.js';

export interface AccountSettings {
  homeAccount?: string;
  member?: { roleName: string; externalId: string; accounts?: string[]; writeRoleName?: string };
}

export interface AccountClients {
  /** Leash's own account: DynamoDB, SNS, SQS, Secrets Manager, STS. */
  home: AwsClients;
  /** The watched account: ECS, IAM, KMS, SSM, Secrets Manager (the task definitions' secrets). */
  world: AwsClients;
  worldConfig: AwsConfig;
  /** The account id these clients act in, or 'home' (evidence coverage and the backfill cursor are kept under it). */
  accountId: string;
  /** The sweep's scope: 'home', or the member account. */
  sweepScope: string;
  /** Roles whose changes are Leash's own in this account (the member roles Leash reads and writes through). */
  ownRoles: string[];
  /** Clients that may write IAM in this account (home's own, or the member's write role); absent when none is configured. */
  writer?: AwsClients;
  /** Why IAM may not be written here, when `writer` is absent. */
  writeRefusal?: string;
}

export function accountClients(settings: AccountSettings, aws: AwsConfig, account?: string): AccountClients {
  const home = makeClients(aws);
  const member = settings.member;
  const foreign = account !== undefined && member !== undefined && settings.homeAccount !== undefined && account !== settings.homeAccount;
  if (!foreign) {
    return {
      home,
      world: home,
      worldConfig: aws,
      accountId: account ?? settings.homeAccount ?? 'home',
      sweepScope: 'home',
      ownRoles: [],
      writer: home,
    };
  }
  const worldConfig = memberConfig(home, aws, account, member.roleName, member.externalId);
  const write = member.writeRoleName;
  return {
    home,
    world: makeClients(worldConfig),
    worldConfig,
    accountId: account,
    sweepScope: account,
    ownRoles: [member.roleName, ...(write ? [write] : [])].map((name) => memberRoleArn(aws.region, account, name)),
    ...(write
      ? { writer: makeClients(memberConfig(home, aws, account, write, member.externalId)) }
      : {
          writeRefusal:
            `no write role is configured for member account ${account} (LEASH_MEMBER_WRITE_ROLE_NAME, set only on the remediation ` +
            'function when the member stack allows automatic remediation): Leash reads there but changes nothing',
        }),
  };
}

/**
 * The accounts Leash serves: its home account (configured, else the caller's own, asked of STS once) and the
 * organization's member accounts. Evidence from any other account is ignored.
 */
export function servedAccounts(settings: AccountSettings, home: AwsClients): () => Promise<ReadonlySet<string>> {
  let served: Promise<ReadonlySet<string>> | undefined;
  const resolve = async (): Promise<ReadonlySet<string>> => {
    const own =
      settings.homeAccount ?? (await call('sts', 'GetCallerIdentity', () => home.sts.send(new GetCallerIdentityCommand({})))).Account;
    return new Set([...(own ? [own] : []), ...(settings.member?.accounts ?? [])]);
  };
  return () => (served ??= resolve().catch((err: unknown) => ((served = undefined), Promise.reject(err))));
}
