// SDK v3 clients built once per container and per Region, lazily: a handler that only touches IAM never
// pays for the others. This is the only adapter file that reads the environment.
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { partitionForRegion } from '../../engine/arn.js';

export interface StaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

export interface AwsConfig {
  region: string;
  /** One endpoint for every service (moto on loopback); unset in AWS. */
  endpoint?: string;
  credentials?: StaticCredentials | (() => Promise<StaticCredentials>);
  maxAttempts?: number;
  /** The HTTP handler every client sends through; unset in AWS (the SDK's own). The tests pass one that sends
   * DynamoDB requests to moto one at a time (test/support/moto-serial.ts says why). */
  requestHandler?: DynamoDBClientConfig['requestHandler'];
}

export interface AwsClients {
  readonly region: string;
  readonly ecs: ECSClient;
  readonly iam: IAMClient;
  readonly kms: KMSClient;
  readonly ssm: SSMClient;
  readonly secrets: SecretsManagerClient;
  readonly ddb: DynamoDBDocumentClient;
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
  readonly sts: STSClient;
  /** The same set for another Region (secrets, parameters and keys live in their own ARN's Region). */
  forRegion(region: string): AwsClients;
}

export const DEFAULT_MAX_ATTEMPTS = 8;

/** IAM is global: commercial-partition calls go to us-east-1; other partitions keep their own Region. */
export function iamRegionFor(region: string): string {
  const partition = partitionForRegion(region);
  return partition && partition !== 'aws' ? region : 'us-east-1';
}

/** The shared client options: adaptive retries (client-side rate limiting on throttles, spec §9). */
export function clientOptions(cfg: AwsConfig, region = cfg.region) {
  return {
    region,
    retryMode: 'adaptive',
    maxAttempts: cfg.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    ...(cfg.endpoint ? { endpoint: cfg.endpoint } : {}),
    ...(cfg.credentials ? { credentials: cfg.credentials } : {}),
    ...(cfg.requestHandler ? { requestHandler: cfg.requestHandler } : {}),
  };
}

/** The DynamoDB document client every store writes through (undefined attributes dropped, not rejected). */
export function documentClient(opts: DynamoDBClientConfig): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient(opts), { marshallOptions: { removeUndefinedValues: true } });
}

function lazy<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

export function makeClients(cfg: AwsConfig): AwsClients {
  const byRegion = new Map<string, AwsClients>();
  const build = (region: string): AwsClients => {
    const opts = clientOptions(cfg, region);
    const ecs = lazy(() => new ECSClient(opts));
    // With an endpoint (moto) IAM shares it; otherwise the SDK resolves the global IAM endpoint.
    const iam = lazy(() => new IAMClient(clientOptions(cfg, cfg.endpoint ? region : iamRegionFor(region))));
    const kms = lazy(() => new KMSClient(opts));
    const ssm = lazy(() => new SSMClient(opts));
    const secrets = lazy(() => new SecretsManagerClient(opts));
    const ddb = lazy(() => documentClient(opts));
    const sns = lazy(() => new SNSClient(opts));
    const sqs = lazy(() => new SQSClient(opts));
    const sts = lazy(() => new STSClient(opts));
    return {
      region,
      get ecs() {
        return ecs();
      },
      get iam() {
        return iam();
      },
      get kms() {
        return kms();
      },
      get ssm() {
        return ssm();
      },
      get secrets() {
        return secrets();
      },
      get ddb() {
        return ddb();
      },
      get sns() {
        return sns();
      },
      get sqs() {
        return sqs();
      },
      get sts() {
        return sts();
      },
      forRegion: (r: string) => regional(r),
    };
  };
  const regional = (region: string): AwsClients => {
    let c = byRegion.get(region);
    if (!c) byRegion.set(region, (c = build(region)));
    return c;
  };
  return regional(cfg.region);
}

/** Reads AWS_REGION (set by Lambda) and an optional endpoint override (AWS_ENDPOINT_URL / LEASH_AWS_ENDPOINT).
 *  Credentials are left to the SDK's default provider chain. */
export function awsConfigFromEnv(env: NodeJS.ProcessEnv): AwsConfig {
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1';
  const endpoint = env.LEASH_AWS_ENDPOINT || env.AWS_ENDPOINT_URL || undefined;
  const attempts = Number(env.AWS_MAX_ATTEMPTS);
  return {
    region,
    ...(endpoint ? { endpoint } : {}),
    ...(Number.isInteger(attempts) && attempts > 0 ? { maxAttempts: attempts } : {}),
  };
}
