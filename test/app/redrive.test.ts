import { describe, expect, it } from 'vitest';
import { EventError } from '../../lib/errors.js';
import {
  functionNameOf,
  handlerFor,
  leashQueueOf,
  LEASH_FUNCTIONS,
  parseFailureRecord,
  redrive,
  routeOf,
  sqsRoute,
  stackFunction,
  stackQueues,
  stackResolver,
  type DlqMessage,
  type DlqPort,
  type Route,
} from '../../lib/app/redrive.js';

/** An in-memory queue with SQS's visibility rule: a received message is hidden until deleted or released. */
class MemoryQueue implements DlqPort {
  hidden = new Set<string>();
  deleted: string[] = [];
  constructor(public messages: DlqMessage[]) {}
  async receive(): Promise<DlqMessage[]> {
    const batch = this.messages.filter((m) => !this.hidden.has(m.id)).slice(0, 10);
    for (const m of batch) this.hidden.add(m.id);
    return batch;
  }
  async delete(m: DlqMessage): Promise<void> {
    this.deleted.push(m.id);
    this.messages = this.messages.filter((x) => x.id !== m.id);
  }
}

const record = (fn: string, payload: unknown) =>
  JSON.stringify({
    version: '1.0',
    requestContext: {
      requestId: 'r',
      functionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${fn}:$LATEST`,
      condition: 'RetriesExhausted',
      approximateInvokeCount: 3,
    },
    requestPayload: payload,
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: { errorType: 'AdapterError', errorMessage: 'x' },
  });

const msg = (id: string, body: string): DlqMessage => ({ id, receiptHandle: `rh-${id}`, body });

describe('redrive', () => {
  it('re-invokes the matching handler with the original payload and deletes only what succeeded', async () => {
    const seen: [string, unknown][] = [];
    const q = new MemoryQueue([
      msg('1', record('leash-prod-iam-change', { id: 'a' })),
      msg('2', record('leash-prod-task-stopped', { id: 'b' })),
      msg('3', record('leash-prod-denial', { id: 'c' })),
    ]);
    const summary = await redrive(q, {
      'iam-change': async (e) => void seen.push(['iam-change', e]),
      'task-stopped': async () => {
        throw new Error('still failing');
      },
      denial: async (e) => void seen.push(['denial', e]),
    });
    expect(seen).toEqual([
      ['iam-change', { id: 'a' }],
      ['denial', { id: 'c' }],
    ]);
    expect(q.deleted).toEqual(['1', '3']);
    expect(q.messages.map((m) => m.id)).toEqual(['2']);
    expect(summary.redriven).toEqual([
      { messageId: '1', function: 'leash-prod-iam-change' },
      { messageId: '3', function: 'leash-prod-denial' },
    ]);
    expect(summary.failed).toEqual([{ messageId: '2', function: 'leash-prod-task-stopped', error: 'Error: still failing' }]);
  });

  it('keeps unreadable messages and those for unknown functions, and says why', async () => {
    const q = new MemoryQueue([msg('1', 'not json'), msg('2', JSON.stringify({ hello: 1 })), msg('3', record('leash-prod-watch', {}))]);
    const summary = await redrive(q, { denial: async () => undefined });
    expect(q.deleted).toEqual([]);
    expect(summary.unreadable.map((u) => u.messageId)).toEqual(['1', '2', '3']);
    expect(summary.unreadable[0]!.error).toContain('not JSON');
    expect(summary.unreadable[1]!.error).toContain('$.requestContext');
    expect(summary.unreadable[2]!.error).toBe('no handler for function leash-prod-watch');
  });

  it('drains more than one batch and stops when a message comes back a second time', async () => {
    const q = new MemoryQueue(Array.from({ length: 25 }, (_, i) => msg(String(i), record('leash-prod-denial', { i }))));
    let calls = 0;
    const summary = await redrive(q, { denial: async () => void calls++ });
    expect(calls).toBe(25);
    expect(q.messages).toEqual([]);
    expect(summary.redriven).toHaveLength(25);

    // A queue that hands the same failing message back every time (visibility timeout 0) must not loop forever.
    const sticky: DlqPort = { receive: async () => [msg('x', record('leash-prod-denial', {}))], delete: async () => undefined };
    const again = await redrive(sticky, {
      denial: async () => {
        throw new Error('no');
      },
    });
    expect(again.failed).toHaveLength(1);
  });
});

describe('failure records', () => {
  it('reads the function name from a qualified or unqualified ARN', () => {
    expect(functionNameOf('arn:aws:lambda:eu-west-1:123456789012:function:leash-prod-denial:$LATEST')).toBe('leash-prod-denial');
    expect(functionNameOf('arn:aws:lambda:eu-west-1:123456789012:function:leash-prod-denial')).toBe('leash-prod-denial');
  });

  it('matches the longest short name so task-definition-change is not taken for change', () => {
    const a = async () => 'change';
    const b = async () => 'td';
    expect(handlerFor({ change: a, 'task-definition-change': b }, 'leash-prod-task-definition-change')).toBe(b);
    expect(handlerFor({ change: a }, 'leash-prod-exchange')).toBeUndefined();
  });

  it('rejects a record without the original event with an EventError naming the path', () => {
    const body = JSON.stringify({ requestContext: { functionArn: 'arn:aws:lambda:eu-west-1:1:function:f' } });
    expect(() => parseFailureRecord(body, 'message m')).toThrow(EventError);
    expect(() => parseFailureRecord(body, 'message m')).toThrow('message m: $.requestPayload:');
  });
});

describe('the three shapes a DLQ holds', () => {
  const FN = 'arn:aws:lambda:eu-west-1:123456789012:function:leash-prod-iam-change';

  it('an EventBridge DLQ message: the body is the event, TARGET_ARN the function', () => {
    const event = { 'detail-type': 'AWS API Call via CloudTrail', id: 'e1' };
    const m = {
      ...msg('1', JSON.stringify(event)),
      attributes: { RULE_ARN: 'arn:aws:events:eu-west-1:123456789012:rule/x', TARGET_ARN: FN },
    };
    expect(routeOf(m)).toEqual({ function: 'leash-prod-iam-change', functionArn: FN, payload: event, shape: 'eventbridge-dlq' });
  });

  it('an EventBridge DLQ message whose target is not a function (a forwarder’s event bus) is unreadable', () => {
    const m = { ...msg('1', '{}'), attributes: { TARGET_ARN: 'arn:aws:events:eu-west-1:123456789012:event-bus/default' } };
    expect(() => routeOf(m)).toThrow(/attributes\.TARGET_ARN: its target arn:aws:events:.* is not a Lambda function/);
  });

  it('a remediation message becomes the one-record SQS event its consumer gets from Lambda', () => {
    const m = { ...msg('m1', '{"roleArn":"arn:aws:iam::123456789012:role/web","reason":"findings changed"}'), md5OfBody: 'abc' };
    const route = sqsRoute('leash-prod-remediate', 'arn:aws:sqs:eu-west-1:123456789012:leash-prod-remediation', 'eu-west-1')(m);
    expect(route).toMatchObject({ function: 'leash-prod-remediate', shape: 'sqs' });
    expect((route.payload as { Records: unknown[] }).Records).toEqual([
      expect.objectContaining({
        messageId: 'm1',
        body: m.body,
        md5OfBody: 'abc',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:leash-prod-remediation',
        awsRegion: 'eu-west-1',
      }),
    ]);
  });

  it('an SQS consumer that reports the item as failed leaves the message in the queue', async () => {
    const q = new MemoryQueue([msg('1', '{"roleArn":"x"}')]);
    const route = sqsRoute('leash-prod-remediate', 'arn:aws:sqs:eu-west-1:123456789012:leash-prod-remediation', 'eu-west-1');
    const summary = await redrive(q, { remediate: async () => ({ batchItemFailures: [{ itemIdentifier: '1' }] }) }, { route });
    expect(summary.failed).toEqual([
      { messageId: '1', function: 'leash-prod-remediate', error: 'Error: the function reported the message as failed' },
    ]);
    expect(q.deleted).toEqual([]);
  });
});

describe('dry run, filters, release', () => {
  class ReleasingQueue extends MemoryQueue {
    released: string[] = [];
    async release(m: DlqMessage): Promise<void> {
      this.released.push(m.id);
      this.hidden.delete(m.id);
    }
  }

  it('a dry run invokes and deletes nothing, says where each message would go, and makes them visible again', async () => {
    const q = new ReleasingQueue([msg('1', record('leash-prod-denial', {})), msg('2', 'junk')]);
    let calls = 0;
    const summary = await redrive(q, { denial: async () => void calls++ }, { dryRun: true });
    expect(calls).toBe(0);
    expect(summary.planned).toEqual([{ messageId: '1', function: 'leash-prod-denial' }]);
    expect(summary.unreadable.map((u) => u.messageId)).toEqual(['2']);
    expect(q.deleted).toEqual([]);
    expect(q.released).toEqual(['1', '2']);
  });

  it('only the function asked for is redriven; the rest stays, visible again', async () => {
    const q = new ReleasingQueue([msg('1', record('leash-prod-denial', {})), msg('2', record('leash-prod-iam-change', {}))]);
    const summary = await redrive(
      q,
      { denial: async () => 1, 'iam-change': async () => 2 },
      { only: (fn) => fn === 'leash-prod-iam-change' },
    );
    expect(summary.redriven).toEqual([{ messageId: '2', function: 'leash-prod-iam-change' }]);
    expect(summary.skipped).toEqual([{ messageId: '1', function: 'leash-prod-denial' }]);
    expect(q.released).toEqual(['1']);
    expect(q.messages.map((m) => m.id)).toEqual(['1']);
  });

  it('stops at --max', async () => {
    const q = new MemoryQueue(Array.from({ length: 25 }, (_, i) => msg(String(i), record('leash-prod-denial', {}))));
    const summary = await redrive(q, { denial: async () => 1 }, { maxMessages: 12 });
    expect(summary.redriven).toHaveLength(12);
    expect(q.messages).toHaveLength(13);
  });
});

describe("the stack's own functions only (text in a message never picks what runs)", () => {
  const place = { stack: 'leash-prod', account: '123456789012', region: 'eu-west-1' };
  const invoked: string[] = [];
  const resolve = stackResolver(place, async (fn) => void invoked.push(fn));
  const route = (fn: string, arn?: string): Route => ({
    function: fn,
    ...(arn ? { functionArn: arn } : {}),
    payload: {},
    shape: 'on-failure',
  });
  const arn = (fn: string, account = '123456789012', region = 'eu-west-1') => `arn:aws:lambda:${region}:${account}:function:${fn}`;

  it('resolves each of the stack’s functions, in its account and Region', async () => {
    for (const fn of LEASH_FUNCTIONS) {
      const h = resolve(route(`leash-prod-${fn}`, arn(`leash-prod-${fn}`)));
      expect(typeof h, fn).toBe('function');
      await (h as (e: unknown) => Promise<unknown>)({});
    }
    expect(invoked).toEqual(LEASH_FUNCTIONS.map((f) => `leash-prod-${f}`));
  });

  it.each([
    ['another function of the account', 'admin-tool'],
    ['another stack’s function', 'leash-dev-iam-change'],
    ['a look-alike suffix', 'leash-prod-iam-change-exfil'],
    ['a prefix that only ends like a stack function', 'evil-leash-prod-denial'],
    ['a bare short name', 'iam-change'],
    ['a prototype member', 'leash-prod-constructor'],
    ['an empty name', ''],
  ])('refuses %s', (_what, fn) => {
    expect(resolve(route(fn, fn ? arn(fn) : undefined))).toHaveProperty('refused');
  });

  it('refuses the right name in another account or Region', () => {
    expect(resolve(route('leash-prod-denial', arn('leash-prod-denial', '210987654321')))).toEqual({
      refused: 'arn:aws:lambda:eu-west-1:210987654321:function:leash-prod-denial is not in account 123456789012, Region eu-west-1',
    });
    expect(resolve(route('leash-prod-denial', arn('leash-prod-denial', '123456789012', 'us-east-1')))).toHaveProperty('refused');
  });

  it('reads which DLQ a queue is, and the full name of --function', () => {
    expect(leashQueueOf('leash-prod-events-dlq')).toEqual({ kind: 'events', stack: 'leash-prod' });
    expect(leashQueueOf('my-team-leash-remediation-dlq')).toEqual({ kind: 'remediation', stack: 'my-team-leash' });
    expect(leashQueueOf('leash-prod-remediation')).toBeUndefined();
    expect(leashQueueOf('-events-dlq')).toBeUndefined();
    expect(stackQueues('leash-prod')).toEqual({ events: 'leash-prod-events-dlq', remediation: 'leash-prod-remediation-dlq' });
    expect(stackFunction('leash-prod', 'iam-change')).toBe('leash-prod-iam-change');
    expect(stackFunction('leash-prod', 'leash-prod-watch')).toBe('leash-prod-watch');
    expect(stackFunction('leash-prod', 'leash-dev-watch')).toBeUndefined();
    expect(stackFunction('leash-prod', 'toString')).toBeUndefined();
  });
});
