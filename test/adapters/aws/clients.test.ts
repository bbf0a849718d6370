import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListClustersCommand } from '@aws-sdk/client-ecs';
import { awsConfigFromEnv, iamRegionFor, makeClients } from '../../../lib/adapters/aws/clients.js';

// A loopback stand-in for ECS that fails the first N requests, to see the retry settings at work.
let server: Server;
let endpoint = '';
let script: { status: number; body: string }[] = [];
let requests = 0;
const THROTTLE = { status: 400, body: JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }) };
const UNAVAILABLE = { status: 503, body: JSON.stringify({ __type: 'ServerException', message: 'Service unavailable' }) };
const OK = { status: 200, body: JSON.stringify({ clusterArns: ['arn:aws:ecs:us-east-1:123456789012:cluster/prod'] }) };

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const reply = script[requests++] ?? OK;
      res.writeHead(reply.status, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(reply.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  endpoint = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const creds = { accessKeyId: 'testing', secretAccessKey: 'testing' };

describe('makeClients', () => {
  it('retries throttling and 5xx answers', async () => {
    script = [THROTTLE, UNAVAILABLE];
    requests = 0;
    const { ecs } = makeClients({ region: 'us-east-1', endpoint, credentials: creds, maxAttempts: 3 });
    const res = await ecs.send(new ListClustersCommand({}));
    expect(res.clusterArns).toEqual(['arn:aws:ecs:us-east-1:123456789012:cluster/prod']);
    expect(requests).toBe(3);
  });

  it('gives up after maxAttempts with the service error', async () => {
    script = [THROTTLE, THROTTLE, THROTTLE];
    requests = 0;
    const { ecs } = makeClients({ region: 'us-east-1', endpoint, credentials: creds, maxAttempts: 2 });
    await expect(ecs.send(new ListClustersCommand({}))).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(requests).toBe(2);
  });

  it('defaults to adaptive retries with 8 attempts', async () => {
    const { ecs, iam } = makeClients({ region: 'eu-west-1' });
    expect(await ecs.config.maxAttempts()).toBe(8);
    const strategy = (await ecs.config.retryStrategy()) as { mode?: string };
    expect(strategy.mode).toBe('adaptive');
    expect(await iam.config.region()).toBe('us-east-1');
  });

  it('keeps IAM on the configured endpoint and Region when an endpoint is set (moto)', async () => {
    const { iam } = makeClients({ region: 'eu-west-1', endpoint, credentials: creds });
    expect(await iam.config.region()).toBe('eu-west-1');
    const ep = await iam.config.endpoint?.();
    expect(`${ep?.protocol}//${ep?.hostname}:${ep?.port}`).toBe(endpoint);
  });

  it('creates clients lazily and once, per Region', () => {
    const clients = makeClients({ region: 'us-east-1', credentials: creds });
    expect(clients.sns).toBe(clients.sns);
    expect(clients.forRegion('us-east-1')).toBe(clients);
    const eu = clients.forRegion('eu-west-1');
    expect(eu.region).toBe('eu-west-1');
    expect(clients.forRegion('eu-west-1')).toBe(eu);
    expect(eu.kms).not.toBe(clients.kms);
  });
});

describe('iamRegionFor', () => {
  it('sends commercial-partition IAM calls to us-east-1 and keeps other partitions', () => {
    expect(iamRegionFor('eu-central-1')).toBe('us-east-1');
    expect(iamRegionFor('cn-northwest-1')).toBe('cn-northwest-1');
    expect(iamRegionFor('us-gov-east-1')).toBe('us-gov-east-1');
  });
});

describe('awsConfigFromEnv', () => {
  it('reads the Region and an endpoint override', () => {
    expect(awsConfigFromEnv({ AWS_REGION: 'eu-west-1', LEASH_AWS_ENDPOINT: 'http://127.0.0.1:5000' })).toEqual({
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:5000',
    });
    expect(awsConfigFromEnv({ AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL: 'http://127.0.0.1:5001' })).toEqual({
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:5001',
    });
    expect(awsConfigFromEnv({ AWS_DEFAULT_REGION: 'ap-south-1', AWS_MAX_ATTEMPTS: '3' })).toEqual({ region: 'ap-south-1', maxAttempts: 3 });
    expect(awsConfigFromEnv({})).toEqual({ region: 'us-east-1' });
  });
});
