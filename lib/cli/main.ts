// The `leash` command line: the same engine as the Lambdas, over local files (and, for check, rollback and
// history, AWS). Exit 0 on success, 1 for findings or a blocked check, 2 on bad input, 3 when incomplete.
import { InputError, LeashError } from '../errors.js';
import { awsProblem } from './aws-errors.js';
import { commandHelp, commandHelpText, mainHelpText } from './help.js';
import { widthOf, type CliIo } from './io.js';
import { version } from './version.js';

type Command = (argv: string[], io: CliIo) => number | Promise<number>;

// A Map, not an object literal: `leash toString` or `leash constructor` must be unknown commands, not prototype members.
const commands = new Map<string, () => Promise<Command>>([
  ['plan', async () => (await import('./commands/plan.js')).planCommand],
  ['diff', async () => (await import('./commands/diff.js')).diffCommand],
  ['audit', async () => (await import('./commands/audit.js')).auditCommand],
  ['check', async () => (await import('./commands/check.js')).checkCommand],
  ['rollback', async () => (await import('./commands/operate.js')).rollbackCommand],
  ['history', async () => (await import('./commands/operate.js')).historyCommand],
  ['redrive', async () => (await import('./commands/redrive.js')).redriveCommand],
]);

export function usage(width?: number): string {
  return mainHelpText(version(), width);
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v' || name === 'version') {
    io.stdout.write(`leash ${version()}\n`);
    return 0;
  }
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' && rest[0] !== undefined ? commandHelp(rest[0]) : undefined;
    if (topic && commands.has(topic.name)) io.stdout.write(commandHelpText(topic, widthOf(io)));
    else (name ? io.stdout : io.stderr).write(usage(widthOf(io)));
    return name ? 0 : 2;
  }
  const load = commands.get(name);
  if (!load) {
    io.stderr.write(`leash: unknown command "${name.slice(0, 80)}"\n${usage(widthOf(io))}`);
    return 2;
  }
  try {
    const command = await load();
    return await command(rest, io);
  } catch (err) {
    return reportError(name, err, io);
  }
}

/** One line on stderr and the exit code: 2 for bad input and for AWS settings to fix, 1 for anything else. */
export function reportError(command: string, err: unknown, io: CliIo): number {
  if (err instanceof InputError) {
    io.stderr.write(`leash ${command}: ${err.message}\n`);
    return 2;
  }
  const problem = awsProblem(err);
  if (problem) {
    io.stderr.write(`leash ${command}: ${problem}\n`);
    return 2;
  }
  const label = err instanceof LeashError ? err.name : 'error';
  io.stderr.write(`leash ${command}: ${label}: ${(err as Error).message}\n`);
  return 1;
}
