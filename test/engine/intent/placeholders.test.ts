// Template placeholders in every field kind (issue 13). Expected resources are written from the ARN formats in the
// AWS documentation (spec 2.2 and 2.3): ECR `arn:P:ecr:R:A:repository/NAME` (row 1b; the tag or digest is not part of
// it), SSM `arn:P:ssm:R:A:parameter/NAME` (row 8), Secrets Manager `arn:P:secretsmanager:R:A:secret:NAME-XXXXXX`
// (row 9), log groups `arn:P:logs:R:A:log-group:NAME:*` (row 7), S3 objects `arn:P:s3:::BUCKET/KEY` (rows 11-13).
// A placeholder filling one slot stays there as written (plan, `keep`); compared with a real grant (`omit`) the grant
// is left out. Either way each placeholder is an unresolved entry naming its fields, with one warning.
import { describe, expect, it } from 'vitest';
import { deriveIntent, type IntentOptions } from '../../../lib/engine/intent/index.js';
import { findPlaceholders } from '../../../lib/engine/intent/placeholder.js';
import type { ContainerDefinition, Intent } from '../../../lib/engine/types.js';
import { ACCT, ROLE, codes, pairs, td, unresolved } from './helpers.js';

const keep: IntentOptions = { placeholders: 'keep' };
const PULL = ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'];
const pull = (repo: string) => ['ecr:GetAuthorizationToken *', ...PULL.map((a) => `${a} ${repo}`)].sort();
const streams = (group: string) => [`logs:CreateLogStream ${group}:*`, `logs:PutLogEvents ${group}:*`];
const s3 = (bucket: string, key: string) => [`s3:GetBucketLocation arn:aws:s3:::${bucket}`, `s3:GetObject arn:aws:s3:::${bucket}/${key}`];

/** The syntaxes of the issue and of the corpus, each as a pipeline would write an account ID and a Region. */
const ACCOUNTS = [
  'ACCOUNT_ID',
  'XXXXXXXXXXXX',
  'aws_account_id',
  '${AWS::AccountId}',
  '${AWS_ACCOUNT_ID}',
  '{{must_env `AWS_ACCOUNT_ID`}}',
  '{{ .Env.ACCOUNT_ID }}',
  '$$$ACCOUNT_ID$$$',
  '#{AWS::AccountId}',
  '<ACCOUNT_ID>',
  '${{ secrets.AWS_ACCOUNT_ID }}',
];
const REGIONS = [
  '<AWS_REGION>',
  '${AWS::Region}',
  '{{region}}',
  '$$$$TEST_REGION$$$$',
  '#{Region}',
  '%AWS_REGION%',
  '$AWS_REGION',
  'region',
];
const NAMES = ['${ENV}', '{{env}}', '$$$ENV$$$', '#{Env}', '<ENV>'];

function app(extra: Partial<ContainerDefinition>): ContainerDefinition {
  return { name: 'app', image: 'nginx', ...extra };
}

/** Unresolved placeholder entries as `token @ field`. */
function listed(intent: Intent): string[] {
  return intent.unresolved
    .filter((l) => l.kind === 'placeholder')
    .flatMap((l) => l.reasons.map((r) => `${l.resource} @ ${r.field}`))
    .sort();
}

function both(c: ContainerDefinition, opts: IntentOptions = {}) {
  return { kept: deriveIntent([td([c])], { ...keep, ...opts }), omitted: deriveIntent([td([c])], opts) };
}

describe('placeholder syntaxes are recognised whole', () => {
  it.each([...ACCOUNTS.filter((a) => /[^A-Za-z_]/.test(a)), ...REGIONS.filter((r) => r !== 'region'), ...NAMES])('%s', (token) => {
    expect(findPlaceholders(`a/${token}/b`).map((p) => p.text)).toEqual([token]);
  });

  it('names: the variable each syntax refers to', () => {
    expect(findPlaceholders('${AWS::Region}{{must_env `AWS_ACCOUNT_ID`}}$$$BUCKET$$$#{Env}<AWS_REGION>${tag}').map((p) => p.name)).toEqual([
      'AWS::Region',
      'AWS_ACCOUNT_ID',
      'BUCKET',
      'Env',
      'AWS_REGION',
      'tag',
    ]);
  });
});

