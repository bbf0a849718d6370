// `leash audit`: intent, grant and CloudTrail evidence held together offline, over exported files, by the same
// assessment the Lambdas run (engine/assess.ts): this command only gathers the files.
import { assess, intentOf, type Evidence, type Grant } from '../../engine/assess.js';
import { accountOf } from '../../engine/arn.js';
import {
  denialFromCloudTrail,
  isIgnored,
  parseCloudTrailFile,
  usesFromCloudTrail,
  type Denial,
  type Use,
} from '../../engine/evidence/index.js';
import { parsePolicyFile } from '../../engine/policy/parse.js';
import { decodePolicyDocument } from '../../engine/role/policy-document.js';
import { withRoleFacts } from '../../engine/plan/role-findings.js';
import { sharedRoleStatus, type SharedRoleStatus } from '../../engine/plan/shared-role.js';
import { synthesize } from '../../engine/synth/synthesize.js';
import type { Intent, LookupResult, NamedPolicy, PolicyDocument, SourcedTaskDefinition } from '../../engine/types.js';
import { executionRoleArnOf } from '../../app/index-entry.js';
import { InputError, PolicyError } from '../../errors.js';
import { blocks, failOnSpec, intentOptions, intentOptionSpec, parse, parseFailOn } from '../args.js';
import { findingJson, findingsText, planJson, unresolvedText } from '../format.js';
import { commandHelp, commandHelpText, usageOf } from '../help.js';
import { readInputFile, widthOf, writeJson, type CliIo } from '../io.js';
import { readTaskDefinitions } from './plan.js';

export const auditUsage = usageOf('audit');

/** The grant-side options `diff` and `audit` share. */
export const grantOptionSpec = {
  policy: { type: 'string', multiple: true },
  'trust-policy': { type: 'string' },
  boundary: { type: 'string' },
  'kms-key': { type: 'string', multiple: true },
} as const;

export interface GrantValues {
  policy?: string[];
  'trust-policy'?: string;
  boundary?: string;
  'kms-key'?: string[];
}

export function readPolicies(files: string[] | undefined): NamedPolicy[] {
  if (!files?.length) throw new InputError('at least one --policy POLICY.json is required', 'command line', '--policy');
  return files.flatMap((f) => parsePolicyFile(readInputFile(f), f));
}

/** A trust policy file: `aws iam get-role` output (its Role.Arn names the role, its Role.Tags are the role's tags) or
 *  the policy document itself. */
export function readTrustPolicy(file: string): { roleArn?: string; document: PolicyDocument; tags?: Record<string, string> } {
  let value: unknown;
  try {
    value = JSON.parse(readInputFile(file));
  } catch (cause) {
    if (cause instanceof InputError) throw cause;
    throw new PolicyError('not valid JSON', file, '$', { cause });
  }
  const role = (value as { Role?: { Arn?: unknown; AssumeRolePolicyDocument?: unknown; Tags?: unknown } } | null)?.Role;
  const raw = role ? role.AssumeRolePolicyDocument : value;
  const where = role ? `${file}#Role.AssumeRolePolicyDocument` : file;
  const document = decodePolicyDocument(typeof raw === 'string' ? raw : JSON.stringify(raw), where);
  const tags = Array.isArray(role?.Tags)
    ? Object.fromEntries((role.Tags as { Key?: unknown; Value?: unknown }[]).map((t) => [String(t.Key ?? ''), String(t.Value ?? '')]))
    : undefined;
  return { ...(typeof role?.Arn === 'string' ? { roleArn: role.Arn } : {}), document, ...(tags ? { tags } : {}) };
}

/** `--kms-key RESOURCE=KEY`: answers an unresolved KMS lookup (KEY is a key ARN, or `aws-managed`). */
export function kmsAnswers(values: string[] | undefined, intent: Intent): LookupResult[] {
  return (values ?? []).map((v) => {
    const eq = v.lastIndexOf('=');
    const resource = eq > 0 ? v.slice(0, eq) : '';
    const keyArn = eq > 0 ? v.slice(eq + 1) : '';
    if (!resource || !keyArn) throw new InputError(`--kms-key must be RESOURCE=KEY_ARN, got "${v}"`, 'command line', '--kms-key');
    const lookup = intent.unresolved.find((l) => l.resource === resource && l.kind.startsWith('kms-key-for-'));
    if (!lookup) throw new InputError(`no KMS lookup for ${resource} (see Unresolved)`, 'command line', '--kms-key');
    return { lookup, keyArn };
  });
}

/** The grant the files describe; the role is the trust policy's, or the one the task definitions name. */
export function readGrant(
  values: GrantValues,
  taskDefinitions: SourcedTaskDefinition[],
  policies = readPolicies(values.policy),
): Grant & { tags?: Record<string, string> } {
  const trust = values['trust-policy'] ? readTrustPolicy(values['trust-policy']) : undefined;
  const boundary = values.boundary ? readPolicies([values.boundary])[0] : undefined;
  const roleArn = trust?.roleArn ?? taskDefinitions.map((t) => executionRoleArnOf(t.taskDefinition)).find(Boolean) ?? 'execution-role';
  return {
    roleArn,
    policies,
    ...(boundary ? { permissionsBoundary: boundary } : {}),
    ...(trust ? { trustPolicy: trust.document } : {}),
    ...(trust?.tags ? { tags: trust.tags } : {}),
  };
}

