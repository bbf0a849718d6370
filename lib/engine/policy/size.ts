// IAM's policy size: characters of the JSON document, not counting white space (spec §7: 10,240 for all
// inline policies of a role together, 6,144 per managed policy).
import type { PolicyDocument } from '../types.js';

export const INLINE_POLICY_BUDGET = 10_240;
export const MANAGED_POLICY_LIMIT = 6_144;

export function policySize(doc: PolicyDocument): number {
  return JSON.stringify(doc).replace(/\s/g, '').length;
}