describe('ECR host and tag (row 1b)', () => {
  it.each(ACCOUNTS)('registry account %s fills the repository ARN account slot', (a) => {
    const { kept, omitted } = both(app({ image: `${a}.dkr.ecr.us-east-1.amazonaws.com/web/api:1.0` }));
    expect(pairs(kept)).toEqual(pull(`arn:aws:ecr:us-east-1:${a}:repository/web/api`));
    expect(listed(kept)).toEqual([`${a} @ containerDefinitions[0].image`]);
    // No repository, no token: a lone ecr:GetAuthorizationToken serves nothing.
    expect(omitted.requirements).toEqual([]);
    expect(listed(omitted)).toEqual([`${a} @ containerDefinitions[0].image`]);
  });

  it.each(REGIONS)('registry Region %s fills the Region slot (partition from the role)', (r) => {
    const { kept } = both(app({ image: `${ACCT}.dkr.ecr.${r}.amazonaws.com/api:1` }));
    expect(pairs(kept)).toEqual(pull(`arn:aws:ecr:${r}:${ACCT}:repository/api`));
    expect(listed(kept)).toEqual([`${r} @ containerDefinitions[0].image`]);
  });

  it('a China host suffix fixes the partition even when the Region is a placeholder', () => {
    const { kept } = both(app({ image: `${ACCT}.dkr.ecr.\${AWS::Region}.amazonaws.com.cn/api:1` }));
    expect(pairs(kept)).toEqual(pull(`arn:aws-cn:ecr:\${AWS::Region}:${ACCT}:repository/api`));
  });

  it.each(['${tag}', '{{ .Tag }}', '$$$TAG$$$', '#{Build.Number}', '<TAG>', '$GITHUB_SHA', 'TAG'])(
    'tag %s changes nothing about the repository ARN, in either mode',
    (tag) => {
      const image = `${ACCT}.dkr.ecr.us-east-1.amazonaws.com/app:${tag}`;
      const { kept, omitted } = both(app({ image }));
      expect(pairs(kept)).toEqual(pull(`arn:aws:ecr:us-east-1:${ACCT}:repository/app`));
      expect(pairs(omitted)).toEqual(pairs(kept));
      // A capitalised tag is a valid tag: only delimited ones are placeholders there.
      expect(listed(kept)).toEqual(tag === 'TAG' ? [] : [`${tag} @ containerDefinitions[0].image`]);
    },
  );

  it('a digest placeholder changes nothing either', () => {
    const { omitted } = both(app({ image: `${ACCT}.dkr.ecr.us-east-1.amazonaws.com/app@\${DIGEST}` }));
    expect(pairs(omitted)).toEqual(pull(`arn:aws:ecr:us-east-1:${ACCT}:repository/app`));
  });

  it.each(NAMES)('a repository name part %s stays in the name', (n) => {
    const { kept } = both(app({ image: `${ACCT}.dkr.ecr.us-east-1.amazonaws.com/team/app-${n}:1` }));
    expect(pairs(kept)).toEqual(pull(`arn:aws:ecr:us-east-1:${ACCT}:repository/team/app-${n}`));
  });

  it('a capitalised repository component (CodeDeploy style) is a bare placeholder in the name', () => {
    const { kept } = both(app({ image: `${ACCT}.dkr.ecr.us-east-1.amazonaws.com/IMAGE_NAME:TAG` }));
    expect(pairs(kept)).toEqual(pull(`arn:aws:ecr:us-east-1:${ACCT}:repository/IMAGE_NAME`));
    expect(listed(kept)).toEqual(['IMAGE_NAME @ containerDefinitions[0].image']);
  });

  it.each([
    '${IMAGE}',
    '{{demo-app-image}}',
    '$$$$IMAGE$$$$',
    '${ECR_REGISTRY}/app:${tag}',
    'ECR_REGISTRY/app:1',
    'REPOSITORY_URI:TAG',
    '',
  ])('the whole reference or the whole registry %j: no grant, listed', (image) => {
    const { kept } = both(app({ image }));
    expect(kept.requirements).toEqual([]);
    expect(listed(kept).length).toBeGreaterThan(0);
    expect(listed(kept).every((l) => l.endsWith('@ containerDefinitions[0].image'))).toBe(true);
  });

  it('placeholders in a public image need nothing but are still listed', () => {
    const { kept } = both(app({ image: 'public.ecr.aws/docker/library/nginx:${TAG}' }));
    expect(kept.requirements).toEqual([]);
    expect(listed(kept)).toEqual(['${TAG} @ containerDefinitions[0].image']);
  });
});