/**
 * What files can show of a role's shared status: its trust policy (when given) and the task definitions that name it as
 * their task role. Instance profiles are not in any file the CLI reads: only the Lambdas (ListInstanceProfilesForRole)
 * see them. Without a trust policy nothing is said.
 */
export function sharedFromFiles(grant: Grant, taskDefinitions: SourcedTaskDefinition[]): SharedRoleStatus | undefined {
  if (!grant.trustPolicy) return undefined;
  const taskRoleArns = taskDefinitions.map((t) => t.taskDefinition.taskRoleArn).filter((r): r is string => !!r);
  return sharedRoleStatus({ roleArn: grant.roleArn, trustPolicy: grant.trustPolicy, taskRoleArns, inInstanceProfile: false });
}

/** Denials and uses in the CloudTrail files, for the execution roles the task definitions name (when they name any). */
export function readEvidence(
  files: string[],
  taskDefinitions: SourcedTaskDefinition[],
): { denials: Denial[]; uses: Use[]; ignored: number } {
  const roleArns = taskDefinitions.map((t) => executionRoleArnOf(t.taskDefinition)).filter((r): r is string => !!r);
  // A record is evidence only about a role of its own account, and only from the accounts these roles live in.
  const roles = roleArns.length ? { roles: new Set(roleArns), servedAccounts: new Set(roleArns.map(accountOf)) } : undefined;
  const out = { denials: [] as Denial[], uses: [] as Use[], ignored: 0 };
  for (const file of files) {
    for (const record of parseCloudTrailFile(readInputFile(file), file)) {
      const d = denialFromCloudTrail(record, roles);
      if (!isIgnored(d)) {
        out.denials.push(d);
        continue;
      }
      const u = usesFromCloudTrail(record, roles);
      if (isIgnored(u)) out.ignored++;
      else out.uses.push(...u);
    }
  }
  return out;
}

function isoOption(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new InputError(`${name} must be an ISO time, got "${value}"`, 'command line', name);
  return new Date(ms).toISOString();
}

export function auditCommand(argv: string[], io: CliIo, now: () => string = () => new Date().toISOString()): number {
  const { values, positionals } = parse(argv, {
    ...intentOptionSpec,
    ...failOnSpec,
    ...grantOptionSpec,
    cloudtrail: { type: 'string', multiple: true },
    'cloudtrail-since': { type: 'string' },
    'recent-days': { type: 'string', default: '90' },
  });
  if (values.help) return (io.stdout.write(commandHelpText(commandHelp('audit')!, widthOf(io))), 0);
  const failOn = parseFailOn(values['fail-on']);
  if (!values.cloudtrail?.length) throw new InputError('at least one --cloudtrail FILE is required', 'command line', '--cloudtrail');
  const recentUseDays = Number(values['recent-days']);
  if (!Number.isInteger(recentUseDays) || recentUseDays < 1)
    throw new InputError('--recent-days must be a positive integer', 'command line', '--recent-days');
  const since = isoOption(values['cloudtrail-since'], '--cloudtrail-since');

  const taskDefinitions = readTaskDefinitions(positionals);
  const intent = intentOf({ taskDefinitions, options: intentOptions(values) });
  const grant = values.policy?.length ? readGrant(values, taskDefinitions) : undefined;
  const { ignored, ...records } = readEvidence(values.cloudtrail, taskDefinitions);
  const at = now();
  // With --cloudtrail-since the files are a complete record of the role's calls from then on, as after a backfill.
  const evidence: Evidence = { ...records, ...(since ? { cloudTrail: { since, until: at } } : {}) };
  const a = assess({
    intent,
    lookups: kmsAnswers(values['kms-key'], intent),
    ...(grant ? { grant } : {}),
    evidence,
    now: at,
    recentUseDays,
  });
  const shared = grant ? sharedFromFiles(grant, taskDefinitions) : undefined;
  const findings = withRoleFacts({
    roleArn: grant?.roleArn ?? '',
    findings: a.findings,
    requirements: a.intent.requirements,
    ...(grant?.tags ? { tags: grant.tags } : {}),
    ...(shared ? { shared } : {}),
  });
  const policy = synthesize(a.intent.requirements);
  const counts = { denials: records.denials.length, uses: records.uses.length, ignored };
  if (values.json) {
    writeJson(io, { ...planJson(a.intent, policy), evidence: counts, findings: findings.map(findingJson) });
  } else {
    io.stdout.write(`Evidence: ${counts.denials} denials, ${counts.uses} uses, ${counts.ignored} records ignored\n`);
    io.stdout.write(findingsText(findings, widthOf(io)) + unresolvedText(a.intent, widthOf(io)));
  }
  return findings.some((f) => blocks(f, failOn)) ? 1 : 0;
}
