// moto does not implement CloudTrail LookupEvents, so the demo serves recorded-shaped management events from a
// local stand-in speaking the real JSON protocol: the real SDK client and the real backfill (with its 2-calls-a-
// second limiter) read them.
import { createServer, type Server } from 'node:http';
import { DEMO_ACCOUNT, DEMO_REGION } from './seed.js';

export interface CloudTrailFake {
  url: string;
  calls: number;
  close(): Promise<void>;
}

interface Call {
  role: string;
  source: string;
  name: string;
  at: string;
  requestParameters: Record<string, unknown>;
  resources?: { ARN: string; type: string }[];
}

function record(c: Call, i: number) {
  const issuer = `arn:aws:iam::${DEMO_ACCOUNT}:role/${c.role}`;
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'AssumedRole',
      principalId: `AROADEMO${i}:4f1c2e3d5a6b47c8`,
      arn: `arn:aws:sts::${DEMO_ACCOUNT}:assumed-role/${c.role}/4f1c2e3d5a6b47c89d0e1f2a3b4c5d6e`,
      accountId: DEMO_ACCOUNT,
      sessionContext: {
        sessionIssuer: { type: 'Role', principalId: `AROADEMO${i}`, arn: issuer, accountId: DEMO_ACCOUNT, userName: c.role },
      },
    },
    eventTime: c.at,
    eventSource: c.source,
    eventName: c.name,
    awsRegion: DEMO_REGION,
    sourceIPAddress: 'ecs-tasks.amazonaws.com',
    userAgent: 'aws-sdk-go/1.55.5 (go1.22.7; linux; arm64) amazon-ecs-agent/1.88.0',
    requestParameters: c.requestParameters,
    responseElements: null,
    readOnly: true,
    eventID: `5d2f0c1e-0000-4000-8000-${String(i).padStart(12, '0')}`,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: DEMO_ACCOUNT,
    eventCategory: 'Management',
    ...(c.resources ? { resources: c.resources.map((r) => ({ ...r, accountId: DEMO_ACCOUNT })) } : {}),
  };
}

/** Successful calls by the demo's execution roles over the last weeks (relative to `now`). */
export function demoCalls(now: string): Call[] {
  const daysAgo = (d: number) => new Date(Date.parse(now) - d * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const secret = `arn:aws:secretsmanager:${DEMO_REGION}:${DEMO_ACCOUNT}:secret:billing/db-XyZ123`;
  const out: Call[] = [];
  for (const d of [1, 8, 15, 29]) {
    out.push({
      role: 'billing-exec',
      source: 'secretsmanager.amazonaws.com',
      name: 'GetSecretValue',
      at: daysAgo(d),
      requestParameters: { secretId: secret },
    });
    out.push({
      role: 'billing-exec',
      source: 'ecr.amazonaws.com',
      name: 'BatchGetImage',
      at: daysAgo(d),
      requestParameters: { registryId: DEMO_ACCOUNT, repositoryName: 'billing', imageIds: [{ imageTag: '2026.11' }] },
    });
    out.push({
      role: 'web-exec',
      source: 'ssm.amazonaws.com',
      name: 'GetParameters',
      at: daysAgo(d),
      requestParameters: { names: ['/web/prod/db-password'], withDecryption: true },
      resources: [{ ARN: `arn:aws:ssm:${DEMO_REGION}:${DEMO_ACCOUNT}:parameter/web/prod/db-password`, type: 'AWS::SSM::Parameter' }],
    });
  }
  return out;
}

export async function startCloudTrailFake(now: () => string): Promise<CloudTrailFake> {
  const records = demoCalls(now()).map(record);
  const PAGE = 50;
  const state = { calls: 0 };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      state.calls++;
      const target = String(req.headers['x-amz-target'] ?? '');
      if (!target.endsWith('.LookupEvents')) {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ __type: 'UnknownOperationException', message: `not served here: ${target}` }));
        return;
      }
      const input = JSON.parse(body || '{}') as {
        LookupAttributes?: { AttributeKey: string; AttributeValue: string }[];
        StartTime?: number;
        EndTime?: number;
        NextToken?: string;
      };
      const source = input.LookupAttributes?.find((a) => a.AttributeKey === 'EventSource')?.AttributeValue;
      const from = (input.StartTime ?? 0) * 1000;
      const to = (input.EndTime ?? Number.MAX_SAFE_INTEGER / 1000) * 1000;
      const matching = records.filter(
        (r) => (!source || r.eventSource === source) && Date.parse(r.eventTime) >= from && Date.parse(r.eventTime) <= to,
      );
      const offset = Number(input.NextToken ?? 0);
      const page = matching.slice(offset, offset + PAGE);
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(
        JSON.stringify({
          Events: page.map((r) => ({
            EventId: r.eventID,
            EventName: r.eventName,
            EventSource: r.eventSource,
            EventTime: Date.parse(r.eventTime) / 1000,
            ReadOnly: 'true',
            Username: r.userIdentity.arn.split('/').pop(),
            CloudTrailEvent: JSON.stringify(r),
          })),
          ...(offset + PAGE < matching.length ? { NextToken: String(offset + PAGE) } : {}),
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    get calls() {
      return state.calls;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
