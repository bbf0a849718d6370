// What the application layer needs from the world. The AWS adapters implement these; tests may pass fakes.
import type { Finding, IndexEntry, Lookup, LookupResult, RoleGrant, TaskDefinition } from '../engine/types.js';

export type { IndexEntry };

export interface TaskDefinitionReader {
  describe(id: string): Promise<TaskDefinition | undefined>;
  inUseTaskDefinitionArns(): Promise<Set<string>>;
  listAllRevisions(opts: { status: 'ACTIVE' | 'INACTIVE' }): AsyncIterable<string>;
}

export interface GrantReader {
  readGrant(roleNameOrArn: string): Promise<RoleGrant | undefined>;
  rolesUsingPolicy(policyArn: string): Promise<string[]>;
}

export interface RoleIndexPort {
  putTaskDefinition(entry: IndexEntry): Promise<unknown>;
  roleOfTaskDefinition(taskDefinitionArn: string): Promise<string | undefined>;
  entriesForRole(roleArn: string): Promise<IndexEntry[]>;
  allRoles(): Promise<string[]>;
}

export interface FindingsPort {
  putCurrent(
    roleArn: string,
    findings: Finding[],
    meta: { at: string; intentHash: string; stateHash: string },
  ): Promise<{ changed: boolean; pendingNotice?: boolean }>;
  /** Optional: stores that the set was announced, so a failed publish is retried by the next delivery. */
  markNotified?(roleArn: string, findings: Finding[]): Promise<void>;
}

export interface NotifierPort {
  publishFindings(roleArn: string, findings: Finding[]): Promise<void>;
}

export interface RemediationQueuePort {
  enqueue(roleArn: string, reason: string): Promise<void>;
}

export type KmsResolver = (lookups: Lookup[]) => Promise<LookupResult[]>;
