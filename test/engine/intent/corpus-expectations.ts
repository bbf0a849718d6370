// Expected intent for every task definition of corpus set A, written from reading each file and spec 2.3.
import { listCorpus, loadCorpusJson } from '../../support/corpus.js';

export const DIR = 'task-definitions';
export const files = listCorpus(DIR, '.json');
export const fileFor = (id: string): string => files.find((f) => f.startsWith(`${id}_`)) as string;

export const TOKEN = 'ecr:GetAuthorizationToken *';
const ECR_ACTIONS = ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'];
export const ecr = (repoArn: string): string[] => ECR_ACTIONS.map((a) => `${a} ${repoArn}`);
export const logs = (groupArn: string, create = false): string[] => [
  ...(create ? [`logs:CreateLogGroup ${groupArn}`, `logs:CreateLogGroup ${groupArn}:*`] : []),
  `logs:CreateLogStream ${groupArn}:*`,
  `logs:PutLogEvents ${groupArn}:*`,
];
const s3 = (bucket: string, key: string): string[] => [
  `s3:GetBucketLocation arn:aws:s3:::${bucket}`,
  `s3:GetObject arn:aws:s3:::${bucket}/${key}`,
];

/** valueFrom of every secrets[] entry of container 0, read from the raw file (for ARNs kept verbatim). */
export function valueFroms(id: string): string[] {
  type Raw = { containerDefinitions?: { secrets?: { valueFrom: string }[] }[] };
  const raw = loadCorpusJson<Raw & { data?: { taskDefinition: Raw } }>(DIR, fileFor(id));
  const td = raw.data?.taskDefinition ?? raw;
  return (td.containerDefinitions?.[0]?.secrets ?? []).map((s) => s.valueFrom);
}

export interface Expectation {
  /** Exact set of `action resource` pairs with no options. */
  pairs: string[];
  unresolved?: string[];
  /** Warning codes that must be present. */
  warnings?: string[];
}