describe('SSM and Secrets Manager ARNs (rows 8, 9)', () => {
  it.each(ACCOUNTS)('SSM ARN account %s', (a) => {
    const { kept, omitted } = both(app({ secrets: [{ name: 'DB', valueFrom: `arn:aws:ssm:eu-west-1:${a}:parameter/app/db` }] }));
    expect(pairs(kept)).toEqual([`ssm:GetParameters arn:aws:ssm:eu-west-1:${a}:parameter/app/db`]);
    expect(listed(kept)).toEqual([`${a} @ containerDefinitions[0].secrets[0].valueFrom`]);
    expect(omitted.requirements).toEqual([]);
    // No KMS lookup for a parameter that cannot be looked up.
    expect(kept.unresolved.filter((l) => l.kind.startsWith('kms-'))).toEqual([]);
  });

  it.each(REGIONS)('SSM ARN Region %s', (r) => {
    const { kept } = both(app({ secrets: [{ name: 'DB', valueFrom: `arn:aws:ssm:${r}:${ACCT}:parameter/app/db` }] }));
    expect(pairs(kept)).toEqual([`ssm:GetParameters arn:aws:ssm:${r}:${ACCT}:parameter/app/db`]);
  });

  it('SSM ARN with CloudFormation pseudo parameters in every slot, and a name part', () => {
    const v = 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/${AppName}/${EnvName}/db';
    const { kept } = both(app({ secrets: [{ name: 'DB', valueFrom: v }] }));
    expect(pairs(kept)).toEqual([`ssm:GetParameters ${v}`]);
    expect(unresolved(kept)).toEqual(
      ['${AWS::Partition}', '${AWS::Region}', '${AWS::AccountId}', '${AppName}', '${EnvName}'].map((t) => `placeholder ${t}`).sort(),
    );
  });

  it.each(NAMES)('SSM name %s given without ARN: task Region and role account, name part kept', (n) => {
    const { kept } = both(app({ secrets: [{ name: 'DB', valueFrom: `/app/${n}/db` }] }));
    expect(pairs(kept)).toEqual([`ssm:GetParameters arn:aws:ssm:us-east-1:${ACCT}:parameter/app/${n}/db`]);
  });

  it.each(ACCOUNTS)('Secrets Manager complete ARN, account %s', (a) => {
    const v = `arn:aws:secretsmanager:us-east-1:${a}:secret:prod/db-AbCdEf:password::`;
    const { kept, omitted } = both(app({ secrets: [{ name: 'PW', valueFrom: v }] }));
    expect(pairs(kept)).toEqual([`secretsmanager:GetSecretValue arn:aws:secretsmanager:us-east-1:${a}:secret:prod/db-AbCdEf`]);
    expect(omitted.requirements).toEqual([]);
  });

  it.each(REGIONS)('Secrets Manager partial ARN, Region %s: six wildcard characters for the suffix', (r) => {
    const { kept } = both(app({ secrets: [{ name: 'PW', valueFrom: `arn:aws:secretsmanager:${r}:${ACCT}:secret:prod/db` }] }));
    expect(pairs(kept)).toEqual([`secretsmanager:GetSecretValue arn:aws:secretsmanager:${r}:${ACCT}:secret:prod/db-??????`]);
  });

  it('a secret name that ends in a placeholder may or may not carry the suffix: both forms', () => {
    const { kept } = both(app({ secrets: [{ name: 'PW', valueFrom: `arn:aws:secretsmanager:us-east-1:${ACCT}:secret:\${SecretId}` }] }));
    expect(pairs(kept)).toEqual([
      `secretsmanager:GetSecretValue arn:aws:secretsmanager:us-east-1:${ACCT}:secret:\${SecretId}`,
      `secretsmanager:GetSecretValue arn:aws:secretsmanager:us-east-1:${ACCT}:secret:\${SecretId}-??????`,
    ]);
  });

  it.each([
    ['{{SECRETS_ARN}}:KEY::', '{{SECRETS_ARN}}'],
    ['${DB_PASSWORD}', '${DB_PASSWORD}'],
    ['$$$SECRET_OPTION_PARAM$$$', '$$$SECRET_OPTION_PARAM$$$'],
    ['arn:aws:${SERVICE}:us-east-1:111122223333:secret:x', '${SERVICE}'],
  ])('the whole reference %s: no grant, listed with the field', (v, token) => {
    const { kept } = both(app({ secrets: [{ name: 'X', valueFrom: v }] }));
    expect(kept.requirements).toEqual([]);
    expect(listed(kept)).toEqual([`${token} @ containerDefinitions[0].secrets[0].valueFrom`]);
    expect(kept.unresolved[0]!.reasons[0]!.note).toContain('whole reference');
  });

  it('repositoryCredentials by placeholder ARN and by whole placeholder', () => {
    const partial = both(
      app({ repositoryCredentials: { credentialsParameter: `arn:aws:secretsmanager:<AWS_REGION>:${ACCT}:secret:dockerhub` } }),
    );
    expect(pairs(partial.kept)).toEqual([
      `secretsmanager:GetSecretValue arn:aws:secretsmanager:<AWS_REGION>:${ACCT}:secret:dockerhub-??????`,
    ]);
    const whole = both(app({ repositoryCredentials: { credentialsParameter: '$$$REPOSITORY_CREDENTIALS$$$' } }));
    expect(listed(whole.kept)).toEqual([
      '$$$REPOSITORY_CREDENTIALS$$$ @ containerDefinitions[0].repositoryCredentials.credentialsParameter',
    ]);
  });
});

