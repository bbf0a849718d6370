// events/ holds real-shaped EventBridge events (spec 3.1, 3.4, 3.5, 4). Each must carry the envelope and
// reach exactly the function it is meant for through the rule patterns Leash deploys.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { denialFromCloudTrail } from '../../lib/engine/evidence/cloudtrail-records.js';
import { DENIAL_ERROR_CODES } from '../../lib/engine/evidence/denial-codes.js';
import { isIgnored } from '../../lib/engine/evidence/types.js';
import { loadEventJson, repoRoot } from '../support/corpus.js';
import { matchesPattern, type Pattern } from './event-pattern.js';

type Event = Record<string, unknown> & { detail?: Record<string, unknown> };
type RuleFn = 'taskDefinitionChange' | 'iamChange' | 'denial' | 'taskStopped';

const patternFile: Record<RuleFn, string> = {
  taskDefinitionChange: 'task-definition-change.json',
  iamChange: 'iam-change.json',
  denial: 'denial.json',
  taskStopped: 'task-stopped.json',
};
const patterns = Object.fromEntries(
  Object.entries(patternFile).map(([fn, file]) => [fn, JSON.parse(readFileSync(join(repoRoot, 'infra/patterns', file), 'utf8'))]),
) as Record<RuleFn, Pattern>;

// Which function each file is for; `null` = no EventBridge pattern (schedule input, or must be rejected).
const intended: Record<string, RuleFn | null> = {
  'register-task-definition.json': 'taskDefinitionChange',
  'register-task-definition-failed.json': 'taskDefinitionChange', // delivered; the handler ignores failed calls
  'deregister-task-definition.json': 'taskDefinitionChange',
  'put-role-policy.json': 'iamChange',
  'delete-role-policy.json': 'iamChange',
  'attach-role-policy.json': 'iamChange',
  'detach-role-policy.json': 'iamChange',
  'create-policy-version.json': 'iamChange',
  'set-default-policy-version.json': 'iamChange',
  'update-assume-role-policy.json': 'iamChange',
  'create-role.json': 'iamChange',
  'delete-role.json': 'iamChange',
  'tag-role.json': 'iamChange',
  'put-role-policy-by-leash.json': 'iamChange', // delivered; the handler ignores Leash's own changes
  'denial-secretsmanager.json': 'denial',
  'denial-ecr.json': 'denial',
  'denial-logs.json': 'denial',
  'denial-ssm.json': 'denial',
  'denial-kms.json': 'denial',
  'task-stopped-access-denied.json': 'taskStopped',
  'task-stopped-cannot-pull.json': 'taskStopped',
  'task-stopped-network.json': 'taskStopped',
  // stopCode EssentialContainerExited: the task started, so its stop says nothing about the execution role; the
  // rule filters it out (it used to be delivered and classified as "not a permission issue").
  'task-stopped-essential-exit.json': null,
  'scheduled-reconcile.json': null,
  'malformed-missing-detail.json': null,
};

const files = readdirSync(join(repoRoot, 'events'))
  .filter((f) => f.endsWith('.json'))
  .sort();
const load = (f: string) => loadEventJson<Event>(f);
const detail = (f: string) => load(f).detail as Record<string, unknown>;

