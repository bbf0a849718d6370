// For roles owned by CloudFormation or Terraform: the change to make in the template instead of the role,
// carrying the synthesized document verbatim (JSON is valid YAML flow syntax; Terraform gets a heredoc).
import type { Plan } from '../types.js';

export interface TemplateChange {
  cloudformation: string;
  terraform: string;
}

export function roleNameFromArn(roleArn: string): string {
  const afterRole = roleArn.split(':role/')[1] ?? roleArn;
  return afterRole.split('/').pop() ?? afterRole;
}

function indent(text: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return text
    .split('\n')
    .map((l) => pad + l)
    .join('\n');
}

function terraformName(policyName: string): string {
  const id = policyName.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(id) ? id : `p_${id}`;
}

export function templateChange(plan: Plan): TemplateChange {
  const json = JSON.stringify(plan.document, null, 2);
  const cfn = [
    `# Role ${plan.roleArn}: replace the role's Policies with this (plan ${plan.planHash})`,
    'Policies:',
    `  - PolicyName: ${JSON.stringify(plan.policyName)}`,
    '    PolicyDocument:',
    indent(json, 6),
    ...plan.deleteInline.map((n) => `# remove the inline policy ${JSON.stringify(n)} from Policies`),
    ...plan.detach.map((a) => `# remove ${a} from ManagedPolicyArns`),
  ].join('\n');
  // A heredoc keeps the document byte-for-byte; the delimiter cannot occur in JSON output of the document
  // on a line of its own.
  const tf = [
    `# Role ${plan.roleArn} (plan ${plan.planHash})`,
    `resource "aws_iam_role_policy" "${terraformName(plan.policyName)}" {`,
    `  name   = ${JSON.stringify(plan.policyName)}`,
    `  role   = ${JSON.stringify(roleNameFromArn(plan.roleArn))}`,
    '  policy = <<-LEASH_POLICY',
    indent(json, 4),
    '  LEASH_POLICY',
    '}',
    ...plan.deleteInline.map((n) => `# remove the aws_iam_role_policy named ${JSON.stringify(n)}`),
    ...plan.detach.map((a) => `# remove the aws_iam_role_policy_attachment of ${a}`),
  ].join('\n');
  return { cloudformation: `${cfn}\n`, terraform: `${tf}\n` };
}
