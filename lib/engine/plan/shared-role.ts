// Roles that are more than an execution role. A role that is also a task role (the application's own calls: S3,
// DynamoDB… data-plane calls CloudTrail never shows as management events), that anything other than ECS tasks can
// assume, or that sits in an instance profile is "shared": Leash never removes or narrows its permissions outside
// the execution-role vocabulary, never changes it in auto, and proposes the split into a dedicated execution role.
import { othersWhoCanAssume } from '../trust.js';
import type { Finding, Plan, PolicyDocument, PolicyStatement, SourcedTaskDefinition, Warning } from '../types.js';
import { compareText, parseArn, requestKey, toArray } from './match.js';
import { inVocabulary } from './vocabulary.js';

export interface SharedRoleFacts {
  roleArn: string;
  /** The role's trust policy as read from IAM; undefined when not read (counts as shared: unknown). */
  trustPolicy: PolicyDocument | undefined;
  /** `taskRoleArn` of every indexed task definition (ARNs or names, as ECS returned them). */
  taskRoleArns: Iterable<string>;
  /** The role is in an instance profile (iam:ListInstanceProfilesForRole); undefined when not read (counts as shared). */
  inInstanceProfile: boolean | undefined;
}

export type SharedCause = 'task-role' | 'trust-policy' | 'instance-profile';

export interface SharedRoleStatus {
  shared: boolean;
  /** Why, one line each (empty when not shared). */
  causes: { cause: SharedCause; detail: string }[];
}

/** The role's name (last path segment) and account, from an ARN or a bare name. */
function roleRef(ref: string): { account?: string; partition?: string; name: string } | undefined {
  if (!ref) return undefined;
  if (!ref.startsWith('arn:')) return ref.includes('/') || ref.includes(':') ? undefined : { name: ref };
  const arn = parseArn(ref);
  if (!arn || arn.service !== 'iam' || !arn.resource.startsWith('role/')) return undefined;
  return { account: arn.account, partition: arn.partition, name: arn.resource.split('/').pop() ?? '' };
}

/**
 * Do two role references (ARN or name, as task definitions allow) name the same role? Role names are unique per
 * account regardless of path and case (IAM refuses `Web` beside `web`), so the comparison is by account and
 * case-folded name; a bare name is taken to be in the other's account (a task definition names roles of its own
 * account). Errs toward "same": the answer only ever makes Leash more careful.
 */
export function sameRole(a: string, b: string): boolean {
  const x = roleRef(a);
  const y = roleRef(b);
  if (!x || !y) return a === b && a !== '';
  if (x.account !== undefined && y.account !== undefined && (x.account !== y.account || x.partition !== y.partition)) return false;
  return x.name.toLowerCase() === y.name.toLowerCase();
}

export function sharedRoleStatus(facts: SharedRoleFacts): SharedRoleStatus {
  const causes: SharedRoleStatus['causes'] = [];
  const asTaskRole = [...new Set([...facts.taskRoleArns].filter((t) => sameRole(t, facts.roleArn)))].sort(compareText);
  if (asTaskRole.length > 0) {
    causes.push({
      cause: 'task-role',
      detail: `it is the task role (taskRoleArn) of task definitions too (${asTaskRole.join(', ')}): the application calls AWS with it`,
    });
  }
  for (const line of othersWhoCanAssume(facts.trustPolicy)) causes.push({ cause: 'trust-policy', detail: line });
  if (facts.inInstanceProfile !== false) {
    causes.push({
      cause: 'instance-profile',
      detail:
        facts.inInstanceProfile === true
          ? 'it is in an instance profile: EC2 instances use it'
          : 'instance-profile membership was not read: EC2 instances may use it',
    });
  }
  return { shared: causes.length > 0, causes };
}

const SPLIT_SUFFIX = '-execution';

/** The dedicated execution role proposed for a shared role, and the template changes that point task definitions at it. */
export interface SplitProposal {
  roleName: string;
  trustPolicy: PolicyDocument;
  policyName: string;
  policy: PolicyDocument;
  /** Task definitions (family:revision or ARN) whose executionRoleArn moves to the new role. */
  taskDefinitions: string[];
  cloudformation: string;
  terraform: string;
}

/** `<name>-execution`, cut so the whole name stays within IAM's 64 characters. */
export function splitRoleName(roleArn: string): string {
  const name = roleArn.split('/').pop() ?? 'role';
  return `${name.slice(0, 64 - SPLIT_SUFFIX.length)}${SPLIT_SUFFIX}`;
}