describe('log group and Region (row 7)', () => {
  const awslogs = (options: Record<string, string>) => app({ logConfiguration: { logDriver: 'awslogs', options } });

  it.each(REGIONS)('awslogs-region %s stays in the Region slot, listed under awslogs-region', (r) => {
    const { kept, omitted } = both(awslogs({ 'awslogs-group': '/ecs/web', 'awslogs-region': r }));
    expect(pairs(kept)).toEqual(streams(`arn:aws:logs:${r}:${ACCT}:log-group:/ecs/web`));
    expect(listed(kept)).toEqual([`${r} @ containerDefinitions[0].logConfiguration.options["awslogs-region"]`]);
    expect(omitted.requirements).toEqual([]);
  });

  it('--region never overwrites a placeholder awslogs-region (it fills only an unknown task Region)', () => {
    const c = awslogs({ 'awslogs-group': 'g', 'awslogs-region': '${AWS_REGION}' });
    const intent = deriveIntent([td([c], { taskDefinitionArn: undefined })], { ...keep, region: 'eu-west-1' });
    expect(pairs(intent)).toEqual(streams(`arn:aws:logs:\${AWS_REGION}:${ACCT}:log-group:g`));
  });

  it.each(NAMES)('a group name part %s stays in the name', (n) => {
    const { kept } = both(awslogs({ 'awslogs-group': `/ecs/${n}/web`, 'awslogs-region': 'eu-west-1', 'awslogs-create-group': 'true' }));
    const g = `arn:aws:logs:eu-west-1:${ACCT}:log-group:/ecs/${n}/web`;
    expect(pairs(kept)).toEqual([`logs:CreateLogGroup ${g}`, `logs:CreateLogGroup ${g}:*`, ...streams(g)].sort());
  });

  it('a whole-placeholder group {{AWS_LOG_GROUP}}: no grant, listed', () => {
    const { kept } = both(awslogs({ 'awslogs-group': '{{AWS_LOG_GROUP}}', 'awslogs-region': 'us-east-1' }));
    expect(kept.requirements).toEqual([]);
    expect(listed(kept)).toEqual(['{{AWS_LOG_GROUP}} @ containerDefinitions[0].logConfiguration.options["awslogs-group"]']);
  });

  it('a placeholder awslogs-create-group is covered as if "true"', () => {
    const { omitted } = both(awslogs({ 'awslogs-group': 'g', 'awslogs-create-group': '${CREATE_GROUP}' }));
    const g = `arn:aws:logs:us-east-1:${ACCT}:log-group:g`;
    expect(pairs(omitted)).toEqual([`logs:CreateLogGroup ${g}`, `logs:CreateLogGroup ${g}:*`, ...streams(g)].sort());
    expect(listed(omitted)).toEqual(['${CREATE_GROUP} @ containerDefinitions[0].logConfiguration.options["awslogs-create-group"]']);
  });

  it.each(ACCOUNTS)("the role's account %s is the log group's account", (a) => {
    const c = awslogs({ 'awslogs-group': 'g', 'awslogs-region': 'us-east-1' });
    const intent = deriveIntent([td([c], { executionRoleArn: `arn:aws:iam::${a}:role/exec`, taskDefinitionArn: undefined })], keep);
    expect(pairs(intent)).toEqual(streams(`arn:aws:logs:us-east-1:${a}:log-group:g`));
    expect(listed(intent)).toEqual([`${a} @ containerDefinitions[0].logConfiguration.options["awslogs-group"]`, `${a} @ executionRoleArn`]);
  });
});

