// `leash redrive`: the stack's DLQs back through the functions that failed them (lib/app/redrive.ts), each function
// invoked as deployed (lib/cli/redrive-aws.ts). The queue's name says which DLQ it is and of which stack.
import {
  leashQueueOf,
  LEASH_FUNCTIONS,
  redrive,
  routeOf,
  sqsRoute,
  stackFunction,
  stackQueues,
  stackResolver,
  type RedriveSummary,
} from '../../app/redrive.js';
import { InputError } from '../../errors.js';
import { parse } from '../args.js';
import { table } from '../format.js';
import { commandHelp, commandHelpText } from '../help.js';
import { widthOf, writeJson, type CliIo } from '../io.js';
import { redriveAws, type RedriveAws } from '../redrive-aws.js';

const DEFAULT_MAX = 100;

interface QueueResult extends RedriveSummary {
  queue: string;
  stack: string;
}

function positiveInt(raw: string | undefined, flag: string, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new InputError(`${flag} must be a positive integer, got "${raw}"`, 'command line', flag);
  return n;
}

export async function redriveCommand(argv: string[], io: CliIo, aws?: RedriveAws): Promise<number> {
  const { values, positionals } = parse(argv, {
    queue: { type: 'string', multiple: true },
    all: { type: 'boolean', default: false },
    stack: { type: 'string' },
    function: { type: 'string' },
    max: { type: 'string' },
    yes: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) return (io.stdout.write(commandHelpText(commandHelp('redrive')!, widthOf(io))), 0);
  if (positionals.length) throw new InputError(`unexpected argument "${positionals[0]!.slice(0, 80)}"`, 'command line', 'arguments');
  const max = positiveInt(values.max, '--max', DEFAULT_MAX);
  const stack = values.stack;
  if (stack !== undefined && !/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(stack)) {
    throw new InputError(`--stack must be a stack name such as leash-prod, got "${stack.slice(0, 80)}"`, 'command line', '--stack');
  }
  if (values.all && !stack) throw new InputError('--all needs --stack NAME (the stack, e.g. leash-prod)', 'command line', '--all');
  const refs = [...(values.queue ?? []), ...(values.all ? Object.values(stackQueues(stack!)) : [])];
  if (!refs.length) throw new InputError('expected --queue QUEUE, or --all --stack NAME', 'command line', '--queue');

  // As everywhere in Leash, a preview unless asked to act: --yes invokes and deletes.
  const dryRun = !values.yes;
  const api = aws ?? redriveAws(io.env ?? process.env);
  const results: QueueResult[] = [];
  for (const ref of refs) {
    const q = await api.queue(ref);
    const kind = leashQueueOf(q.name);
    if (!kind || (stack && kind.stack !== stack)) {
      const expected = stack ? Object.values(stackQueues(stack)).join(' or ') : '<stack>-events-dlq or <stack>-remediation-dlq';
      throw new InputError(
        `${q.name} is not a DLQ of ${stack ? `stack ${stack}` : 'a Leash stack'}: expected ${expected}`,
        'command line',
        '--queue',
      );
    }
    const only = values.function === undefined ? undefined : stackFunction(kind.stack, values.function);
    if (values.function !== undefined && !only) {
      throw new InputError(
        `--function must be one of ${LEASH_FUNCTIONS.join(', ')} (or ${kind.stack}-<name>), got "${values.function.slice(0, 80)}"`,
        'command line',
        '--function',
      );
    }
    const route = kind.kind === 'remediation' ? sqsRoute(`${kind.stack}-remediate`, q.arn.replace(/-dlq$/, ''), api.region) : routeOf;
    const resolve = stackResolver({ stack: kind.stack, account: q.account, region: api.region }, (fn, event) =>
      api.invoker.invoke(fn, event),
    );
    const summary = await redrive(api.dlq(q.url), resolve, {
      maxMessages: max,
      route,
      ...(only ? { only: (fn: string) => fn === only } : {}),
      dryRun,
    });
    results.push({ queue: q.name, stack: kind.stack, ...summary });
  }

  if (values.json) writeJson(io, { dryRun, queues: results });
  else for (const r of results) io.stdout.write(report(r, dryRun));
  return results.some((r) => r.failed.length || r.unreadable.length) ? 1 : 0;
}

function report(r: QueueResult, dryRun: boolean): string {
  const done = dryRun
    ? `dry run (add --yes to act), nothing invoked or deleted: ${r.planned.length} to redrive`
    : `${r.redriven.length} redriven, ${r.failed.length} failed again`;
  const rows = [
    ...r.planned.map((o) => ['  would redrive', o.messageId, o.function ?? '', '']),
    ...r.redriven.map((o) => ['  redriven', o.messageId, o.function ?? '', '']),
    ...r.failed.map((o) => ['  failed', o.messageId, o.function ?? '', o.error ?? '']),
    ...r.unreadable.map((o) => ['  left', o.messageId, o.function ?? '-', o.error ?? '']),
    ...r.skipped.map((o) => ['  not asked for', o.messageId, o.function ?? '', '']),
  ];
  const head = `${r.queue}: ${done}, ${r.unreadable.length} left for a person, ${r.skipped.length} not asked for\n`;
  return head + (rows.length ? `${table(rows)}\n` : '');
}
