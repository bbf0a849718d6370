// `leash rollback` and `leash history`: operate a deployed Leash (its table and IAM) from a terminal. They use the
// standard AWS environment (AWS_PROFILE / AWS_REGION, or AWS_ENDPOINT_URL for moto) and LEASH_TABLE.
import { awsConfigFromEnv } from '../../adapters/aws/clients.js';
import { buildRemediation } from '../../composition-remediation.js';
import { loadConfig } from '../../config.js';
import { isRoleArn } from '../../engine/arn.js';
import { InputError } from '../../errors.js';
import { parse } from '../args.js';
import { table } from '../format.js';
import { commandHelp, commandHelpText, usageOf } from '../help.js';
import { widthOf, writeJson, type CliIo } from '../io.js';

export const rollbackUsage = usageOf('rollback');
export const historyUsage = usageOf('history');

function roleArg(positionals: string[]): string {
  const [role, ...extra] = positionals;
  if (!role || extra.length) throw new InputError('expected exactly one ROLE_ARN', 'command line', 'ROLE_ARN');
  if (!isRoleArn(role)) throw new InputError(`not an IAM role ARN: "${role}"`, 'command line', 'ROLE_ARN');
  return role;
}

async function runtime(env: NodeJS.ProcessEnv) {
  // The CLI never needs Access Analyzer, Slack or tickets: a rollback restores a state IAM already accepted once.
  return buildRemediation(loadConfig(env), awsConfigFromEnv(env), { analyzer: null });
}

export async function rollbackCommand(argv: string[], io: CliIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values, positionals } = parse(argv, {
    to: { type: 'string' },
    yes: { type: 'boolean', default: false },
    reason: { type: 'string', default: 'rollback requested from the command line' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) return (io.stdout.write(commandHelpText(commandHelp('rollback')!, widthOf(io))), 0);
  const roleArn = roleArg(positionals);
  const rt = await runtime(env);
  const states = await rt.snapshots.list(roleArn, 10);
  const target = values.to ? (states.find((s) => s.id === values.to) ?? (await rt.snapshots.get(roleArn, values.to))) : states[0];
  if (!target)
    throw new InputError(
      `no stored state ${values.to ?? ''} for ${roleArn}`.replace('  ', ' '),
      'command line',
      values.to ? '--to' : 'ROLE_ARN',
    );
  const current = await rt.roles.readState(roleArn);
  io.stdout.write(
    `Stored state ${target.id}: inline [${target.state.inline.map((p) => p.name).join(', ')}], attached [${target.state.attached.join(', ')}]\n`,
  );
  io.stdout.write(
    `Current state:            inline [${current?.inline.map((p) => p.name).join(', ') ?? '(role missing)'}], attached [${current?.attached.join(', ') ?? ''}]\n`,
  );
  if (!values.yes) {
    io.stdout.write('Dry run: nothing changed. Re-run with --yes to restore the stored state.\n');
    return 0;
  }
  const actor = env.USER ? `cli:${env.USER}` : 'cli';
  const result = await rt.applier.rollback(roleArn, { to: target.id, actor, reason: values.reason, now: new Date().toISOString() });
  io.stdout.write(
    `${result.changed ? 'Restored' : 'Already at'} ${result.to} (state hash ${result.after.slice(0, 12)}…):\n${result.steps.map((s) => '  ' + s).join('\n')}\n`,
  );
  return 0;
}

export async function historyCommand(argv: string[], io: CliIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values, positionals } = parse(argv, {
    limit: { type: 'string', default: '50' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) return (io.stdout.write(commandHelpText(commandHelp('history')!, widthOf(io))), 0);
  const roleArn = roleArg(positionals);
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new InputError('--limit must be a positive integer', 'command line', '--limit');
  const rt = await runtime(env);
  const audit = await rt.audit.history(roleArn, limit);
  const states = await rt.snapshots.list(roleArn, limit);
  const findings = await rt.findings.history(roleArn, limit);
  if (values.json) {
    writeJson(io, {
      roleArn,
      audit,
      states: states.map(({ state: _s, ...rest }) => rest),
      findings: findings.map((f) => ({ at: f.at, count: f.findings.length, setHash: f.setHash })),
    });
    return 0;
  }
  io.stdout.write(`Decisions and changes for ${roleArn} (newest first):\n`);
  io.stdout.write(
    table([
      ['  AT', 'ACTION', 'BY', 'PLAN', 'WHY'],
      ...audit.map((e) => ['  ' + e.at, e.action, e.actor, e.planHash?.slice(0, 12) ?? '', e.why]),
    ]) + '\n',
  );
  io.stdout.write(`\nStored states (for leash rollback --to):\n${states.map((s) => `  ${s.id}`).join('\n') || '  none'}\n`);
  io.stdout.write(`\nFinding sets: ${findings.map((f) => `${f.at} (${f.findings.length})`).join(', ') || 'none'}\n`);
  return 0;
}
