// `leash audit`: intent, grant and CloudTrail evidence held together offline, over exported records.
import { analyze } from '../../engine/analyze.js';
import {
  denialFromCloudTrail,
  foldEvidence,
  isIgnored,
  parseCloudTrailFile,
  usesFromCloudTrail,
  type Denial,
  type Use,
} from '../../engine/evidence/index.js';
import { executionRoleArnOf } from '../../app/index-entry.js';
import { InputError } from '../../errors.js';
import { blocks, failOnSpec, intentOptions, intentOptionSpec, parse, parseFailOn } from '../args.js';
import { findingJson, findingsText, planJson, unresolvedText } from '../format.js';
import { commandHelp, commandHelpText, usageOf } from '../help.js';
import { readInputFile, widthOf, writeJson, type CliIo } from '../io.js';
import { readPolicies } from './diff.js';
import { readTaskDefinitions } from './plan.js';

export const auditUsage = usageOf('audit');

export function auditCommand(argv: string[], io: CliIo, now: () => string = () => new Date().toISOString()): number {
  const { values, positionals } = parse(argv, {
    ...intentOptionSpec,
    ...failOnSpec,
    policy: { type: 'string', multiple: true },
    cloudtrail: { type: 'string', multiple: true },
    'recent-days': { type: 'string', default: '90' },
  });
  if (values.help) return (io.stdout.write(commandHelpText(commandHelp('audit')!, widthOf(io))), 0);
  const failOn = parseFailOn(values['fail-on']);
  if (!values.cloudtrail?.length) throw new InputError('at least one --cloudtrail FILE is required', 'command line', '--cloudtrail');
  const recentDays = Number(values['recent-days']);
  if (!Number.isInteger(recentDays) || recentDays < 1)
    throw new InputError('--recent-days must be a positive integer', 'command line', '--recent-days');

  const taskDefinitions = readTaskDefinitions(positionals);
  const options = intentOptions(values);
  const policies = values.policy?.length ? readPolicies(values.policy) : undefined;
  const { intent, policy, findings = [] } = analyze({ taskDefinitions, options, ...(policies ? { policies } : {}) });

  // Evidence counts only for the execution roles these task definitions name (when they name any).
  const roleArns = taskDefinitions.map((t) => executionRoleArnOf(t.taskDefinition)).filter((r): r is string => !!r);
  const roles = roleArns.length ? new Set(roleArns) : undefined;
  const denials: Denial[] = [];
  const uses: Use[] = [];
  let ignored = 0;
  for (const file of values.cloudtrail) {
    for (const record of parseCloudTrailFile(readInputFile(file), file)) {
      const d = denialFromCloudTrail(record, roles ? { roles } : undefined);
      if (!isIgnored(d)) {
        denials.push(d);
        continue;
      }
      const u = usesFromCloudTrail(record, roles ? { roles } : undefined);
      if (isIgnored(u)) ignored++;
      else uses.push(...u);
    }
  }
  const folded = foldEvidence(findings, intent.requirements, { denials, uses }, { now: now(), recentDays });
  if (values.json) {
    writeJson(io, {
      ...planJson(intent, policy),
      evidence: { denials: denials.length, uses: uses.length, ignored },
      findings: folded.map(findingJson),
    });
  } else {
    io.stdout.write(`Evidence: ${denials.length} denials, ${uses.length} uses, ${ignored} records ignored\n`);
    io.stdout.write(findingsText(folded, widthOf(io)) + unresolvedText(intent, widthOf(io)));
  }
  return folded.some((f) => blocks(f, failOn)) ? 1 : 0;
}
