import { describe, expect, it } from 'vitest';
import { EventError } from '../../lib/errors.js';
import { functionNameOf, handlerFor, parseFailureRecord, redrive, type DlqMessage, type DlqPort } from '../../lib/app/redrive.js';

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
