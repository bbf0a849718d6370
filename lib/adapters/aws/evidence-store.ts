// Denials and uses per role, kept with a TTL; untrusted evidence (free text naming another principal) per account. Denials are stored one per CloudTrail event (re-delivery writes the
// same item); uses keep only the latest time per (action, resource), which is all the findings need.
import { PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EvidenceStore, RoleEvidence } from '../../app/ports.js';
import { accountOf } from '../../engine/arn.js';
import type { Denial, UntrustedEvidence, Use } from '../../engine/evidence/types.js';
import { hashCanonical } from '../../engine/plan/canonical.js';
import { canonicalInstant, expiresAfter } from './item-codec.js';
import { call, errorName } from './sdk-call.js';
import { keys } from './table-schema.js';
import { queryItems } from './query-items.js';

const id = (v: unknown) => hashCanonical(v).slice(0, 16);

export class DynamoEvidenceStore implements EvidenceStore {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly ttlDays: number,
  ) {}

  async putDenial(denial: Denial): Promise<void> {
    const at = canonicalInstant(denial.at, 'denial.at');
    const key = denial.eventId ?? id([denial.action, denial.resource, denial.taskArn, at]);
    await call('dynamodb', 'PutItem', () =>
      this.ddb.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: keys.role(denial.roleArn), sk: `DENIAL#${at}#${key}`, at, denial, expiresAt: expiresAfter(at, this.ttlDays) },
        }),
      ),
    );
  }

  async putUse(use: Use): Promise<void> {
    const at = canonicalInstant(use.at, 'use.at');
    try {
      await this.ddb.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: keys.role(use.roleArn), sk: `USE#${use.action}#${use.resource ?? '*'}` },
          UpdateExpression: 'SET #at = :at, #use = :use, expiresAt = :exp',
          // Keep the newest use: an older record arriving late must not move the date back.
          ConditionExpression: 'attribute_not_exists(#at) OR #at < :at',
          ExpressionAttributeNames: { '#at': 'at', '#use': 'use' },
          ExpressionAttributeValues: { ':at': at, ':use': use, ':exp': expiresAfter(at, this.ttlDays) },
        }),
      );
    } catch (err) {
      if (errorName(err) === 'ConditionalCheckFailedException') return;
      await call('dynamodb', 'UpdateItem', () => Promise.reject(err));
    }
  }

  async forRole(roleArn: string, sinceIso: string): Promise<RoleEvidence> {
    const items = await this.query(roleArn, 'DENIAL#');
    const uses = await this.query(roleArn, 'USE#');
    const coverage = await this.coverage(accountOf(roleArn));
    return {
      denials: items.filter((i) => String(i.at) >= sinceIso).map((i) => i.denial as Denial),
      uses: uses.filter((i) => String(i.at) >= sinceIso).map((i) => i.use as Use),
      ...(coverage ? { cloudTrail: coverage } : {}),
    };
  }

  /** Kept under the event's account, never under a role: nothing about it is believed. Re-delivery writes the same item. */
  async putUntrusted(evidence: UntrustedEvidence): Promise<void> {
    const at = canonicalInstant(evidence.at, 'untrusted.at');
    const key = id([evidence.taskArn, evidence.taskDefinitionArn, evidence.text, at]);
    await call('dynamodb', 'PutItem', () =>
      this.ddb.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            pk: `EVIDENCE#${evidence.account}`,
            sk: `UNTRUSTED#${at}#${key}`,
            at,
            untrusted: evidence,
            expiresAt: expiresAfter(at, this.ttlDays),
          },
        }),
      ),
    );
  }

  async untrusted(account: string, sinceIso: string): Promise<UntrustedEvidence[]> {
    const items = await this.queryKey(`EVIDENCE#${account}`, 'UNTRUSTED#');
    return items.filter((i) => String(i.at) >= sinceIso).map((i) => i.untrusted as UntrustedEvidence);
  }

  /** Records that a CloudTrail backfill of `account` completed over [since, until]: absence of use then means something. */
  async putCoverage(account: string, since: string, until: string): Promise<void> {
    await call('dynamodb', 'PutItem', () =>
      this.ddb.send(new PutCommand({ TableName: this.table, Item: { pk: `EVIDENCE#${account}`, sk: 'COVERAGE', since, until } })),
    );
  }

  /** The last completed backfill window (the window the absence of use was checked over). */
  async coverage(account: string): Promise<{ since: string; until: string } | undefined> {
    const item = (await this.queryKey(`EVIDENCE#${account}`, 'COVERAGE'))[0];
    return typeof item?.since === 'string' && typeof item.until === 'string' ? { since: item.since, until: item.until } : undefined;
  }

  private query(roleArn: string, prefix: string): Promise<Record<string, unknown>[]> {
    return this.queryKey(keys.role(roleArn), prefix);
  }

  private queryKey(pk: string, prefix: string): Promise<Record<string, unknown>[]> {
    return queryItems(this.ddb, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': pk, ':p': prefix },
    });
  }
}
