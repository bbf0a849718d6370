// The execution-role vocabulary: the only actions ECS (or the agent) performs with a task *execution* role
// (spec §2). Auto mode never grants anything outside it.

export const EXECUTION_ROLE_VOCABULARY: readonly string[] = [
  'ecr:GetAuthorizationToken',
  'ecr:BatchCheckLayerAvailability',
  'ecr:GetDownloadUrlForLayer',
  'ecr:BatchGetImage',
  'ecr:BatchImportUpstreamImage',
  'ecr:CreateRepository',
  'logs:CreateLogStream',
  'logs:PutLogEvents',
  'logs:CreateLogGroup',
  'ssm:GetParameters',
  'secretsmanager:GetSecretValue',
  'kms:Decrypt',
  's3:GetObject',
  's3:GetBucketLocation',
];

const LOWER = new Set(EXECUTION_ROLE_VOCABULARY.map((a) => a.toLowerCase()));

/**
 * IAM action names are case-insensitive, so the check is too. A wildcard action (`ecr:*`, `ecr:Get*`) is
 * never "in" the vocabulary: it may match actions outside it, today or when the service adds some.
 */
export function inVocabulary(action: string): boolean {
  if (action.includes('*') || action.includes('?')) return false;
  return LOWER.has(action.toLowerCase());
}
