import { describe, expect, it } from 'vitest';
import { deriveIntent } from '../../../lib/engine/intent/index.js';
import type { ContainerDefinition } from '../../../lib/engine/types.js';
import { ACCT, OTHER, codes, find, pairs, td, unresolved } from './helpers.js';

function withSecrets(...valueFrom: string[]): ContainerDefinition {
  return { name: 'app', image: 'nginx', secrets: valueFrom.map((v, i) => ({ name: `S${i}`, valueFrom: v })) };
}

function secretIntent(...valueFrom: string[]) {
  return deriveIntent([td([withSecrets(...valueFrom)])]);
}

const SM = `arn:aws:secretsmanager:us-east-1:${ACCT}:secret`;

describe('SSM Parameter Store (row 8)', () => {
  it('a name without slash → task Region and role account', () => {
    const intent = secretIntent('dbpass');
    expect(pairs(intent)).toEqual([`ssm:GetParameters arn:aws:ssm:us-east-1:${ACCT}:parameter/dbpass`]);
    expect(unresolved(intent)).toEqual([`kms-key-for-parameter arn:aws:ssm:us-east-1:${ACCT}:parameter/dbpass`]);
  });

  it('a name with a leading slash drops it (never parameter//)', () => {
    const intent = secretIntent('/prod/db/pass');
    expect(pairs(intent)).toEqual([`ssm:GetParameters arn:aws:ssm:us-east-1:${ACCT}:parameter/prod/db/pass`]);
  });

  it('an ARN keeps its own Region and account', () => {
    const arn = `arn:aws:ssm:eu-west-1:${OTHER}:parameter/shared/x`;
    const intent = secretIntent(arn);
    expect(pairs(intent)).toEqual([`ssm:GetParameters ${arn}`]);
    expect(find(intent, 'ssm:GetParameters', arn)!.crossAccount).toBe(true);
    expect(codes(intent)).toEqual(['cross-account-secret']);
  });

  it('GovCloud task: partition from the Region', () => {
    const intent = deriveIntent([
      td([withSecrets('/p')], {
        taskDefinitionArn: `arn:aws-us-gov:ecs:us-gov-west-1:${ACCT}:task-definition/app:1`,
        executionRoleArn: `arn:aws-us-gov:iam::${ACCT}:role/x`,
      }),
    ]);
    expect(pairs(intent)).toEqual([`ssm:GetParameters arn:aws-us-gov:ssm:us-gov-west-1:${ACCT}:parameter/p`]);
  });

  it('a name with unknown Region and account → both lookups, no requirement', () => {
    const intent = deriveIntent([td([withSecrets('/l3t2/KEY')], { taskDefinitionArn: undefined, executionRoleArn: undefined })]);
    expect(intent.requirements).toEqual([]);
    expect(unresolved(intent)).toEqual(['needs-account parameter/l3t2/KEY', 'needs-region parameter/l3t2/KEY']);
  });

  it('the colon typo form of the docs is rejected', () => {
    const intent = secretIntent(`arn:aws:ssm:us-east-1:${ACCT}:parameter:/p`);
    expect(intent.requirements).toEqual([]);
    expect(codes(intent)).toEqual(['invalid-parameter-arn']);
  });
});

