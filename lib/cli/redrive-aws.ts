// The CLI's AWS composition for `leash redrive`: the queue (SQS) and the functions (Lambda, invoked synchronously),
// from the standard AWS environment (AWS_PROFILE or keys, AWS_REGION; AWS_ENDPOINT_URL for an emulator, and
// AWS_ENDPOINT_URL_LAMBDA for Lambda alone). The functions run as deployed, with their own roles and settings: the
// caller needs only sqs:GetQueueUrl/GetQueueAttributes/ReceiveMessage/DeleteMessage/ChangeMessageVisibility and
// lambda:InvokeFunction on the stack's functions.
import { LambdaClient } from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { awsConfigFromEnv, clientOptions, type AwsConfig } from '../adapters/aws/clients.js';
import { SqsDlq } from '../adapters/aws/dlq.js';
import { LambdaInvoker } from '../adapters/aws/lambda-invoker.js';
import { call } from '../adapters/aws/sdk-call.js';
import type { Dlq, FunctionInvoker } from '../app/ports.js';
import { InputError } from '../errors.js';

export interface QueueRef {
  url: string;
  name: string;
  arn: string;
  account: string;
}

export interface RedriveAws {
  region: string;
  queue(ref: string): Promise<QueueRef>;
  dlq(url: string): Dlq;
  invoker: FunctionInvoker;
}

// A message is hidden while its function runs (reconcile may take 15 minutes), one at a time so none waits hidden.
const VISIBILITY_S = 960;

const isNoSuchQueue = (err: unknown) => {
  for (let e = err, d = 0; e && typeof e === 'object' && d < 5; e = (e as { cause?: unknown }).cause, d++) {
    if (/NonExistentQueue|QueueDoesNotExist/.test(String((e as { name?: unknown }).name))) return true;
  }
  return false;
};

export function redriveAws(env: NodeJS.ProcessEnv): RedriveAws {
  const cfg: AwsConfig = awsConfigFromEnv(env);
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    cfg.credentials = {
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      ...(env.AWS_SESSION_TOKEN && { sessionToken: env.AWS_SESSION_TOKEN }),
    };
  }
  cfg.maxAttempts = cfg.maxAttempts ?? 3;
  const sqs = new SQSClient(clientOptions(cfg));
  const lambdaEndpoint = env.AWS_ENDPOINT_URL_LAMBDA || cfg.endpoint;
  const lambda = new LambdaClient({ ...clientOptions(cfg), ...(lambdaEndpoint ? { endpoint: lambdaEndpoint } : {}) });

  async function queue(ref: string): Promise<QueueRef> {
    const arnParts = ref.startsWith('arn:') ? ref.split(':') : undefined;
    const name = arnParts ? arnParts[5]! : /^https?:\/\//.test(ref) ? ref.replace(/\/+$/, '').split('/').pop()! : ref;
    let url = /^https?:\/\//.test(ref) ? ref : undefined;
    try {
      url ??= (
        await call('sqs', 'GetQueueUrl', () =>
          sqs.send(new GetQueueUrlCommand({ QueueName: name, ...(arnParts ? { QueueOwnerAWSAccountId: arnParts[4] } : {}) })),
        )
      ).QueueUrl;
      const attrs = await call('sqs', 'GetQueueAttributes', () =>
        sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] })),
      );
      const arn = attrs.Attributes?.QueueArn ?? '';
      return { url: url!, name, arn, account: arn.split(':')[4] ?? '' };
    } catch (err) {
      if (isNoSuchQueue(err)) {
        throw new InputError(`no queue ${name} in ${cfg.region} (check the name, --stack and AWS_REGION)`, 'command line', '--queue', {
          cause: err,
        });
      }
      throw err;
    }
  }

  return {
    region: cfg.region,
    queue,
    dlq: (url) => new SqsDlq(sqs, url, { visibilityTimeoutSeconds: VISIBILITY_S, batchSize: 1, waitSeconds: 1 }),
    invoker: new LambdaInvoker(lambda),
  };
}