export const E: Record<string, Expectation> = {
  // Public nginx; no executionRoleArn and no ARN: the log group's account is unknown.
  A01: { pairs: [], unresolved: ['needs-account log-group:awslogs-nginx-ecs'], warnings: ['no-execution-role', 'needs-account'] },
  A02: { pairs: [], unresolved: ['needs-account log-group:/ecs/tomcat-container-logs'], warnings: ['no-execution-role', 'needs-account'] },
  // Deliberate change (issue 13): these expectations are for a plan (`placeholders: 'keep'`). A placeholder filling
  // one slot of an ARN stays in it as written; every placeholder is an unresolved entry with its fields.
  // The role's account is the placeholder XXXXXXXXXXXX: the log-group ARN keeps it.
  A03: {
    pairs: [
      ...s3('yourbucket', 'yourdirectory/extra.conf'),
      ...logs('arn:aws:logs:us-west-2:XXXXXXXXXXXX:log-group:firelens-container', true),
    ],
    unresolved: ['placeholder XXXXXXXXXXXX'],
    warnings: ['placeholder'],
  },
  A04: {
    pairs: [
      TOKEN,
      ...ecr('arn:aws:ecr:us-east-1:906394416424:repository/aws-for-fluent-bit'),
      ...logs('arn:aws:logs:us-west-2:XXXXXXXXXXXX:log-group:firelens-container', true),
    ],
    unresolved: ['placeholder XXXXXXXXXXXX'],
    warnings: ['placeholder'],
  },
  // secretOptions ARN has Region "region" and account "aws_account_id" (bare placeholders in their slots); the name
  // ends in a random-looking suffix (AbCdEf), so it is the complete ARN.
  A05: {
    pairs: [
      TOKEN,
      ...ecr('arn:aws:ecr:us-east-2:533243300146:repository/newrelic/logging-firelens-fluentbit'),
      'secretsmanager:GetSecretValue arn:aws:secretsmanager:region:aws_account_id:secret:secret_name-AbCdEf',
    ],
    unresolved: ['placeholder aws_account_id', 'placeholder region'],
    warnings: ['placeholder'],
  },
  // Every field of the secret ARN is a ${…} placeholder; the name may or may not carry the suffix: both forms.
  A06: {
    pairs: [
      'secretsmanager:GetSecretValue arn:${Partition}:secretsmanager:${Region}:${Account}:secret:${SecretId}',
      'secretsmanager:GetSecretValue arn:${Partition}:secretsmanager:${Region}:${Account}:secret:${SecretId}-??????',
    ],
    unresolved: [
      'placeholder XXXXXXXXXXXX',
      'placeholder ${Partition}',
      'placeholder ${Region}',
      'placeholder ${Account}',
      'placeholder ${SecretId}',
    ],
    warnings: ['placeholder'],
  },
  A07: {
    pairs: [
      TOKEN,
      ...ecr('arn:aws:ecr:us-east-1:012345678910:repository/aws-for-fluent-bit-custom-envoy'),
      ...ecr('arn:aws:ecr:us-east-1:012345678910:repository/colorteller'),
      ...ecr('arn:aws:ecr:us-east-1:840364872350:repository/aws-appmesh-envoy'),
      ...logs('arn:aws:logs:us-east-1:012345678910:log-group:appmesh-firelens'),
    ],
    unresolved: [],
    warnings: ['cross-account-ecr'],
  },
  // Registry, role and log group all in account "XXXXX" (a placeholder kept in the account slot); `myApp` is not a
  // valid repository name (uppercase), so that image gets a warning and no grant.
  A08: {
    pairs: [
      TOKEN,
      ...ecr('arn:aws:ecr:us-east-1:XXXXX:repository/fluentd'),
      ...logs('arn:aws:logs:us-east-1:XXXXX:log-group:firelens-container', true),
      ...s3('yourbucket', 'yourdirectory/extra.conf'),
    ],
    unresolved: ['placeholder XXXXX'],
    warnings: ['invalid-image', 'placeholder'],
  },
  // The role and the image are whole placeholders; awslogs-region {{awslogs-region}} is kept for the Region slot but
  // the account (and the partition) are unknown without --account / --region.
  A09: {
    pairs: [],
    unresolved: [
      'placeholder {{execution-role-arn}}',
      'placeholder {{demo-app-image}}',
      'placeholder {{awslogs-region}}',
      'needs-account log-group:/ecs/ecs-cwagent-sidecar-fargate',
      'needs-account parameter/ecs-cwagent-sidecar-fargate',
      'needs-region log-group:/ecs/ecs-cwagent-sidecar-fargate',
      'needs-region parameter/ecs-cwagent-sidecar-fargate',
    ],
    warnings: ['placeholder', 'needs-region', 'needs-account'],
  },
  A10: {
    pairs: [],
    unresolved: [
      'placeholder {{ecsTaskExecutionRoleArn}}',
      'placeholder {{region}}',
      'needs-account log-group:/ecs/ecs-aws-otel-sidecar-app',
      'needs-account log-group:/ecs/ecs-aws-otel-sidecar-collector',
      'needs-account log-group:/ecs/statsd-emitter',
      'needs-region log-group:/ecs/ecs-aws-otel-sidecar-app',
      'needs-region log-group:/ecs/ecs-aws-otel-sidecar-collector',
    ],
  },
  // Task in us-east-2, image from us-east-1, SSM ARNs keep us-east-2, logs in us-east-2.
  A11: {
    pairs: [
      TOKEN,
      ...ecr('arn:aws:ecr:us-east-1:644160558196:repository/stacklet-redash'),
      ...logs('arn:aws:logs:us-east-2:644160558196:log-group:/fargate/tasks/dev-redash-server'),
      'ssm:GetParameters arn:aws:ssm:us-east-2:644160558196:parameter/dev/redash/cookie_secret',
      'ssm:GetParameters arn:aws:ssm:us-east-2:644160558196:parameter/dev/redash/secret',
    ],
    unresolved: [
      'kms-key-for-parameter arn:aws:ssm:us-east-2:644160558196:parameter/dev/redash/cookie_secret',
      'kms-key-for-parameter arn:aws:ssm:us-east-2:644160558196:parameter/dev/redash/secret',
    ],
  },
  A12: {
    pairs: [
      TOKEN,
      ...ecr('arn:aws:ecr:us-east-1:644160558196:repository/docker-on-aws/nodejs'),
      ...logs('arn:aws:logs:us-east-1:644160558196:log-group:/ecs/test-delete-definition', true),
    ],
    unresolved: [],
  },
  A13: { pairs: logs('arn:aws:logs:us-east-1:644160558196:log-group:/ecs/ecs-read-only-root'), unresolved: [] },
  // 127.0.0.1:51671/busybox is not ECR; the credentials parameter is a whole $$$ placeholder.
  A14: {
    pairs: [],
    unresolved: ['placeholder $$$EXECUTION_ROLE$$$', 'placeholder $$$REPOSITORY_CREDENTIALS$$$'],
    warnings: ['placeholder'],
  },
  // The FireLens S3 config keeps the $$$TEST_S3_BUCKET$$$ bucket; awslogs keeps its $$$TEST_REGION$$$ but the account
  // behind $$$EXECUTION_ROLE$$$ is unknown; the secretOptions value is a whole placeholder.
  A15: {
    pairs: [
      's3:GetBucketLocation arn:aws:s3:::$$$TEST_S3_BUCKET$$$',
      's3:GetObject arn:aws:s3:::$$$TEST_S3_BUCKET$$$/testfiles/fluentbit.conf',
    ],
    unresolved: [
      'placeholder $$$EXECUTION_ROLE$$$',
      'placeholder $$$TEST_REGION$$$',
      'placeholder $$$TEST_S3_BUCKET$$$',
      'placeholder $$$SECRET_OPTION_PARAM$$$',
      'needs-account log-group:ecs-functional-tests',
      'needs-region log-group:ecs-functional-tests',
    ],
    warnings: ['placeholder', 'needs-region', 'needs-account'],
  },
  A16: {
    pairs: [],
    unresolved: [
      'placeholder $$$$EXECUTION_ROLE$$$$',
      'placeholder $$$$IMAGE$$$$',
      'placeholder $$$$TEST_REGION$$$$',
      'needs-account log-group:ecs-functional-tests',
      'needs-region log-group:ecs-functional-tests',
    ],
    warnings: ['placeholder'],
  },
  // Eight JSON keys of one secret → one requirement on the full ARN.
  A18: {
    pairs: [
      TOKEN,
      ...ecr('arn:aws:ecr:us-east-1:796973514473:repository/core-saida/orchestrator'),
      ...logs(
        'arn:aws:logs:us-east-1:796973514473:log-group:CoreSaidaInfrastructure-OrchestratorAppOrchestratorTaskDefOrchestratorContainerLogGroup04CFDDB9-KMpK1WFaeGv0',
      ),
      'secretsmanager:GetSecretValue arn:aws:secretsmanager:us-east-1:796973514473:secret:OrchestratorAppOrchestrator-bZlF7A4UwmC1-OdkoP3',
    ],
    unresolved: ['kms-key-for-secret arn:aws:secretsmanager:us-east-1:796973514473:secret:OrchestratorAppOrchestrator-bZlF7A4UwmC1-OdkoP3'],
  },
  A19: {
    pairs: [
      TOKEN,
      ...ecr('arn:aws:ecr:us-east-1:418125923797:repository/prd_go_kanban_api_server_repository'),
      ...logs('arn:aws:logs:us-east-1:418125923797:log-group:/ecs/prd_go_kanban_8080', true),
      'secretsmanager:GetSecretValue arn:aws:secretsmanager:us-east-1:418125923797:secret:prd-go-kanban-firebase-api-server-fb-secret-credential-GCAlBi',
    ],
  },
  A20: {
    pairs: [
      TOKEN,
      ...ecr('arn:aws:ecr:eu-central-1:147882094138:repository/witp'),
      ...logs('arn:aws:logs:eu-central-1:147882094138:log-group:/ecs/witp-server', true),
      ...[
        'dev/witp/dns-WUWoov',
        'prod/witp/db_uri-MzD5WF',
        'prod/witp/jwt_private_key-xYT66g',
        'prod/witp/ssl_cert-goNKWL',
        'prod/witp/ssl_key-hFFsNc',
        'prod/witp/mapbox_api_key-mwOLL1',
      ].map((n) => `secretsmanager:GetSecretValue arn:aws:secretsmanager:eu-central-1:147882094138:secret:${n}`),
    ],
  },
  A21: {
    pairs: [
      TOKEN,
      ...ecr('arn:aws:ecr:us-east-1:465535123942:repository/moikai'),
      ...logs('arn:aws:logs:us-east-1:465535123942:log-group:/ecs/moikai'),
      ...valueFroms('A21').map((v) => `ssm:GetParameters ${v}`),
    ],
  },
  // Account from executionRoleArn; no taskDefinitionArn, so the SSM names' Region is unknown.
  A22: {
    pairs: logs('arn:aws:logs:us-east-1:189803205932:log-group:/ecs/TASK_FAMILY'),
    unresolved: [
      'SECRET_KEY',
      'POSTGRES_URL',
      'POSTGRES_USER',
      'POSTGRES_PW',
      'POSTGRES_DB',
      'FB_CLIENT_ID',
      'FB_CLIENT_SECRET',
      'STRIPE_PUBLISHABLE_KEY',
      'STRIPE_SECRET_KEY',
    ]
      .map((n) => `needs-region parameter/l3t2/${n}`)
      // CodeDeploy's REPOSITORY_URI:TAG: the whole image is a placeholder (a bare capitalised repository name).
      .concat(['placeholder REPOSITORY_URI']),
    warnings: ['needs-region', 'placeholder'],
  },
  A23: {
    pairs: [
      TOKEN,
      ...ecr('arn:aws:ecr:us-east-1:919287165101:repository/picktoss-server-prod'),
      ...logs('arn:aws:logs:us-east-1:919287165101:log-group:/ecs/picktoss-prod-task-definition', true),
      ...valueFroms('A23').map((v) => `ssm:GetParameters ${v}`),
    ],
  },
  A24: {
    pairs: [
      TOKEN,
      ...ecr('arn:aws:ecr:us-east-2:058264339376:repository/datapull/fastapi-backend'),
      ...logs('arn:aws:logs:us-east-2:058264339376:log-group:/ecs/fastapi-backend'),
    ],
    unresolved: [],
  },
  // "banbury-backend-dev" is a Docker Hub short name.
  A25: { pairs: logs('arn:aws:logs:us-east-1:145023116180:log-group:/ecs/banbury-cloud', true), unresolved: [] },
  A26: {
    pairs: [
      TOKEN,
      ...ecr('arn:aws:ecr:eu-north-1:129394705401:repository/amesa-payment-service'),
      ...logs('arn:aws:logs:eu-north-1:129394705401:log-group:/ecs/amesa-payment-service'),
      'secretsmanager:GetSecretValue arn:aws:secretsmanager:eu-north-1:129394705401:secret:amesa/payment/stripe-keys-hZZEUq',
    ],
    unresolved: [
      'kms-key-for-secret arn:aws:secretsmanager:eu-north-1:129394705401:secret:amesa/payment/stripe-keys-hZZEUq',
      ...['JwtSettings/SecretKey', 'ConnectionStrings/Payment', 'ConnectionStrings/Redis', 'ServiceAuth/ApiKey'].map(
        (n) => `needs-region parameter/amesa/prod/${n}`,
      ),
    ],
  },
  A27: {
    pairs: [
      TOKEN,
      ...ecr('arn:aws:ecr:us-east-1:967512078853:repository/the-floor-api'),
      ...logs('arn:aws:logs:us-east-1:967512078853:log-group:/ecs/the-floor-api'),
      'secretsmanager:GetSecretValue arn:aws:secretsmanager:us-east-1:967512078853:secret:the-floor/prod-48goq3',
    ],
    unresolved: ['kms-key-for-secret arn:aws:secretsmanager:us-east-1:967512078853:secret:the-floor/prod-48goq3'],
  },
  A28: {
    pairs: [
      TOKEN,
      ...ecr('arn:aws:ecr:eu-central-1:361347920884:repository/my-ecr-repo'),
      ...logs('arn:aws:logs:eu-central-1:361347920884:log-group:/ecs/gha-def'),
    ],
    unresolved: [],
  },
  A29: {
    pairs: [
      TOKEN,
      ...ecr('arn:aws:ecr:ap-northeast-1:844790362879:repository/girok-server-prod'),
      ...logs('arn:aws:logs:ap-northeast-1:844790362879:log-group:/ecs/girok-server-prod', true),
      ...valueFroms('A29').map((v) => `ssm:GetParameters ${v}`),
    ],
  },
  // The image is left empty for CI to fill: listed like a placeholder.
  A30: {
    pairs: logs('arn:aws:logs:us-east-1:434114103920:log-group:/ecs/api-xyo-diviner', true),
    unresolved: ['placeholder '],
    warnings: ['placeholder'],
  },
};
