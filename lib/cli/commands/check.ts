// `leash check`: the pre-deploy gate. Given the task definition a pipeline is about to register (a file, or a template
// with its substitutions) and the role it names, read the role (live from IAM, or --policy files offline) and answer
// whether the task will start: exit 1 with the exact statements to add when anything is missing, 0 when nothing is,
// 3 when placeholders or unknown values leave it open, 2 on bad input or when AWS cannot be read.
import { writeFileSync } from 'node:fs';
import { diffGrant } from '../../engine/diff/diff.js';
import { parseVars, substituteJson } from '../../engine/input/substitute.js';
import { parseJsonText, parseTaskDefinitionValue } from '../../engine/input/task-definition.js';
import { deriveIntent, resolveLookups, taskDefinitionLabel } from '../../engine/intent/index.js';
import { findPlaceholders } from '../../engine/intent/placeholder.js';
import { synthesize } from '../../engine/synth/synthesize.js';
import type { Finding, Lookup, NamedPolicy, PolicyDocument, RoleGrant, SourcedTaskDefinition, Warning } from '../../engine/types.js';
import { InputError } from '../../errors.js';
import { blocks, intentOptions, intentOptionSpec, parse, parseFailOn } from '../args.js';
import type { CheckAws } from '../aws.js';
import { checkReport, type CheckResult, type FileInfo } from '../check-report.js';
import { incompleteEntries } from '../format.js';
import { commandHelp, commandHelpText } from '../help.js';
import { readInputFile, widthOf, type CliIo } from '../io.js';
import { readPolicies } from './audit.js';

const FORMATS = ['text', 'json', 'github', 'sarif'] as const;
type Format = (typeof FORMATS)[number];

export interface CheckDeps {
  /** How AWS is reached; the CLI's own composition unless a test gives another. */
  aws?: (env: NodeJS.ProcessEnv) => CheckAws;
}

function readTemplates(files: string[], vars: Map<string, string>, io: CliIo): { tds: SourcedTaskDefinition[]; infos: FileInfo[] } {
  if (!files.length) throw new InputError('no task definition file given', 'command line', 'TASKDEF');
  const used = new Set<string>();
  const tds: SourcedTaskDefinition[] = [];
  const infos: FileInfo[] = [];
  for (const file of files) {
    const text = readInputFile(file);
    const { value, used: u } = substituteJson(parseJsonText(text, file), vars);
    u.forEach((k) => used.add(k));
    for (const std of parseTaskDefinitionValue(value, file)) {
      tds.push(std);
      infos.push({ file, text, path: std.path ?? '$', label: taskDefinitionLabel(std.taskDefinition, std.source) });
    }
  }
  for (const key of vars.keys()) if (!used.has(key)) io.stderr.write(`leash check: --var ${key} matched no placeholder\n`);
  return { tds, infos };
}

/** The one role the task definitions name (or --role); a placeholder left in it is bad input: nothing to read. */
function roleOf(tds: SourcedTaskDefinition[], given: string | undefined): string | undefined {
  if (given !== undefined) {
    if (given.trim() === '') throw new InputError('--role is empty', 'command line', '--role');
    return given;
  }
  const roles = [...new Set(tds.map((t) => t.taskDefinition.executionRoleArn).filter((r): r is string => !!r))];
  if (roles.length > 1) {
    throw new InputError(
      `the task definitions name different execution roles (${roles.join(', ')}): check them one role at a time`,
      'command line',
      'TASKDEF',
    );
  }
  return roles[0];
}

// ECS assumes the execution role as ecs-tasks.amazonaws.com; a trust policy that does not allow it stops every task.
function trustsEcs(grant: RoleGrant): boolean | 'conditional' {
  const statements = grant.trustPolicy?.Statement;
  if (!statements) return true;
  let conditional = false;
  for (const s of statements) {
    if (s.Effect !== 'Allow') continue;
    const actions = [s.Action ?? []].flat().map((a) => a.toLowerCase());
    if (!actions.some((a) => a === '*' || a === 'sts:*' || a === 'sts:assumerole')) continue;
    const p = s.Principal as Record<string, unknown> | string | undefined;
    const services = typeof p === 'string' ? [p] : p ? [p.Service ?? []].flat().map(String) : [];
    if (!services.some((v) => v === '*' || v.startsWith('ecs-tasks.amazonaws.com'))) continue;
    if (s.Condition) conditional = true;
    else return true;
  }
  return conditional ? 'conditional' : false;
}

/** A reason the task cannot start that is not a permission: reported at each task definition's executionRoleArn. */
function problemFinding(reason: string, resource: string, tds: SourcedTaskDefinition[]): Finding {
  const requiredBy = tds.map((t) => ({ taskDefinition: taskDefinitionLabel(t.taskDefinition, t.source), field: 'executionRoleArn' }));
  return { kind: 'missing', severity: 'urgent', action: 'sts:AssumeRole', resource, reasons: [reason], requiredBy };
}

export async function checkCommand(argv: string[], io: CliIo, deps: CheckDeps = {}): Promise<number> {
  const run = await runCheck(argv, io, deps);
  if (!run) return 0;
  io.stdout.write(run.report[run.format]());
  if (run.sarif) {
    try {
      writeFileSync(run.sarif, run.report.sarif());
    } catch (err) {
      throw new InputError(`cannot write SARIF: ${(err as Error).message}`, run.sarif, '$', { cause: err });
    }
  }
  return run.result.exitCode;
}

