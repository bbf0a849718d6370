// The standalone templates (infra/iam-event-forwarder.yml, infra/org-member-stackset.yml): their DLQs are alarmed,
// and in member accounts only Leash's remediate function can reach IAM write.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/corpus.js';
import { actionsOf, asList, isIamWrite, ofType, statementsOf, type Statement, type Template } from './template.js';

const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };
const load = (file: string) =>
  yaml.load(readFileSync(join(repoRoot, 'infra', file), 'utf8')) as Template & { Rules?: Record<string, unknown> };

describe.each(['iam-event-forwarder.yml', 'org-member-stackset.yml'])('%s: failures are seen', (file) => {
  const t = load(file);

  it('every queue (the DLQ) has an alarm on visible messages that notifies a topic of the same stack', () => {
    const queues = ofType(t, 'AWS::SQS::Queue').map(([id]) => id);
    expect(queues).toEqual(['ForwarderDlq']);
    const alarms = ofType(t, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    for (const q of queues) {
      const alarm = alarms.find(
        (a) => JSON.stringify(a.Dimensions) === JSON.stringify([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [q, 'QueueName'] } }]),
      );
      expect(alarm, q).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
        AlarmActions: [{ Ref: 'ForwarderAlarmTopic' }],
      });
    }
    expect(t.Resources.ForwarderAlarmTopic?.Type).toBe('AWS::SNS::Topic');
  });

  it('the alarm topic takes an email subscription as a parameter', () => {
    const sub = t.Resources.ForwarderAlarmEmail!;
    expect(sub.Condition).toBe('HasAlarmEmail');
    expect(sub.Properties).toEqual({ TopicArn: { Ref: 'ForwarderAlarmTopic' }, Protocol: 'email', Endpoint: { Ref: 'AlarmEmail' } });
    expect((t.Parameters as Record<string, { Default?: string }>).AlarmEmail?.Default).toBe('');
  });
});

describe('org-member-stackset.yml: a read role for everyone, a write role for remediate only', () => {
  const t = load('org-member-stackset.yml');
  const trust = (id: string) => (t.Resources[id]!.Properties.AssumeRolePolicyDocument as { Statement: Statement[] }).Statement;
  const allows = (id: string) => statementsOf(t, id).filter((s) => s.Effect === 'Allow');

  it('the read role (MemberRoleName) holds no IAM write, and any Leash role (with the ExternalId) may assume it', () => {
    expect(t.Resources.LeashMemberRole!.Properties.RoleName).toEqual({ Ref: 'MemberRoleName' });
    const writes = allows('LeashMemberRole').flatMap(actionsOf).filter(isIamWrite);
    expect(writes).toEqual([]);
    const [st, ...more] = trust('LeashMemberRole');
    expect(more).toEqual([]);
    expect(st!.Condition).toEqual({
      StringEquals: { 'sts:ExternalId': { Ref: 'ExternalId' } },
      ArnLike: { 'aws:PrincipalArn': { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${CentralAccountId}:role/${LeashRoleNamePrefix}*' } },
    });
  });

  it('the write role exists only with AllowAutoRemediation and trusts exactly the remediate role (no wildcard)', () => {
    const role = t.Resources.LeashMemberWriteRole!;
    expect(role.Condition).toBe('AllowWrites');
    expect(role.Properties.RoleName).toEqual({ Ref: 'MemberWriteRoleName' });
    const [st, ...more] = trust('LeashMemberWriteRole');
    expect(more).toEqual([]);
    expect(st!.Condition).toEqual({
      StringEquals: { 'sts:ExternalId': { Ref: 'ExternalId' } },
      ArnEquals: {
        'aws:PrincipalArn': { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${CentralAccountId}:role/${LeashRoleNamePrefix}remediate' },
      },
    });
  });

  it('its IAM writes touch only roles tagged leash:mode approve|auto, never the member roles themselves', () => {
    const writes = allows('LeashMemberWriteRole').filter((s) => actionsOf(s).some(isIamWrite));
    expect(writes.length).toBeGreaterThan(0);
    for (const s of writes) expect(s.Condition?.StringEquals?.['aws:ResourceTag/leash:mode']).toEqual(['approve', 'auto']);
    const deny = statementsOf(t, 'LeashMemberWriteRole').find((s) => s.Effect === 'Deny' && s.Sid === 'NeverLeashOwnRoles')!;
    const denied = JSON.stringify(asList(deny.Resource));
    expect(denied).toContain('role/${MemberRoleName}');
    expect(denied).toContain('role/${MemberWriteRoleName}');
  });

  it('the two roles cannot share a name (a CloudFormation rule refuses it)', () => {
    expect(JSON.stringify(t.Rules?.DistinctRoleNames)).toContain('"Fn::Equals":[{"Ref":"MemberRoleName"},{"Ref":"MemberWriteRoleName"}]');
  });
});
