// For roles owned by CloudFormation or Terraform: the change to make in the template instead of the role,
// carrying the synthesized document verbatim (JSON is valid YAML flow syntax; Terraform gets a heredoc).
import { roleNameOf } from '../arn.js';
import type { Plan, PolicyDocument } from '../types.js';
import type { Owner } from './guardrails.js';

/** For roles owned by CloudFormation or Terraform: the policy to put in the template instead of patching the role. */
export interface TemplateChange {
  tool: Owner;
  /** Stack name / logical id, or Terraform address, when known. */
  location?: string;
  policyName: string;
  document: PolicyDocument;
}

/** The template change a plan implies for a role its owner manages. */
export function templateChangeFor(plan: Plan, owner: Owner): TemplateChange {
  return { tool: owner, policyName: plan.policyName, document: plan.document };
}

/** The change as text to paste: a CloudFormation `Policies` entry and a Terraform resource. */
export interface TemplateSnippets {
  cloudformation: string;
  terraform: string;
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

export function templateSnippets(plan: Plan): TemplateSnippets {
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
    `  role   = ${JSON.stringify(roleNameOf(plan.roleArn))}`,
    '  policy = <<-LEASH_POLICY',
    indent(json, 4),
    '  LEASH_POLICY',
    '}',
    ...plan.deleteInline.map((n) => `# remove the aws_iam_role_policy named ${JSON.stringify(n)}`),
    ...plan.detach.map((a) => `# remove the aws_iam_role_policy_attachment of ${a}`),
  ].join('\n');
  return { cloudformation: `${cfn}\n`, terraform: `${tf}\n` };
}