describe('S3 environment files, FireLens and gMSA objects (rows 11-13)', () => {
  const BUCKETS = ['$$$BUCKET$$$', '${ConfigBucket}', '{{bucket}}', '#{Bucket}', 'my-${Env}-config'];

  it.each(BUCKETS)('environment file in bucket %s', (b) => {
    const { kept, omitted } = both(app({ environmentFiles: [{ type: 's3', value: `arn:aws:s3:::${b}/app/web.env` }] }));
    expect(pairs(kept)).toEqual(s3(b, 'app/web.env'));
    expect(omitted.requirements).toEqual([]);
    expect(listed(kept)[0]).toMatch(/@ containerDefinitions\[0\]\.environmentFiles\[0\]\.value$/);
  });

  it('environment file with a placeholder partition and key part', () => {
    const { kept } = both(app({ environmentFiles: [{ type: 's3', value: 'arn:${AWS::Partition}:s3:::cfg/${Env}/web.env' }] }));
    expect(pairs(kept)).toEqual([
      's3:GetBucketLocation arn:${AWS::Partition}:s3:::cfg',
      's3:GetObject arn:${AWS::Partition}:s3:::cfg/${Env}/web.env',
    ]);
  });

  it.each(BUCKETS)('FireLens config file in bucket %s', (b) => {
    const c = app({
      firelensConfiguration: {
        type: 'fluentbit',
        options: { 'config-file-type': 's3', 'config-file-value': `arn:aws:s3:::${b}/fluent-bit.conf` },
      },
    });
    const { kept } = both(c);
    expect(pairs(kept)).toEqual(s3(b, 'fluent-bit.conf'));
    expect(listed(kept)[0]).toMatch(/@ containerDefinitions\[0\]\.firelensConfiguration\.options\["config-file-value"\]$/);
  });

  it.each(BUCKETS)('gMSA credential spec in bucket %s', (b) => {
    const { kept } = both(app({ credentialSpecs: [`credentialspec:arn:aws:s3:::${b}/gmsa/spec.json`] }));
    expect(pairs(kept)).toEqual(s3(b, 'gmsa/spec.json'));
  });

  it('gMSA SSM credential spec with a placeholder name part: read in the task Region', () => {
    const { kept } = both(app({ credentialSpecs: ['credentialspec:arn:aws:ssm:us-east-1:111122223333:parameter/gmsa/${Env}'] }));
    expect(pairs(kept)).toEqual([`ssm:GetParameters arn:aws:ssm:us-east-1:${ACCT}:parameter/gmsa/\${Env}`]);
  });

  it.each([
    ['credentialSpecs', ['credentialspec:${CREDSPECARN}']],
    ['dockerSecurityOptions', ['credentialspec:{{CREDSPEC}}']],
  ])('a whole-placeholder credential spec in %s: no grant, listed', (field, specs) => {
    const { kept } = both(app({ [field]: specs }));
    expect(kept.requirements).toEqual([]);
    expect(listed(kept)).toEqual([`${specs[0]!.slice('credentialspec:'.length)} @ containerDefinitions[0].${field}[0]`]);
  });

  it('a whole-placeholder S3 object: no grant, listed', () => {
    const { kept } = both(app({ environmentFiles: [{ type: 's3', value: '${ENV_FILE_ARN}' }] }));
    expect(kept.requirements).toEqual([]);
    expect(listed(kept)).toEqual(['${ENV_FILE_ARN} @ containerDefinitions[0].environmentFiles[0].value']);
  });
});

