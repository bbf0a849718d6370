// The `leash` command line: the same engine as the Lambdas, over local files. Exit 2 on bad input.
import { InputError, LeashError } from '../errors.js';
import type { CliIo } from './io.js';
import { diffCommand, diffUsage } from './commands/diff.js';
import { planCommand, planUsage } from './commands/plan.js';
import { auditUsage } from './commands/audit.js';
import { historyUsage, rollbackUsage } from './commands/operate.js';

type Command = (argv: string[], io: CliIo) => number | Promise<number>;

const commands: Record<string, { run: () => Promise<Command>; usage: string }> = {
  plan: { run: async () => planCommand, usage: planUsage },
  diff: { run: async () => diffCommand, usage: diffUsage },
  audit: { run: async () => (await import('./commands/audit.js')).auditCommand, usage: auditUsage },
  rollback: { run: async () => (await import('./commands/operate.js')).rollbackCommand, usage: rollbackUsage },
  history: { run: async () => (await import('./commands/operate.js')).historyCommand, usage: historyUsage },
};

export function usage(): string {
  return ['leash: keeps ECS task execution roles at least privilege', '', ...Object.values(commands).map((c) => '  ' + c.usage)].join('\n');
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage() + '\n');
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    io.stderr.write(`leash: unknown command "${name}"\n${usage()}\n`);
    return 2;
  }
  try {
    return await (
      await command.run()
    )(rest, io);
  } catch (err) {
    if (err instanceof InputError) {
      io.stderr.write(`leash ${name}: ${err.message}\n`);
      return 2;
    }
    const label = err instanceof LeashError ? err.name : 'error';
    io.stderr.write(`leash ${name}: ${label}: ${(err as Error).message}\n`);
    return 1;
  }
}
