// Folds resolved KMS lookups back into an intent: kms:Decrypt on customer-managed key ARNs only (spec 2.3 row 10).
import { parseArn } from '../arn.js';
import type { Intent, LookupResult, Requirement, Warning } from '../types.js';
import { mergeRequirements } from './merge.js';

const sameLookup = (a: { kind: string; resource: string }, b: { kind: string; resource: string }): boolean =>
  a.kind === b.kind && a.resource === b.resource;

/**
 * Applies KMS lookup results: a key ARN adds kms:Decrypt on it, `aws-managed` adds nothing (AWS managed keys
 * need no identity-policy grant), `not-found` becomes a warning. Resolved lookups leave `unresolved`; the
 * `needs-account` / `needs-region` entries stay until the intent is derived again with those values.
 */
export function resolveLookups(intent: Intent, results: LookupResult[]): Intent {
  const added: Requirement[] = [];
  const warnings: Warning[] = [];
  const resolved: LookupResult['lookup'][] = [];
  for (const { lookup, keyArn } of results) {
    if (lookup.kind !== 'kms-key-for-secret' && lookup.kind !== 'kms-key-for-parameter') continue;
    resolved.push(lookup);
    if (keyArn === 'aws-managed') continue;
    if (keyArn === 'not-found') {
      warnings.push({
        code: 'kms-key-not-found',
        message: `the KMS key behind ${lookup.resource} could not be determined (the secret or parameter was not found or not readable): no kms:Decrypt derived`,
        reasons: lookup.reasons,
      });
      continue;
    }
    const arn = parseArn(keyArn);
    if (!arn || arn.service !== 'kms' || !arn.resource.startsWith('key/')) {
      // An alias ARN in Resource grants nothing on the key it points to.
      warnings.push({
        code: 'invalid-kms-key-arn',
        message: `${keyArn} (for ${lookup.resource}) is not a KMS key ARN (arn:…:kms:<region>:<account>:key/<id>): no kms:Decrypt derived`,
        reasons: lookup.reasons,
      });
      continue;
    }
    added.push({ action: 'kms:Decrypt', resource: keyArn, reasons: lookup.reasons.map((r) => ({ ...r })) });
  }
  return {
    requirements: mergeRequirements([...intent.requirements, ...added]),
    unresolved: intent.unresolved.filter((l) => !resolved.some((r) => sameLookup(r, l))),
    warnings: [...intent.warnings, ...warnings],
  };
}