describe('Secrets Manager (row 9)', () => {
  it('a full ARN (6-character suffix) is used exactly, with the ambiguity noted', () => {
    const intent = secretIntent(`${SM}:db/password-AbCdEf`);
    expect(pairs(intent)).toEqual([`secretsmanager:GetSecretValue ${SM}:db/password-AbCdEf`]);
    expect(intent.requirements[0]!.reasons[0]!.note).toMatch(/full ARN/);
    expect(unresolved(intent)).toEqual([`kms-key-for-secret ${SM}:db/password-AbCdEf`]);
  });

  // Secrets Manager docs: a partial ARN whose name "ends in a hyphen followed by six characters" makes Secrets
  // Manager "assume that you're specifying a complete ARN"; secret names should not end like that. When the six
  // characters read like a word or a number rather than the random suffix, both readings are granted, with a warning.
  it.each(['servus/jwt-access-secret', 'app/db-CONFIG', 'reports-202401'])('%s: ambiguous, both name and name-?????? granted', (name) => {
    const intent = secretIntent(`${SM}:${name}`, `${SM}:${name}:password::`);
    expect(pairs(intent)).toEqual([`secretsmanager:GetSecretValue ${SM}:${name}`, `secretsmanager:GetSecretValue ${SM}:${name}-??????`]);
    expect(codes(intent)).toEqual(['ambiguous-secret-suffix']);
    expect(intent.warnings[0]!.reasons!.map((r) => r.field)).toEqual([
      'containerDefinitions[0].secrets[0].valueFrom',
      'containerDefinitions[0].secrets[1].valueFrom',
    ]);
    expect(intent.requirements[0]!.reasons[0]!.note).toMatch(/both granted/);
    expect(unresolved(intent)).toEqual([`kms-key-for-secret ${SM}:${name}`]);
  });

  it('six characters that read like the random suffix are taken as the complete ARN', () => {
    for (const name of ['db-OdkoP3', 'the-floor/prod-48goq3', 'x-hZZEUq']) {
      expect(pairs(secretIntent(`${SM}:${name}`))).toEqual([`secretsmanager:GetSecretValue ${SM}:${name}`]);
    }
  });

  it('a partial ARN gets exactly six wildcard characters', () => {
    expect(pairs(secretIntent(`${SM}:db/password`))).toEqual([`secretsmanager:GetSecretValue ${SM}:db/password-??????`]);
  });

  it.each([
    [`${SM}:name-AbCdEf:username::`, `${SM}:name-AbCdEf`],
    [`${SM}:name-AbCdEf::AWSPREVIOUS:`, `${SM}:name-AbCdEf`],
    [`${SM}:name-AbCdEf:::9d4cb84b-ad69-40c0-a0ab-cead3EXAMPLE`, `${SM}:name-AbCdEf`],
    [`${SM}:myapp:username::`, `${SM}:myapp-??????`],
  ])('json-key/version suffix stripped: %s', (valueFrom, resource) => {
    const intent = secretIntent(valueFrom);
    expect(pairs(intent)).toEqual([`secretsmanager:GetSecretValue ${resource}`]);
  });

  it.each([
    `${SM}:name-AbCdEf:username`,
    `${SM}:name-AbCdEf:a:b`,
    `${SM}:name-AbCdEf:a:b:c:d`,
    `arn:aws:secretsmanager:us-east-1:${ACCT}:other:x`,
  ])('the agent rejects %s: warning, no requirement', (valueFrom) => {
    const intent = secretIntent(valueFrom);
    expect(intent.requirements).toEqual([]);
    expect(codes(intent)).toEqual(['invalid-secret-arn']);
    expect(intent.warnings[0]!.message).toContain('the ECS agent rejects it');
  });

  it('many references to one secret → one requirement, one reason per field, one KMS lookup', () => {
    const intent = secretIntent(`${SM}:app-AbCdEf:a::`, `${SM}:app-AbCdEf:b::`, `${SM}:app-AbCdEf:c::`);
    expect(intent.requirements).toHaveLength(1);
    expect(intent.requirements[0]!.reasons.map((r) => r.field)).toEqual(
      [0, 1, 2].map((i) => `containerDefinitions[0].secrets[${i}].valueFrom`),
    );
    expect(intent.unresolved).toHaveLength(1);
    expect(intent.unresolved[0]!.reasons).toHaveLength(3);
  });

  it('another account: crossAccount and a resource-policy warning', () => {
    const arn = `arn:aws:secretsmanager:us-east-1:${OTHER}:secret:shared-AbCdEf`;
    const intent = secretIntent(arn);
    expect(find(intent, 'secretsmanager:GetSecretValue', arn)!.crossAccount).toBe(true);
    expect(codes(intent)).toEqual(['cross-account-secret']);
  });

  // Deliberate change (issue 13): placeholders are listed as unresolved with their field; compared with a real grant
  // (the default, `omit`) the grant is left out, in a plan (`keep`) it keeps the placeholder in its slot.
  it.each([
    ['arn:aws:secretsmanager:region:aws_account_id:secret:secret_name-AbCdEf', ['aws_account_id', 'region']],
    ['arn:${Partition}:secretsmanager:${Region}:${Account}:secret:${SecretId}', ['${Account}', '${Partition}', '${Region}', '${SecretId}']],
    ['$$$SECRET_OPTION_PARAM$$$', ['$$$SECRET_OPTION_PARAM$$$']],
  ])('placeholder %s → unresolved, no requirement when compared', (valueFrom, tokens) => {
    const intent = secretIntent(valueFrom);
    expect(intent.requirements).toEqual([]);
    expect(unresolved(intent)).toEqual(tokens.map((t) => `placeholder ${t}`).sort());
    expect(codes(intent)).toEqual(tokens.map(() => 'placeholder'));
  });

  it('valueFrom of another service is a warning', () => {
    expect(codes(secretIntent('arn:aws:s3:::bucket/key'))).toEqual(['unsupported-secret-source']);
  });
});

