// `leash plan`: the union least-privilege policy for one role shared by every task definition given.
import { intentOf } from '../../engine/assess.js';
import { parseTaskDefinitions } from '../../engine/input/task-definition.js';
import { synthesize } from '../../engine/synth/synthesize.js';
import { InputError } from '../../errors.js';
import type { SourcedTaskDefinition } from '../../engine/types.js';
import { intentOptions, intentOptionSpec, parse } from '../args.js';
import { planJson, planText } from '../format.js';
import { readInputFile, writeJson, type CliIo } from '../io.js';

export const planUsage =
  'usage: leash plan [--account ID] [--region R] [--pull-through-prefix P]... [--extra-image URI]... [--json] FILE...';

export function readTaskDefinitions(files: string[]): SourcedTaskDefinition[] {
  if (!files.length) throw new InputError('no task definition files given', 'command line', 'FILE');
  return files.flatMap((f) => parseTaskDefinitions(readInputFile(f), f));
}

export function planCommand(argv: string[], io: CliIo): number {
  const { values, positionals } = parse(argv, intentOptionSpec);
  if (values.help) return (io.stdout.write(planUsage + '\n'), 0);
  const intent = intentOf({ taskDefinitions: readTaskDefinitions(positionals), options: intentOptions(values) });
  const policy = synthesize(intent.requirements);
  if (values.json) writeJson(io, planJson(intent, policy));
  else io.stdout.write(planText(intent, policy));
  return 0;
}
