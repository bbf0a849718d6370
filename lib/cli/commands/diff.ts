// `leash diff`: the role's current policies held against the intent of the task definitions that use it, by the same
// assessment the Lambdas run (engine/assess.ts).
import { assess, intentOf } from '../../engine/assess.js';
import { withRoleFacts } from '../../engine/plan/role-findings.js';
import { sameRoleWarnings } from '../../engine/plan/shared-role.js';
import { synthesize } from '../../engine/synth/synthesize.js';
import { blocks, failOnSpec, intentOptions, intentOptionSpec, parse, parseFailOn } from '../args.js';
import { findingJson, findingsText, planJson, unresolvedText } from '../format.js';
import { commandHelp, commandHelpText, usageOf } from '../help.js';
import { widthOf, writeJson, type CliIo } from '../io.js';
import { grantOptionSpec, kmsAnswers, readGrant, readPolicies, sharedFromFiles } from './audit.js';
import { readTaskDefinitions } from './plan.js';

export const diffUsage = usageOf('diff');

export function diffCommand(argv: string[], io: CliIo): number {
  const { values, positionals } = parse(argv, { ...intentOptionSpec, ...failOnSpec, ...grantOptionSpec });
  if (values.help) return (io.stdout.write(commandHelpText(commandHelp('diff')!, widthOf(io))), 0);
  const failOn = parseFailOn(values['fail-on']);
  const policies = readPolicies(values.policy);
  const taskDefinitions = readTaskDefinitions(positionals);
  const intent = intentOf({ taskDefinitions, options: intentOptions(values) });
  const grant = readGrant(values, taskDefinitions, policies);
  const { intent: resolved, findings: assessed } = assess({
    intent,
    lookups: kmsAnswers(values['kms-key'], intent),
    grant,
    now: new Date().toISOString(),
    recentUseDays: 90,
  });
  const shared = sharedFromFiles(grant, taskDefinitions);
  const findings = withRoleFacts({
    roleArn: grant.roleArn,
    findings: assessed,
    requirements: resolved.requirements,
    ...(grant.tags ? { tags: grant.tags } : {}),
    ...(shared ? { shared } : {}),
  });
  // A task role that is also the execution role: every finding outside the execution-role vocabulary is the app's.
  resolved.warnings.push(...sameRoleWarnings(taskDefinitions));
  const policy = synthesize(resolved.requirements);
  if (values.json) writeJson(io, { ...planJson(resolved, policy), findings: findings.map(findingJson) });
  else io.stdout.write(findingsText(findings, widthOf(io)) + unresolvedText(resolved, widthOf(io)));
  return findings.some((f) => blocks(f, failOn)) ? 1 : 0;
}
