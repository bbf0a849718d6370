// `leash diff`: the role's current policies held against the intent of the task definitions that use it.
import { analyze } from '../../engine/analyze.js';
import { parsePolicyFile } from '../../engine/policy/parse.js';
import { InputError } from '../../errors.js';
import type { NamedPolicy } from '../../engine/types.js';
import { blocks, failOnSpec, intentOptions, intentOptionSpec, parse, parseFailOn } from '../args.js';
import { findingJson, findingsText, planJson, unresolvedText } from '../format.js';
import { commandHelp, commandHelpText, usageOf } from '../help.js';
import { readInputFile, widthOf, writeJson, type CliIo } from '../io.js';
import { readTaskDefinitions } from './plan.js';

export const diffUsage = usageOf('diff');

export function readPolicies(files: string[] | undefined): NamedPolicy[] {
  if (!files?.length) throw new InputError('at least one --policy POLICY.json is required', 'command line', '--policy');
  return files.flatMap((f) => parsePolicyFile(readInputFile(f), f));
}

export function diffCommand(argv: string[], io: CliIo): number {
  const { values, positionals } = parse(argv, { ...intentOptionSpec, ...failOnSpec, policy: { type: 'string', multiple: true } });
  if (values.help) return (io.stdout.write(commandHelpText(commandHelp('diff')!, widthOf(io))), 0);
  const failOn = parseFailOn(values['fail-on']);
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
  else io.stdout.write(findingsText(findings, widthOf(io)) + unresolvedText(intent, widthOf(io)));
  return findings.some((f) => blocks(f, failOn)) ? 1 : 0;
}
