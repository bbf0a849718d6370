// `leash diff`: the role's current policies held against the intent of the task definitions that use it.
import { analyze } from '../../engine/analyze.js';
import { parsePolicyFile } from '../../engine/policy/parse.js';
import { InputError } from '../../errors.js';
import type { NamedPolicy } from '../../engine/types.js';
import { intentOptions, intentOptionSpec, parse } from '../args.js';
import { findingJson, findingsText, planJson, unresolvedText } from '../format.js';
import { readInputFile, writeJson, type CliIo } from '../io.js';
import { readTaskDefinitions } from './plan.js';

export const diffUsage =
  'usage: leash diff --policy POLICY.json... [--account ID] [--region R] [--pull-through-prefix P]... [--extra-image URI]... [--json] FILE...';

export function readPolicies(files: string[] | undefined): NamedPolicy[] {
  if (!files?.length) throw new InputError('at least one --policy POLICY.json is required', 'command line', '--policy');
  return files.flatMap((f) => parsePolicyFile(readInputFile(f), f));
}

export function diffCommand(argv: string[], io: CliIo): number {
  const { values, positionals } = parse(argv, { ...intentOptionSpec, policy: { type: 'string', multiple: true } });
  if (values.help) return (io.stdout.write(diffUsage + '\n'), 0);
  const policies = readPolicies(values.policy);
  const {
    intent,
    policy,
    findings = [],
  } = analyze({
    taskDefinitions: readTaskDefinitions(positionals),
    options: intentOptions(values),
    policies,
  });
  if (values.json) writeJson(io, { ...planJson(intent, policy), findings: findings.map(findingJson) });
  else io.stdout.write(findingsText(findings) + unresolvedText(intent));
  return 0;
}
