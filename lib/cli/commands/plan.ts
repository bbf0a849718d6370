// `leash plan`: the union least-privilege policy for one role shared by every task definition given.
// Exit 0 when complete, 3 when something is unresolved (the policy is then a template or partial), 2 on bad input.
import { intentOf } from '../../engine/assess.js';
import { parseTaskDefinitions } from '../../engine/input/task-definition.js';
import { synthesizeTemplate } from '../../engine/intent/template-policy.js';
import { sameRoleWarnings } from '../../engine/plan/shared-role.js';
import { InputError } from '../../errors.js';
import type { SourcedTaskDefinition } from '../../engine/types.js';
import { intentOptions, intentOptionSpec, parse } from '../args.js';
import { incompleteEntries, planJson, planText } from '../format.js';
import { commandHelp, commandHelpText, usageOf } from '../help.js';
import { readInputFile, widthOf, writeJson, type CliIo } from '../io.js';

export const planUsage = usageOf('plan');

export const EXIT_INCOMPLETE = 3;

export function readTaskDefinitions(files: string[]): SourcedTaskDefinition[] {
  if (!files.length) throw new InputError('no task definition files given', 'command line', 'FILE');
  return files.flatMap((f) => parseTaskDefinitions(readInputFile(f), f));
}

export function planCommand(argv: string[], io: CliIo): number {
  const { values, positionals } = parse(argv, intentOptionSpec);
  if (values.help) return (io.stdout.write(commandHelpText(commandHelp('plan')!, widthOf(io))), 0);
  // A plan is what a person reads and a pipeline fills in: placeholders stay in their slots.
  const taskDefinitions = readTaskDefinitions(positionals);
  const intent = intentOf({ taskDefinitions, options: { ...intentOptions(values), placeholders: 'keep' } });
  // A task role that is also the execution role makes it more than an execution role: say so next to the policy.
  intent.warnings.push(...sameRoleWarnings(taskDefinitions));
  const policy = synthesizeTemplate(intent);
  if (values.json) writeJson(io, planJson(intent, policy));
  else io.stdout.write(planText(intent, policy, widthOf(io)));
  return incompleteEntries(intent).length ? EXIT_INCOMPLETE : 0;
}
