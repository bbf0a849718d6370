// `leash diff`: the role's current policies held against the intent of the task definitions that use it, by the same
// assessment the Lambdas run (engine/assess.ts).
import { assess, intentOf } from '../../engine/assess.js';
import { synthesize } from '../../engine/synth/synthesize.js';
import { intentOptions, intentOptionSpec, parse } from '../args.js';
import { findingJson, findingsText, planJson, unresolvedText } from '../format.js';
import { writeJson, type CliIo } from '../io.js';
import { grantOptionSpec, kmsAnswers, readGrant, readPolicies } from './audit.js';
import { readTaskDefinitions } from './plan.js';

export const diffUsage =
  'usage: leash diff --policy POLICY.json... [--trust-policy FILE] [--boundary POLICY.json] [--kms-key RESOURCE=KEY_ARN]... [--account ID] [--region R] [--pull-through-prefix P]... [--extra-image URI]... [--json] FILE...';

export function diffCommand(argv: string[], io: CliIo): number {
  const { values, positionals } = parse(argv, { ...intentOptionSpec, ...grantOptionSpec });
  if (values.help) return (io.stdout.write(diffUsage + '\n'), 0);
  const policies = readPolicies(values.policy);
  const taskDefinitions = readTaskDefinitions(positionals);
  const intent = intentOf({ taskDefinitions, options: intentOptions(values) });
  const grant = readGrant(values, taskDefinitions, policies);
  const { intent: resolved, findings } = assess({
    intent,
    lookups: kmsAnswers(values['kms-key'], intent),
    grant,
    now: new Date().toISOString(),
    recentUseDays: 90,
  });
  const policy = synthesize(resolved.requirements);
  if (values.json) writeJson(io, { ...planJson(resolved, policy), findings: findings.map(findingJson) });
  else io.stdout.write(findingsText(findings) + unresolvedText(resolved));
  return 0;
}
