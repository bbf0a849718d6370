import { describe, expect, it } from 'vitest';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { publishFindings } from '../../../lib/adapters/aws/notifier.js';
import type { Finding } from '../../../lib/engine/types.js';
import { TEST_ACCOUNT, useMoto } from '../../support/moto.js';

const moto = useMoto();
const ROLE = `arn:aws:iam::${TEST_ACCOUNT}:role/service-role/web-exec`;

const findings: Finding[] = [
  {
    kind: 'missing',
    severity: 'urgent',
    action: 'secretsmanager:GetSecretValue',
    resource: `arn:aws:secretsmanager:us-east-1:${TEST_ACCOUNT}:secret:db-??????`,
    reasons: ['web:3 container app reads secret DB', 'web:4 container app reads secret DB'],
  },
  {
    kind: 'denied',
    severity: 'urgent',
    action: 'kms:Decrypt',
    resource: `arn:aws:kms:us-east-1:${TEST_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
    reasons: ['CloudTrail: Decrypt denied at 2026-01-10T09:00:00Z'],
  },
  {
    kind: 'too-broad',
    severity: 'review',
    action: 'ecr:BatchGetImage',
    resource: '*',
    reasons: ['granted on * by AmazonECSTaskExecutionRolePolicy'],
  },
];

interface SnsEnvelope {
  Type: string;
  Subject: string;
  Message: string;
  MessageAttributes: Record<string, { Type: string; Value: string }>;
}

async function topicWithQueue() {
  const sns = new SNSClient(moto.config());
  const sqs = new SQSClient(moto.config());
  const topicArn = (await sns.send(new CreateTopicCommand({ Name: 'leash-findings' }))).TopicArn!;
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'leash-inbox' }))).QueueUrl!;
  const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!
    .QueueArn!;
  await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn }));
  const receive = async (): Promise<SnsEnvelope[]> => {
    const res = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    return (res.Messages ?? []).map((m) => JSON.parse(m.Body!) as SnsEnvelope);
  };
  return { sns, topicArn, receive };
}

describe('SNS notifier against moto', () => {
  it('publishes a triage subject, one readable line per finding, a JSON block and filterable attributes', async () => {
    const { sns, topicArn, receive } = await topicWithQueue();
    const res = await publishFindings(sns, topicArn, ROLE, findings, { at: '2026-01-10T09:05:00Z' });
    expect(res.published).toBe(true);

    const [msg, ...rest] = await receive();
    expect(rest).toEqual([]);
    expect(msg!.Subject).toBe('Leash: 2 urgent, 1 review findings on role web-exec');
    expect(msg!.MessageAttributes.severity).toEqual({ Type: 'String', Value: 'urgent' });
    expect(msg!.MessageAttributes.roleArn).toEqual({ Type: 'String', Value: ROLE });

    const text = msg!.Message;
    const lines = text.split('\n');
    expect(lines[0]).toBe(`Role: ${ROLE}`);
    expect(lines).toContain(
      `[urgent] missing: secretsmanager:GetSecretValue on arn:aws:secretsmanager:us-east-1:${TEST_ACCOUNT}:secret:db-?????? (web:3 container app reads secret DB)`,
    );
    expect(lines).toContain('[review] too-broad: ecr:BatchGetImage on * (granted on * by AmazonECSTaskExecutionRolePolicy)');
    expect(text.slice(0, text.indexOf('\n{'))).not.toContain('web:4'); // the text part shows only the first reason
    const json = JSON.parse(text.slice(text.indexOf('\n{') + 1)) as {
      roleArn: string;
      counts: Record<string, number>;
      findings: Finding[];
    };
    expect(json.roleArn).toBe(ROLE);
    expect(json.counts).toEqual({ urgent: 2, review: 1, info: 0 });
    expect(json.findings).toEqual(findings);
  });

  it('announces a resolution, and stays quiet when there is nothing and nothing changed', async () => {
    const { sns, topicArn, receive } = await topicWithQueue();
    expect(await publishFindings(sns, topicArn, ROLE, [], { changed: false })).toEqual({ published: false });
    expect(await receive()).toEqual([]);

    expect((await publishFindings(sns, topicArn, ROLE, [], { changed: true })).published).toBe(true);
    const [msg] = await receive();
    expect(msg!.Subject).toBe('Leash: no findings left on role web-exec');
    expect(msg!.MessageAttributes.severity?.Value).toBe('none');
  });
});