describe('events/ envelope', () => {
  it('has a decision for every file, and every decided file exists', () => {
    expect(files).toEqual(Object.keys(intended).sort());
  });

  it.each(files)('%s has the EventBridge envelope', (f) => {
    const e = load(f);
    expect(e.version).toBe('0');
    expect(e.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(typeof e['detail-type']).toBe('string');
    expect(e.source).toMatch(/^aws\.[a-z0-9-]+$/);
    expect(e.account).toBe('123456789012');
    expect(e.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(e.region).toMatch(/^[a-z]{2}-[a-z]+-\d$/);
    expect(Array.isArray(e.resources)).toBe(true);
    if (f === 'malformed-missing-detail.json') expect(e).not.toHaveProperty('detail');
    else expect(typeof e.detail).toBe('object');
  });
});

describe('events/ reach exactly their function', () => {
  it.each(files)('%s', (f) => {
    const matched = (Object.keys(patterns) as RuleFn[]).filter((fn) => matchesPattern(patterns[fn], load(f)));
    const want = intended[f];
    expect(matched).toEqual(want ? [want] : []);
  });
});

describe('the pattern matcher itself', () => {
  const p: Pattern = { source: ['aws.x'], detail: { errorCode: [{ exists: true }], name: [{ prefix: 'Get' }] } };
  it('needs every field', () => {
    expect(matchesPattern(p, { source: 'aws.x', detail: { errorCode: 'E', name: 'GetThing' } })).toBe(true);
    expect(matchesPattern(p, { source: 'aws.y', detail: { errorCode: 'E', name: 'GetThing' } })).toBe(false);
    expect(matchesPattern(p, { source: 'aws.x', detail: { name: 'GetThing' } })).toBe(false);
    expect(matchesPattern(p, { source: 'aws.x', detail: { errorCode: 'E', name: 'PutThing' } })).toBe(false);
    expect(matchesPattern(p, { source: 'aws.x' })).toBe(false);
  });
  it('treats exists:false as "absent" and matches any element of an event array', () => {
    expect(matchesPattern({ detail: { errorCode: [{ exists: false }] } }, { detail: {} })).toBe(true);
    expect(matchesPattern({ detail: { errorCode: [{ exists: false }] } }, { detail: { errorCode: 'X' } })).toBe(false);
    expect(matchesPattern({ resources: ['b'] }, { resources: ['a', 'b'] })).toBe(true);
  });
});

describe('event contents follow the spec shapes', () => {
  it('CloudTrail-sourced events: envelope detail-type, eventSource per service, resources []', () => {
    for (const f of files.filter((x) => intended[x] && intended[x] !== 'taskStopped')) {
      const e = load(f);
      expect(e['detail-type'], f).toBe('AWS API Call via CloudTrail');
      expect(detail(f).eventSource, f).toBe(`${String(e.source).slice(4)}.amazonaws.com`);
      expect(e.resources, f).toEqual([]);
      expect(detail(f).eventType, f).toBe('AwsApiCall');
      expect(detail(f).recipientAccountId, f).toBe('123456789012');
    }
  });

  it('IAM events come from us-east-1 (envelope and awsRegion), ECS and denials from eu-west-1', () => {
    for (const f of files.filter((x) => intended[x] === 'iamChange')) {
      expect([load(f).region, detail(f).awsRegion], f).toEqual(['us-east-1', 'us-east-1']);
    }
    for (const f of files.filter((x) => intended[x] === 'taskDefinitionChange' || intended[x] === 'denial')) {
      expect([load(f).region, detail(f).awsRegion], f).toEqual(['eu-west-1', 'eu-west-1']);
    }
  });

  it('CreateRole: trust policy plain in the request, URL-encoded in the response, Java-style createDate', () => {
    const d = detail('create-role.json') as {
      requestParameters: Record<string, string>;
      responseElements: { role: Record<string, string> };
    };
    const plain = d.requestParameters.assumeRolePolicyDocument!;
    const encoded = d.responseElements.role.assumeRolePolicyDocument!;
    expect(JSON.parse(plain)).toHaveProperty('Version', '2012-10-17');
    expect(encoded.startsWith('%7B')).toBe(true);
    expect(decodeURIComponent(encoded)).toBe(plain);
    expect(d.responseElements.role.createDate).toMatch(/^[A-Z][a-z]{2} \d{1,2}, \d{4} \d{1,2}:\d{2}:\d{2} (AM|PM)$/);
  });

  it('policy documents in IAM requests are plain JSON strings', () => {
    for (const f of [
      'put-role-policy.json',
      'create-policy-version.json',
      'update-assume-role-policy.json',
      'put-role-policy-by-leash.json',
    ]) {
      const doc = (detail(f).requestParameters as Record<string, unknown>).policyDocument;
      expect(typeof doc, f).toBe('string');
      expect(JSON.parse(doc as string).Version, f).toBe('2012-10-17');
    }
  });

  it('update-assume-role-policy opens reports-exec to another account', () => {
    const rp = detail('update-assume-role-policy.json').requestParameters as Record<string, string>;
    expect(rp.roleName).toBe('reports-exec');
    const principals = JSON.parse(rp.policyDocument!).Statement.map((s: { Principal: unknown }) => s.Principal);
    expect(principals).toContainEqual({ AWS: 'arn:aws:iam::210987654321:root' });
  });

  it('tag-role sets leash:mode=approve; attach-role-policy attaches the managed execution policy to billing-exec', () => {
    expect(detail('tag-role.json').requestParameters).toEqual({
      roleName: 'billing-exec',
      tags: [{ key: 'leash:mode', value: 'approve' }],
    });
    expect(detail('attach-role-policy.json').requestParameters).toEqual({
      roleName: 'billing-exec',
      policyArn: 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy',
    });
  });

  it('the Leash-made change differs from the human one only in who made it', () => {
    const issuer = (f: string) =>
      (detail(f).userIdentity as Record<string, Record<string, Record<string, string>>>).sessionContext!.sessionIssuer!.arn;
    expect(issuer('put-role-policy-by-leash.json')).toBe('arn:aws:iam::123456789012:role/leash-prod-remediate');
    expect(issuer('put-role-policy.json')).not.toMatch(/role\/leash-/);
    expect(detail('put-role-policy-by-leash.json').eventName).toBe(detail('put-role-policy.json').eventName);
  });

  it('failed registration has null parameters and a ClientException', () => {
    const d = detail('register-task-definition-failed.json');
    expect([d.errorCode, d.requestParameters, d.responseElements]).toEqual(['ClientException', null, null]);
  });

  it('registration names web-exec and the demo images, secrets and log group', () => {
    const td = (detail('register-task-definition.json').responseElements as { taskDefinition: Record<string, unknown> }).taskDefinition;
    expect(td.taskDefinitionArn).toBe('arn:aws:ecs:eu-west-1:123456789012:task-definition/web-api:3');
    expect(td.executionRoleArn).toBe('arn:aws:iam::123456789012:role/web-exec');
    const [c] = td.containerDefinitions as Array<Record<string, unknown>>;
    expect(c!.image).toBe('123456789012.dkr.ecr.eu-west-1.amazonaws.com/web/api:1.4.2');
    expect((c!.secrets as Array<{ valueFrom: string }>).map((s) => s.valueFrom)).toEqual([
      '/web/prod/db-password',
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:web/stripe-AbCdEf:apiKey::',
    ]);
    expect((c!.logConfiguration as { options: Record<string, string> }).options['awslogs-create-group']).toBe('true');
  });

  it('denials: AssumedRole execution roles, errorCode + "not authorized" message, read-only', () => {
    for (const f of files.filter((x) => intended[x] === 'denial')) {
      const d = detail(f);
      const ui = d.userIdentity as { type: string; sessionContext: { sessionIssuer: { arn: string } } };
      expect(ui.type, f).toBe('AssumedRole');
      expect(ui.sessionContext.sessionIssuer.arn, f).toMatch(/^arn:aws:iam::123456789012:role\/(reports|web|billing)-exec$/);
      expect(String(d.errorCode), f).toMatch(/AccessDenied/);
      expect(String(d.errorMessage), f).toMatch(/is not authorized to perform: [a-z0-9-]+:[A-Za-z]+ on resource: /);
      expect(d.readOnly, f).toBe(true);
    }
    expect(detail('denial-logs.json').errorCode).toBe('AccessDenied');
    expect(String(detail('denial-logs.json').errorMessage)).not.toMatch(/because/);
    expect(String(detail('denial-secretsmanager.json').errorMessage)).toMatch(/because no identity-based policy allows/);
    expect((detail('denial-kms.json').userIdentity as Record<string, unknown>).invokedBy).toBe('secretsmanager.amazonaws.com');
  });

  it('task STOPPED events carry the ECS Task State Change fields', () => {
    for (const f of files.filter((x) => x.startsWith('task-stopped-'))) {
      const d = detail(f);
      for (const k of ['clusterArn', 'taskArn', 'taskDefinitionArn', 'stoppedReason', 'stopCode', 'group', 'launchType', 'containers']) {
        expect(d, `${f} ${k}`).toHaveProperty(k);
      }
      expect([d.lastStatus, d.desiredStatus], f).toEqual(['STOPPED', 'STOPPED']);
      expect(load(f).resources, f).toEqual([d.taskArn]);
    }
    expect(detail('task-stopped-access-denied.json').stoppedReason).toMatch(
      /^ResourceInitializationError: .*AccessDeniedException.*secretsmanager:GetSecretValue/,
    );
    expect(detail('task-stopped-cannot-pull.json').stoppedReason).toMatch(/^CannotPullContainerError: .*not authorized.*ecr:BatchGetImage/);
    expect(detail('task-stopped-network.json').stoppedReason).toMatch(/^ResourceInitializationError: .*dial tcp .*i\/o timeout/);
    expect(detail('task-stopped-network.json').stoppedReason).not.toMatch(/not authorized/);
    expect(detail('task-stopped-essential-exit.json').stoppedReason).toBe('Essential container in task exited');
    expect(detail('task-stopped-essential-exit.json').stopCode).toBe('EssentialContainerExited');
  });
});

describe('rules filter at the rule', () => {
  const denialEvent = (detailOverrides: Record<string, unknown>) => {
    const e = structuredClone(load('denial-secretsmanager.json'));
    Object.assign(e.detail!, detailOverrides);
    return e;
  };
  const ruleCodes = (patterns.denial.detail as Pattern).errorCode as string[];
  const parserAccepts = (e: Event) => !isIgnored(denialFromCloudTrail(e));

  it('the denial rule forwards exactly the errorCodes the parser records as denials (one list)', () => {
    expect([...ruleCodes].sort()).toEqual([...DENIAL_ERROR_CODES].sort());
    for (const code of DENIAL_ERROR_CODES) {
      const e = denialEvent({ errorCode: code });
      expect(matchesPattern(patterns.denial, e), code).toBe(true);
      expect(parserAccepts(e), code).toBe(true);
    }
  });

  it('errors that are not access denials reach neither the rule nor the parser (spellings an attacker or a service might use)', () => {
    const others = [
      'ThrottlingException',
      'ResourceNotFoundException',
      'ValidationException',
      'InvalidClientTokenId',
      'ExpiredTokenException',
      'KMSInvalidStateException',
      'accessdenied',
      'ACCESSDENIED',
      'AccessDenied ',
      ' AccessDenied',
      'NotAccessDenied',
      'AccessDeniedFoo',
      'Unauthorized',
      'Client.AccessDenied',
      '',
    ];
    for (const code of others) {
      const e = denialEvent({ errorCode: code });
      expect(matchesPattern(patterns.denial, e), JSON.stringify(code)).toBe(false);
      expect(parserAccepts(e), JSON.stringify(code)).toBe(false);
    }
  });

  it('rule and parser agree on any errorCode (property)', () => {
    const near = fc.oneof(
      fc.constantFrom(...DENIAL_ERROR_CODES),
      fc.string(),
      fc
        .tuple(fc.constantFrom(...DENIAL_ERROR_CODES), fc.string({ maxLength: 3 }), fc.boolean())
        .map(([c, x, before]) => (before ? x + c : c + x)),
      fc.constantFrom(...DENIAL_ERROR_CODES).map((c) => c.toLowerCase()),
    );
    fc.assert(
      fc.property(near, (code) => {
        const e = denialEvent({ errorCode: code });
        return matchesPattern(patterns.denial, e) === parserAccepts(e);
      }),
      { numRuns: 500 },
    );
  });

  it('the denial rule needs an errorCode and an assumed role: successful calls and IAM users never reach the Lambda', () => {
    const ok = denialEvent({});
    delete (ok.detail as Record<string, unknown>).errorCode;
    expect(matchesPattern(patterns.denial, ok)).toBe(false);
    const user = denialEvent({ userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::123456789012:user/alice' } });
    expect(matchesPattern(patterns.denial, user)).toBe(false);
  });

  it('the task-stopped rule forwards only failed starts (stopCode TaskFailedToStart)', () => {
    expect((patterns.taskStopped.detail as Pattern).stopCode).toEqual(['TaskFailedToStart']);
    const stopped = (stopCode: string | undefined) => {
      const e = structuredClone(load('task-stopped-access-denied.json'));
      if (stopCode === undefined) delete e.detail!.stopCode;
      else e.detail!.stopCode = stopCode;
      return e;
    };
    expect(matchesPattern(patterns.taskStopped, stopped('TaskFailedToStart'))).toBe(true);
    // A stop anybody can cause (ecs:StopTask --reason "...") or one that says nothing about starting never reaches it.
    for (const code of [
      'UserInitiated',
      'EssentialContainerExited',
      'ServiceSchedulerInitiated',
      'SpotInterruption',
      'TerminationNotice',
      'taskfailedtostart',
      undefined,
    ]) {
      expect(matchesPattern(patterns.taskStopped, stopped(code)), String(code)).toBe(false);
    }
  });

  it('S3 stays in the denial rule, and the deployment guide says its GetObject denials need S3 data events', () => {
    expect(patterns.denial.source).toContain('aws.s3');
    const guide = readFileSync(join(repoRoot, 'docs/deployment.md'), 'utf8');
    expect(guide).toMatch(/S3 data events/);
  });
});

describe('standalone templates forward with the same patterns', () => {
  // js-yaml ships with the serverless framework (osls); the templates use long-form intrinsics, plain YAML.
  const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };
  type Template = { Resources: Record<string, { Type: string; Properties: { EventPattern?: Pattern; State?: string } }> };
  const rulesOf = (file: string) =>
    Object.values((yaml.load(readFileSync(join(repoRoot, 'infra', file), 'utf8')) as Template).Resources).filter(
      (r) => r.Type === 'AWS::Events::Rule',
    );

  it.each(['iam-event-forwarder.yml', 'org-member-stackset.yml'])('%s', (file) => {
    const rules = rulesOf(file);
    for (const fn of Object.keys(patterns) as RuleFn[]) {
      const rule = rules.find((r) => JSON.stringify(r.Properties.EventPattern) === JSON.stringify(patterns[fn]));
      expect(rule, `${file} forwards ${fn}`).toBeDefined();
      expect(rule!.Properties.State).toBe(fn === 'denial' ? 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS' : 'ENABLED');
    }
    expect(rules).toHaveLength(4);
  });
});
