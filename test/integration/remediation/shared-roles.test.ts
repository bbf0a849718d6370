// Issue 10, item 3, through the real handlers on moto: a role that is also a task definition's task role, a role a
// person can assume, and a role in an instance profile are more than execution roles. Each gets a `shared-role`
// finding proposing the split, is never changed in auto, and — even when a person approves its plan — keeps every
// permission outside the execution-role vocabulary (the application's S3 and DynamoDB calls).
import { AddRoleToInstanceProfileCommand, CreateInstanceProfileCommand } from '@aws-sdk/client-iam';
import { afterEach, describe, expect, it } from 'vitest';
import { run as runApprovals } from '../../../functions/approvals.js';
import { run as runRemediate } from '../../../functions/remediate.js';
import {
  awslogs,
  ecrImage,
  createWorld,
  remediationAccount,
  roleArn,
  sqsEvent,
  type DemoWorld,
  type ExtraRole,
} from '../../support/world/index.js';
import { useMoto } from '../../support/moto.js';

const moto = useMoto();
let w: DemoWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

/** The application's own permissions (data-plane calls CloudTrail never shows), beside over-broad execution grants. */
const APP_DATA = [
  { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::app-data/*' },
  { Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: 'arn:aws:dynamodb:eu-west-1:123456789012:table/orders' },
];
const BROAD_EXEC = [{ Effect: 'Allow', Action: ['ecr:*', 'logs:*'], Resource: '*' }];
const ECS_AND = (principal: object) => ({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' },
    { Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' },
  ],
});

const role = (name: string, over: Partial<ExtraRole> = {}, taskRole?: string): ExtraRole => ({
  name,
  // auto, with a scope covering all it needs: only its being shared can stop an automatic change.
  tags: { 'leash:mode': 'auto', 'leash:scope': `repository/${name} log-group:/ecs/${name}` },
  inline: { 'app-data': APP_DATA, 'exec-broad': BROAD_EXEC },
  taskDefinitions: [
    {
      family: name,
      containers: [{ name: 'app', image: ecrImage(name), essential: true, logConfiguration: awslogs(`/ecs/${name}`) }],
      ...(taskRole ? { taskRole } : {}),
    },
  ],
  ...over,
});

const CASES: [string, (world: DemoWorld) => Promise<void>, ExtraRole, RegExp][] = [
  [
    'also the task role of its task definition',
    async () => {},
    role('both-exec', {}, roleArn('both-exec')),
    /it is the task role \(taskRoleArn\)/,
  ],
  [
    'assumable by a person',
    async () => {},
    role('person-exec', { trust: ECS_AND({ AWS: 'arn:aws:iam::123456789012:user/alice' }) }),
    /user\/alice.*assume the role/,
  ],
  [
    'in an instance profile',
    async (world) => {
      await world.clients.iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'ec2-profile' }));
      await world.clients.iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'ec2-profile', RoleName: 'ec2-exec' }));
    },
    role('ec2-exec'),
    /it is in an instance profile: EC2 instances use it/,
  ],
];

describe('shared roles are never cut to an execution role', () => {
  it.each(CASES)('a role %s', async (_name, extra, spec, cause) => {
    w = await createWorld(moto.config(), remediationAccount({ dryRun: false }));
    await w.addRoles([spec]);
    await extra(w);
    await w.reindex();
    const arn = roleArn(spec.name);

    // The finding, stored with the role's findings: why it is shared, and the split it proposes.
    const findings = (await w.deps.findings.current(arn))!.findings;
    const shared = findings.filter((f) => f.kind === 'shared-role');
    expect(shared).toHaveLength(1);
    expect(shared[0]!.reasons.join('\n')).toMatch(cause);
    expect(shared[0]!.reasons.join('\n')).toContain(`proposed split: a dedicated execution role ${spec.name}-execution`);
    // The application's permissions outside the vocabulary (s3:PutObject, dynamodb:GetItem) are not removal candidates.
    const app = findings.filter((x) => ['s3:PutObject', 'dynamodb:GetItem'].includes(x.action));
    expect(app.map((f) => f.action).sort()).toEqual(['dynamodb:GetItem', 's3:PutObject']);
    for (const f of app) {
      expect(f.severity).toBe('info');
      expect(f.reasons.join(' ')).toContain('the role is shared');
    }

    // auto never changes it: a person is asked.
    const before = await w.readRole(spec.name);
    const out = (await runRemediate(sqsEvent([JSON.stringify({ roleArn: arn, reason: 'findings changed' })]), w.deps)).outcomes[0]!;
    expect(out).toMatchObject({ outcome: 'approval-requested', mode: 'auto' });
    expect(out.why).toMatch(/role is shared: .*never changed automatically/);
    expect(await w.readRole(spec.name)).toEqual(before);

    // The plan keeps every policy but its own, and removes nothing outside the vocabulary.
    const plan = 'plan' in out ? out.plan! : undefined;
    expect(plan!.deleteInline).toEqual([]);
    expect(plan!.detach).toEqual([]);
    expect(plan!.removals.filter((r) => /^(s3:PutObject|dynamodb:)/.test(r.action) || r.action.endsWith('*'))).toEqual([]);
    expect((plan!.kept ?? []).map((k) => k.policy).sort()).toEqual(['app-data', 'exec-broad']);

    // Approved by a person, it is applied: the application's permissions are all still there.
    expect((await runApprovals(w.click(plan!), w.deps)).body).toBe('approved'); // recorded and queued
    expect(await w.applyQueued()).toMatchObject([{ outcome: 'applied', roleArn: plan!.roleArn }]);
    const after = await w.readRole(spec.name);
    expect(after.inline['app-data']).toEqual(before.inline['app-data']);
    expect(before.inline['app-data']).toBeDefined();
    expect(after.inline['exec-broad']).toEqual(before.inline['exec-broad']);
    expect(Object.keys(after.inline).sort()).toEqual(['app-data', 'exec-broad', plan!.policyName].sort());
  });
});
