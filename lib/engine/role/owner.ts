// Who else manages a role, from its tags: Leash never mutates a role owned by CloudFormation or Terraform (it opens
// a ticket with the template change instead).
import type { Owner } from '../plan/guardrails.js';
import type { RoleGrant } from '../types.js';

export type { Owner };

const TERRAFORM_KEYS = /^(terraform|tf|managed[-_ ]?by|managedby|provisioner|provisioned[-_ ]?by|iac|tool)$/i;

export function roleOwner(grant: Pick<RoleGrant, 'tags'>): Owner | undefined {
  const tags = Object.entries(grant.tags);
  if (tags.some(([k]) => k === 'aws:cloudformation:stack-name' || k === 'aws:cloudformation:stack-id')) return 'cloudformation';
  for (const [key, value] of tags) {
    if (/^terraform$/i.test(key)) return 'terraform';
    if (TERRAFORM_KEYS.test(key) && /terraform|opentofu/i.test(value)) return 'terraform';
  }
  return undefined;
}