export function splitProposal(roleArn: string, policyName: string, policy: PolicyDocument, taskDefinitions: string[]): SplitProposal {
  const arn = parseArn(roleArn);
  const account = arn?.account ?? '';
  const roleName = splitRoleName(roleArn);
  const trustPolicy: PolicyDocument = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'ecs-tasks.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': account } },
      },
    ],
  };
  const tds = [...new Set(taskDefinitions)].sort(compareText);
  const logical = roleName.replace(/[^A-Za-z0-9]/g, '');
  const indent = (text: string, n: number) =>
    text
      .split('\n')
      .map((l) => ' '.repeat(n) + l)
      .join('\n');
  const cloudformation = [
    `# ${roleArn} is more than an execution role: give its task definitions a dedicated execution role.`,
    `${logical}:`,
    '  Type: AWS::IAM::Role',
    '  Properties:',
    `    RoleName: ${JSON.stringify(roleName)}`,
    '    AssumeRolePolicyDocument:',
    indent(JSON.stringify(trustPolicy, null, 2), 6),
    '    Policies:',
    `      - PolicyName: ${JSON.stringify(policyName)}`,
    '        PolicyDocument:',
    indent(JSON.stringify(policy, null, 2), 10),
    `# In each task definition below, set ExecutionRoleArn: !GetAtt ${logical}.Arn (TaskRoleArn stays ${roleArn}):`,
    ...tds.map((t) => `#   ${t}`),
  ].join('\n');
  const tf = logical.toLowerCase();
  const terraform = [
    `# ${roleArn} is more than an execution role: give its task definitions a dedicated execution role.`,
    `resource "aws_iam_role" "${tf}" {`,
    `  name               = ${JSON.stringify(roleName)}`,
    '  assume_role_policy = <<-LEASH_POLICY',
    indent(JSON.stringify(trustPolicy, null, 2), 4),
    '  LEASH_POLICY',
    '}',
    `resource "aws_iam_role_policy" "${tf}" {`,
    `  name   = ${JSON.stringify(policyName)}`,
    `  role   = aws_iam_role.${tf}.id`,
    '  policy = <<-LEASH_POLICY',
    indent(JSON.stringify(policy, null, 2), 4),
    '  LEASH_POLICY',
    '}',
    `# In each aws_ecs_task_definition below, set execution_role_arn = aws_iam_role.${tf}.arn (task_role_arn stays):`,
    ...tds.map((t) => `#   ${t}`),
  ].join('\n');
  return {
    roleName,
    trustPolicy,
    policyName,
    policy,
    taskDefinitions: tds,
    cloudformation: `${cloudformation}\n`,
    terraform: `${terraform}\n`,
  };
}

/** The `shared-role` finding: why the role is shared, and the split it proposes. */
export function sharedRoleFinding(roleArn: string, status: SharedRoleStatus, proposal: SplitProposal): Finding {
  return {
    kind: 'shared-role',
    severity: 'review',
    action: '*',
    resource: roleArn,
    reasons: [
      ...status.causes.map((c) => `shared: ${c.detail}`),
      'Leash keeps every permission outside the execution-role vocabulary and never changes this role in auto mode',
      `proposed split: a dedicated execution role ${proposal.roleName} (trusted only by ecs-tasks.amazonaws.com) with the ` +
        `synthesized policy (${proposal.policy.Statement.length} statements), and executionRoleArn of ` +
        `${proposal.taskDefinitions.length > 0 ? proposal.taskDefinitions.join(', ') : 'its task definitions'} pointed at it`,
    ],
  };
}

/** An Allow that grants only execution-role vocabulary actions (a statement a shared role's plan may replace). */
export function vocabularyOnly(s: PolicyStatement): boolean {
  const actions = toArray(s.Action);
  return s.Effect === 'Allow' && s.NotAction === undefined && actions.length > 0 && actions.every(inVocabulary);
}

/**
 * What a plan does to a shared role that it must not: detach or delete a policy, or remove access outside the
 * execution-role vocabulary. Empty for a plan built with `buildPlan({ shared })`.
 */
export function sharedPlanViolations(plan: Pick<Plan, 'deleteInline' | 'detach' | 'removals'>): string[] {
  return [
    ...plan.deleteInline.map((n) => `deletes the inline policy ${n}`),
    ...plan.detach.map((a) => `detaches ${a}`),
    ...plan.removals.filter((r) => !inVocabulary(r.action)).map((r) => `removes ${requestKey(r)}, outside the execution-role vocabulary`),
  ];
}

/** A task definition whose task role is its execution role too (compared as `sameRole`). */
export function taskRoleIsExecutionRole(td: { executionRoleArn?: string | null; taskRoleArn?: string | null }): boolean {
  return !!td.executionRoleArn && !!td.taskRoleArn && sameRole(td.executionRoleArn, td.taskRoleArn);
}

/**
 * For `leash plan` / `leash diff` on files: one `shared-role` warning per task definition whose task role is its
 * execution role (the CLI cannot see trust policies or instance profiles; this is the part a file shows).
 */
export function sameRoleWarnings(tds: SourcedTaskDefinition[]): Warning[] {
  return tds
    .filter((t) => taskRoleIsExecutionRole(t.taskDefinition))
    .map((t) => ({
      code: 'shared-role',
      message:
        `${t.source}: taskRoleArn and executionRoleArn are the same role (${t.taskDefinition.executionRoleArn}): it is more than an ` +
        'execution role, so Leash keeps every permission outside the execution-role vocabulary; give the task definition a dedicated execution role',
      reasons: [{ taskDefinition: t.taskDefinition.taskDefinitionArn ?? t.source, field: 'taskRoleArn' }],
    }));
}