describe('SSM reference to Secrets Manager (row 8b)', () => {
  it('needs both ssm:GetParameters and secretsmanager:GetSecretValue', () => {
    const intent = secretIntent('/aws/reference/secretsmanager/prod/db');
    expect(pairs(intent)).toEqual([
      `secretsmanager:GetSecretValue ${SM}:prod/db-??????`,
      `ssm:GetParameters arn:aws:ssm:us-east-1:${ACCT}:parameter/aws/reference/secretsmanager/prod/db`,
    ]);
    expect(unresolved(intent)).toEqual([`kms-key-for-secret ${SM}:prod/db`]);
  });
});

describe('log-driver secretOptions', () => {
  it('are read like secrets', () => {
    const c: ContainerDefinition = {
      name: 'app',
      image: 'nginx',
      logConfiguration: {
        logDriver: 'awsfirelens',
        options: { Name: 'datadog' },
        secretOptions: [{ name: 'apikey', valueFrom: `${SM}:dd-AbCdEf` }],
      },
    };
    const intent = deriveIntent([td([c])]);
    expect(pairs(intent)).toEqual([`secretsmanager:GetSecretValue ${SM}:dd-AbCdEf`]);
    expect(intent.requirements[0]!.reasons[0]!.field).toBe('containerDefinitions[0].logConfiguration.secretOptions[0].valueFrom');
  });
});

describe('repositoryCredentials (row 6)', () => {
  function creds(credentialsParameter: string) {
    return deriveIntent([td([{ name: 'app', image: 'registry.example.com/team/app:1', repositoryCredentials: { credentialsParameter } }])]);
  }

  it('a full ARN as is', () => {
    expect(pairs(creds(`${SM}:dockerhub-AbCdEf`))).toEqual([`secretsmanager:GetSecretValue ${SM}:dockerhub-AbCdEf`]);
  });

  it('a partial ARN or a name → -??????', () => {
    expect(pairs(creds(`${SM}:dockerhub`))).toEqual([`secretsmanager:GetSecretValue ${SM}:dockerhub-??????`]);
    expect(pairs(creds('dockerhub'))).toEqual([`secretsmanager:GetSecretValue ${SM}:dockerhub-??????`]);
  });

  it('emits a KMS lookup for the secret', () => {
    expect(unresolved(creds('dockerhub'))).toEqual([`kms-key-for-secret ${SM}:dockerhub`]);
  });

  it('a placeholder is listed as unresolved, with no grant', () => {
    const intent = creds('$$$REPOSITORY_CREDENTIALS$$$');
    expect(intent.requirements).toEqual([]);
    expect(unresolved(intent)).toEqual(['placeholder $$$REPOSITORY_CREDENTIALS$$$']);
    expect(codes(intent)).toEqual(['placeholder']);
  });
});