describe('one warning per distinct placeholder, every use listed', () => {
  it('the same placeholder in five fields of two containers: one unresolved entry, one warning', () => {
    const c = (name: string): ContainerDefinition => ({
      name,
      image: '${AWS_ACCOUNT_ID}.dkr.ecr.us-east-1.amazonaws.com/web:1',
      secrets: [{ name: 'DB', valueFrom: 'arn:aws:ssm:us-east-1:${AWS_ACCOUNT_ID}:parameter/db' }],
      logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': 'g', 'awslogs-region': 'us-east-1' } },
    });
    const intent = deriveIntent(
      [td([c('a'), c('b')], { executionRoleArn: 'arn:aws:iam::${AWS_ACCOUNT_ID}:role/exec', taskDefinitionArn: undefined })],
      keep,
    );
    expect(unresolved(intent)).toEqual(['placeholder ${AWS_ACCOUNT_ID}']);
    expect(new Set(intent.unresolved[0]!.reasons.map((r) => r.field)).size).toBe(7);
    const warnings = intent.warnings.filter((w) => w.code === 'placeholder');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toContain('${AWS_ACCOUNT_ID}');
    expect(warnings[0]!.reasons!.map((r) => r.container)).toEqual(expect.arrayContaining(['a', 'b']));
  });

  it('a placeholder holding an IAM wildcard is never written into a policy', () => {
    for (const image of [
      `${ACCT}.dkr.ecr.us-east-1.amazonaws.com/{{ .Repo | default "*" }}:1`,
      `${ACCT}.dkr.ecr.us-east-1.amazonaws.com/a?b:1`,
    ]) {
      expect(deriveIntent([td([app({ image })])], keep).requirements).toEqual([]);
    }
    const secret = deriveIntent(
      [td([app({ secrets: [{ name: 'X', valueFrom: `arn:aws:secretsmanager:us-east-1:${ACCT}:secret:*` }] })])],
      keep,
    );
    expect(secret.requirements).toEqual([]);
    expect(codes(secret)).toEqual(['invalid-reference']);
  });

  it('concrete task definitions list nothing', () => {
    const intent = deriveIntent([td([app({ image: `${ACCT}.dkr.ecr.us-east-1.amazonaws.com/web:1` })], { executionRoleArn: ROLE })], keep);
    expect(intent.unresolved).toEqual([]);
  });
});
