// Which clients act where. Leash's own state (table, topic, queues) always lives in the home account; reads and IAM
// writes go to the account the event came from: the home account itself, or an organization member through the role
// infra/org-member-stackset.yml creates there.
import { makeClients, type AwsClients, type AwsConfig } from './clients.js';
import { memberConfig, memberRoleArn } from './member-account.js';

export interface AccountSettings {
  homeAccount?: string;
  member?: { roleName: string; externalId: string };
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
  /** Roles whose changes are Leash's own in this account (the member role Leash writes through). */
  ownRoles: string[];
}

export function accountClients(settings: AccountSettings, aws: AwsConfig, account?: string): AccountClients {
  const home = makeClients(aws);
  const member = settings.member;
  const foreign = account !== undefined && member !== undefined && settings.homeAccount !== undefined && account !== settings.homeAccount;
  if (!foreign)
    return { home, world: home, worldConfig: aws, accountId: account ?? settings.homeAccount ?? 'home', sweepScope: 'home', ownRoles: [] };
  const worldConfig = memberConfig(home, aws, account, member.roleName, member.externalId);
  return {
    home,
    world: makeClients(worldConfig),
    worldConfig,
    accountId: account,
    sweepScope: account,
    ownRoles: [memberRoleArn(aws.region, account, member.roleName)],
  };
}
