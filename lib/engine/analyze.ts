// The one pure pipeline every entry point shares (CLI, Lambdas, demo):
// task definitions → intent → least-privilege policy, and, when a grant is given, the findings.
import { deriveIntent, resolveLookups, type IntentOptions } from './intent/index.js';
import { synthesize } from './synth/synthesize.js';
import { diffGrant } from './diff/diff.js';
import type { Finding, Intent, LookupResult, NamedPolicy, SourcedTaskDefinition, SynthesizedPolicy } from './types.js';

export interface AnalyzeInput {
  taskDefinitions: SourcedTaskDefinition[];
  options?: IntentOptions;
  /** KMS keys resolved by an adapter for the intent's lookups. */
  lookups?: LookupResult[];
  /** The role's current identity policies; omit to plan only. */
  policies?: NamedPolicy[];
  boundary?: NamedPolicy;
}

export interface Analysis {
  intent: Intent;
  policy: SynthesizedPolicy;
  findings?: Finding[];
}

export function analyze(input: AnalyzeInput): Analysis {
  let intent = deriveIntent(input.taskDefinitions, input.options);
  if (input.lookups?.length) intent = resolveLookups(intent, input.lookups);
  const policy = synthesize(intent.requirements);
  if (!input.policies) return { intent, policy };
  const findings = diffGrant(intent.requirements, input.policies, input.boundary ? { boundary: input.boundary } : undefined);
  return { intent, policy, findings };
}
