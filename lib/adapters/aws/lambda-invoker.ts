// Runs one of Leash's deployed functions synchronously (lambda:InvokeFunction, RequestResponse): the function runs
// with its own role, configuration and secrets, and its answer or failure comes back. Used by `leash redrive`.
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { FunctionInvoker } from '../../app/ports.js';
import { AdapterError } from '../../errors.js';
import { call } from './sdk-call.js';

const decoder = new TextDecoder();

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export class LambdaInvoker implements FunctionInvoker {
  constructor(private readonly lambda: LambdaClient) {}

  async invoke(functionName: string, event: unknown): Promise<unknown> {
    const res = await call('lambda', 'Invoke', () =>
      this.lambda.send(
        new InvokeCommand({
          FunctionName: functionName,
          InvocationType: 'RequestResponse',
          Payload: new TextEncoder().encode(JSON.stringify(event)),
        }),
      ),
    );
    const answer = res.Payload ? parse(decoder.decode(res.Payload)) : undefined;
    if (res.FunctionError) {
      // Lambda's error shape: {errorType, errorMessage, trace}; the trace stays out (it is the function's log's job).
      const e = (answer ?? {}) as { errorType?: unknown; errorMessage?: unknown };
      const what = `${typeof e.errorType === 'string' ? e.errorType : res.FunctionError}: ${typeof e.errorMessage === 'string' ? e.errorMessage : 'no message'}`;
      throw new AdapterError(`${functionName} failed: ${what.slice(0, 500)}`, 'lambda', 'Invoke');
    }
    return answer;
  }
}
