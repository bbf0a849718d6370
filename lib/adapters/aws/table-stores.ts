// Every store Leash keeps in its one DynamoDB table, built together: what the composition roots wire.
import { DynamoRoleRecords } from './role-records.js';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { BudgetSettings } from '../../engine/plan/change-budget.js';
import { DynamoAuditLog } from './audit-log.js';
import { DynamoChangeBudget } from './change-budget-store.js';
import { DynamoEvidenceStore } from './evidence-store.js';
import { DynamoFindingsStore } from './findings-store.js';
import { DynamoCursors, DynamoRoleIndex } from './role-index.js';
import { DynamoPlans } from './plan-store.js';
import { DynamoRoleLocks } from './role-locks.js';
import { DynamoChangeIntents, DynamoSnapshots, DynamoWatches } from './state-store.js';
import { DynamoSweepStore } from './sweep-store.js';

/** The pipeline's stores; `sweepScope` keeps each account's sweep apart. */
export function pipelineStores(ddb: DynamoDBDocumentClient, table: string, opts: { evidenceTtlDays: number; sweepScope: string }) {
  return {
    index: new DynamoRoleIndex(ddb, table),
    findings: new DynamoFindingsStore(ddb, table),
    records: new DynamoRoleRecords(ddb, table),
    evidence: new DynamoEvidenceStore(ddb, table, opts.evidenceTtlDays),
    watches: new DynamoWatches(ddb, table),
    sweep: new DynamoSweepStore(ddb, table, opts.sweepScope),
    cursors: new DynamoCursors(ddb, table),
  };
}

/** The stores of the functions that act: stored states, change intents, role leases, plans, the audit log and the
 *  change budget. Snapshots, plan contents and the audit trail go to the append-only `records` table. */
export function actingStores(ddb: DynamoDBDocumentClient, table: string, budget: BudgetSettings, records = table) {
  return {
    budget: new DynamoChangeBudget(ddb, table, budget),
    snapshots: new DynamoSnapshots(ddb, records),
    intents: new DynamoChangeIntents(ddb, table),
    locks: new DynamoRoleLocks(ddb, table),
    plans: new DynamoPlans(ddb, table, records),
    audit: new DynamoAuditLog(ddb, records),
  };
}
