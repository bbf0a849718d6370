// Issue 11 items 2, 4 and 6 on moto through the real handlers: the approvals function answers before any IAM call
// (it records the decision with a conditional write and queues it), a later click or link POST leaves the recorded
// outcome unchanged, a superseded plan is refused even when the role's policies did not change, and a tampered
// snapshot is refused by the rollback and alarmed.
import { DeregisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { handlerWith, run as handleApprovalRequest } from '../../../functions/approvals.js';
import { keys } from '../../../lib/adapters/aws/table-schema.js';
import { httpEvent } from '../../../lib/dev/demo/slack-click.js';
import { useMoto } from '../../support/moto.js';
import { createWorld, type DemoWorld, LINK_APPROVER, remediationAccount, roleArn } from '../../support/world/index.js';

const moto = useMoto();
let w: DemoWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

const ROLE = 'billing-exec';
const context = { awsRequestId: 'req-1', functionName: 'leash-approvals', getRemainingTimeInMillis: () => 29_000 } as unknown as Context;

/** Records every IAM call the runtime's client makes, in order, into `log`. */
function traceIam(world: DemoWorld, log: string[]): void {
  (world.deps.clients.home.iam.middlewareStack as { add: (mw: unknown, o: object) => void }).add(
    (next: (a: unknown) => Promise<unknown>, ctx: { commandName?: string }) => async (args: unknown) => {
      log.push(`iam:${ctx.commandName}`);
      return next(args);
    },
    { step: 'initialize', name: 'traceIam', override: true },
  );
}

describe('a queued approval', () => {
  it('Slack gets its answer before any IAM call; the remediation function applies; a second click changes nothing', async () => {
    w = await createWorld(moto.config(), remediationAccount());
    const { plan, message } = await w.requestApproval(ROLE);
    const log: string[] = [];
    traceIam(w, log);
    const res = (await handlerWith(() => w!.deps)(w.click(plan), context)) as { statusCode: number; body: string };
    log.push('answered');
    expect(res).toMatchObject({ statusCode: 200, body: 'approved' });
    expect(log).toEqual(['answered']); // not one IAM call, read or write, before the answer
    expect(await w.applyQueued()).toMatchObject([{ outcome: 'applied' }]);
    const writes = log.filter((l) => /Put|Delete|Detach|Attach/.test(l));
    expect(writes.length).toBeGreaterThan(0);
    expect(log.indexOf('answered')).toBeLessThan(log.indexOf(writes[0]!));

    const recorded = await w.deps.plans.status(plan.planHash);
    expect(recorded).toMatchObject({ status: 'applied', by: 'U0APPROVER' });
    const second = await handleApprovalRequest(w.click(plan, { action: 'reject' }), w.deps);
    expect(second.body).toMatch(/^refused: This plan was already decided: applied by U0APPROVER/);
    expect(await w.deps.plans.status(plan.planHash)).toEqual(recorded);
    expect(w.slack.ephemerals).toEqual([expect.objectContaining({ user: 'U0APPROVER', text: expect.stringContaining('already decided') })]);
    expect(JSON.stringify(w.slack.message(message.channel, message.ts)!.blocks)).toContain('*Applied* by <@U0APPROVER>');
    expect(await w.applyQueued()).toEqual([]);
  });

  it('signed link: POST approve answers at once, the apply is queued; a second POST leaves the record unchanged', async () => {
    w = await createWorld(moto.config(), remediationAccount());
    const { plan } = await w.requestApproval(ROLE);
    const token = await w.linkToken(plan, LINK_APPROVER);
    const post = () =>
      handleApprovalRequest(
        httpEvent('POST', `/approve/${token}`, new URLSearchParams({ token, decision: 'approve' }).toString()),
        w!.deps,
      );
    const before = await w.stateHash(ROLE);
    const first = await post();
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('Approved');
    expect(await w.stateHash(ROLE)).toBe(before);
    expect(await w.applyQueued()).toMatchObject([{ outcome: 'applied' }]);
    const recorded = await w.deps.plans.status(plan.planHash);
    expect(recorded).toMatchObject({ status: 'applied', by: LINK_APPROVER, via: 'link' });
    const again = await post();
    expect(again.statusCode).toBe(409);
    expect(await w.deps.plans.status(plan.planHash)).toEqual(recorded);
    expect(await w.applyQueued()).toEqual([]);
  });

  it('refuses a superseded plan at apply even though the role did not change (the revision that asked for the secret is gone)', async () => {
    w = await createWorld(moto.config(), remediationAccount());
    const { plan } = await w.requestApproval(ROLE);
    const before = await w.stateHash(ROLE);
    await w.clients.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'billing:1' }));
    await w.reindex();
    expect(await w.stateHash(ROLE)).toBe(before);
    expect((await handleApprovalRequest(w.click(plan), w.deps)).body).toBe('approved');
    const [out] = await w.applyQueued();
    expect(out).toMatchObject({ outcome: 'refused', why: expect.stringContaining('superseded') });
    expect(await w.stateHash(ROLE)).toBe(before);
    expect((await w.deps.plans.status(plan.planHash))?.status).toBe('refused');
  });

  it('refuses a newer plan’s predecessor at the click: only the role’s current plan can be approved', async () => {
    w = await createWorld(moto.config(), remediationAccount());
    const { plan } = await w.requestApproval(ROLE);
    await w.clients.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'billing:1' }));
    await w.reindex();
    const next = await w.remediate(ROLE); // the new plan is proposed
    expect(next.outcome).toBe('approval-requested');
    const res = await handleApprovalRequest(w.click(plan), w.deps);
    expect(res.body).toMatch(/^refused: A newer plan exists/);
    expect((await w.deps.plans.status(plan.planHash))?.status).toBe('pending');
  });

  it('a snapshot edited in the table is refused by the rollback, never written, and audited as an alarm', async () => {
    w = await createWorld(moto.config(), remediationAccount());
    const { plan } = await w.requestApproval(ROLE);
    await handleApprovalRequest(w.click(plan), w.deps);
    await w.applyQueued();
    const applied = await w.stateHash(ROLE);
    const table = w.config.recordsTable ?? w.config.table;
    const items = await w.deps.clients.home.ddb.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :p AND begins_with(sk, :s)',
        ExpressionAttributeValues: { ':p': keys.role(roleArn(ROLE)), ':s': 'STATE#' },
      }),
    );
    const item = items.Items![0]!;
    const state = JSON.parse(String(item.state));
    state.inline = [{ name: 'pwned', document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }];
    await w.deps.clients.home.ddb.send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: item.pk, sk: item.sk },
        UpdateExpression: 'SET #s = :s',
        ExpressionAttributeNames: { '#s': 'state' },
        ExpressionAttributeValues: { ':s': JSON.stringify(state) },
      }),
    );
    await expect(w.deps.applier.rollback(roleArn(ROLE), { actor: 'ops', reason: 'test', now: w.clock.now() })).rejects.toMatchObject({
      rule: 'snapshot-integrity',
    });
    expect(await w.stateHash(ROLE)).toBe(applied);
    expect(Object.keys((await w.readRole(ROLE)).inline)).not.toContain('pwned');
    expect((await w.audit(ROLE)).at(-1)).toMatchObject({ action: 'refuse', detail: { alarm: 'snapshot-tampered' } });
  });
});