export interface CheckRun {
  result: CheckResult;
  report: ReturnType<typeof checkReport>;
  format: Format;
  sarif?: string;
}

/** The check itself, without writing its answer: `undefined` when only --help was asked (and printed). */
export async function runCheck(argv: string[], io: CliIo, deps: CheckDeps = {}): Promise<CheckRun | undefined> {
  const { values, positionals } = parse(argv, {
    ...intentOptionSpec,
    role: { type: 'string' },
    policy: { type: 'string', multiple: true },
    var: { type: 'string', multiple: true },
    'fail-on': { type: 'string', multiple: true },
    format: { type: 'string' },
    sarif: { type: 'string' },
    'no-kms': { type: 'boolean', default: false },
  });
  if (values.help) return void io.stdout.write(commandHelpText(commandHelp('check')!, widthOf(io)));
  const format = (values.format ?? (values.json ? 'json' : 'text')) as Format;
  if (!FORMATS.includes(format)) throw new InputError(`--format takes ${FORMATS.join(', ')}, got "${format}"`, 'command line', '--format');
  const failOn = parseFailOn(values['fail-on']);
  const vars = parseVars(values.var ?? [], (pair) => {
    throw new InputError(`--var takes KEY=VALUE, got "${pair}"`, 'command line', '--var');
  });
  const options = intentOptions(values);
  const { tds, infos } = readTemplates(positionals, vars, io);
  const env = io.env ?? process.env;

  // Placeholders are never compared with a real grant: what depends on them is listed, and leaves the answer open.
  let intent = deriveIntent(tds, { ...options, placeholders: 'omit' });
  const role = roleOf(tds, values.role);
  const offline = values.policy !== undefined;
  const problems: Finding[] = [];
  const warnings: Warning[] = [];
  let policies: NamedPolicy[] = [];
  let boundary: NamedPolicy | undefined;
  let roleArn = role;

  const rolePlaceholders = role ? findPlaceholders(role) : [];
  if (rolePlaceholders.length && !offline) {
    throw new InputError(
      `the execution role ${role} is a placeholder: fill it with --var ${rolePlaceholders[0]!.name}=… or name the role with --role`,
      'command line',
      '--role',
    );
  }
  const needsRole = intent.requirements.length > 0 || incompleteEntries(intent).some((l) => l.kind !== 'placeholder');
  if (offline) policies = readPolicies(values.policy);
  else if (!role) {
    if (needsRole)
      problems.push(
        problemFinding('the task definition has no executionRoleArn, but needs an execution role to start', 'executionRoleArn', tds),
      );
  } else {
    // The SDK is loaded only for a live read: an offline check starts as fast as a plan.
    const aws = (deps.aws ?? (await import('../aws.js')).checkAws)(env);
    const grant = await aws.readGrant(role);
    if (!grant) {
      problems.push(problemFinding(`the execution role ${role} does not exist: ECS cannot assume it and the task cannot start`, role, tds));
    } else {
      roleArn = grant.roleArn;
      policies = grant.policies;
      boundary = grant.permissionsBoundary;
      const trust = trustsEcs(grant);
      if (trust === false) {
        problems.push(
          problemFinding(
            `the trust policy of ${grant.roleArn} does not let ecs-tasks.amazonaws.com assume it: the task cannot start`,
            grant.roleArn,
            tds,
          ),
        );
      } else if (trust === 'conditional') {
        warnings.push({
          code: 'trust-conditional',
          message: `the trust policy of ${grant.roleArn} lets ecs-tasks.amazonaws.com assume it only under conditions`,
        });
      }
      const kms = intent.unresolved.filter((l): l is Lookup => l.kind.startsWith('kms-'));
      if (kms.length && !values['no-kms']) {
        const { resolved, failed } = await aws.resolveKms(kms);
        intent = resolveLookups(intent, resolved);
        for (const f of failed) {
          warnings.push({
            code: 'kms-lookup-failed',
            message: `the KMS key behind ${f.lookup.resource} could not be looked up (${f.why}): kms:Decrypt not checked`,
            reasons: f.lookup.reasons,
          });
        }
      }
    }
  }
  intent = { ...intent, warnings: [...intent.warnings, ...warnings] };
  const findings =
    role || offline ? [...problems, ...diffGrant(intent.requirements, policies, boundary ? { boundary } : undefined)] : problems;
  const blocking = findings.filter((f) => f.kind === 'missing' || blocks(f, failOn));
  const missingReqs = findings
    .filter((f) => f.kind === 'missing' && f.action !== 'sts:AssumeRole')
    .map((f) => ({ action: f.action, resource: f.resource, reasons: f.requiredBy ?? [] }));
  const add: PolicyDocument | undefined = missingReqs.length ? synthesize(missingReqs).document : undefined;
  const open = incompleteEntries(intent);
  const verdict = blocking.length ? 'blocked' : open.length ? 'incomplete' : 'pass';
  const result: CheckResult = {
    verdict,
    exitCode: verdict === 'blocked' ? 1 : verdict === 'incomplete' ? 3 : 0,
    ...(roleArn && { role: roleArn }),
    source: offline ? 'policy-files' : 'iam',
    intent,
    findings,
    blocking,
    ...(add && { add }),
    files: infos,
  };
  const report = checkReport(result, widthOf(io));
  return { result, report, format, ...(values.sarif !== undefined && { sarif: values.sarif }) };
}
