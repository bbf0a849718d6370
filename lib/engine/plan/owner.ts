// Who else manages a role, from its tags: Leash never mutates a role CloudFormation or Terraform owns (it opens a
// ticket with the template change instead). Pure: the same rule the IAM reader applies, for the engine's re-checks.
import type { Owner } from './guardrails.js';

const TERRAFORM_KEYS = /^(terraform|tf|managed[-_ ]?by|managedby|provisioner|provisioned[-_ ]?by|iac|tool)$/i;

export function ownerFromTags(tags: Record<string, string> | undefined): Owner | undefined {
  const entries = Object.entries(tags ?? {});
  if (entries.some(([k]) => k === 'aws:cloudformation:stack-name' || k === 'aws:cloudformation:stack-id')) return 'cloudformation';
  for (const [key, value] of entries) {
    if (/^terraform$/i.test(key)) return 'terraform';
    if (TERRAFORM_KEYS.test(key) && /terraform|opentofu/i.test(value)) return 'terraform';
  }
  return undefined;
}
