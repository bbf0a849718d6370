// The one DynamoDB table Leash keeps (role index, findings, cursors). Tests, the local demo and infra all build it
// from tableDefinition(), so the shape cannot drift.
import type { CreateTableCommandInput, UpdateTimeToLiveCommandInput } from '@aws-sdk/client-dynamodb';

export const TTL_ATTRIBUTE = 'expiresAt';
export const GSI1 = 'gsi1';

export function tableDefinition(name: string): CreateTableCommandInput {
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
      { AttributeName: 'gsi1pk', AttributeType: 'S' },
      { AttributeName: 'gsi1sk', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: GSI1,
        KeySchema: [
          { AttributeName: 'gsi1pk', KeyType: 'HASH' },
          { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
        ],
        // Readers of gsi1 need only the keys (e.g. which roles have entries); ALL would copy large bodies.
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
    ],
  };
}

/** TTL is not part of CreateTable; it is enabled with a separate call (or `TimeToLiveSpecification` in CFN). */
export function ttlSpecification(name: string): UpdateTimeToLiveCommandInput {
  return { TableName: name, TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true } };
}

// Key shapes, in one place so stores cannot collide.
export const keys = {
  role: (roleArn: string) => `ROLE#${roleArn}`,
  taskDefinition: (tdArn: string) => `TD#${tdArn}`,
  /** Revisions that name a role as their task role: by account and role name folded to lower case (IAM role names
   *  are unique per account regardless of case and path, and task definitions may name the role either way). */
  taskRole: (account: string, roleName: string) => `TASKROLE#${account}#${roleName.toLowerCase()}`,
  /** In the partition of the role a revision names as its task role (`ROLE#<taskRoleArn as written>`). */
  taskRoleUse: (tdArn: string) => `TASKUSE#${tdArn}`,
  meta: 'META',
  cursor: (name: string) => `CURSOR#${name}`,
  findingsCurrent: 'FINDINGS#CURRENT',
  findingsHistory: (at: string, hash: string) => `FINDINGS#${at}#${hash}`,
  /** gsi1 partition listing every (role, task definition) pair. */
  roleTaskDefinitions: 'ROLE-TD',
} as const;
