// Intent: what an execution role needs, derived from the task definitions that name it (spec 2.3 rows 1-20).
// Task-role features (App Mesh, X-Ray, EFS IAM auth, ECS Exec, FireLens destinations, taskRoleArn) add nothing.
import { InputError } from '../../errors.js';
import { isAccountId, isRegion, partitionForRegion } from '../arn.js';
import type { Intent, Lookup, SourcedTaskDefinition, TaskDefinition, Warning } from '../types.js';
import { IntentContext, addReason, type PlaceholderMode } from './context.js';
import { imageIntent, normalizePrefixes } from './ecr.js';
import { gmsaIntent } from './gmsa.js';
import { awslogsIntent } from './logs.js';
import { mergeLookups, mergeRequirements } from './merge.js';
import { Masked, startsWithSentinel } from './placeholder.js';
import { environmentFilesIntent, firelensIntent } from './s3.js';
import { credentialsIntent, templatedArn, valueFromIntent } from './secrets.js';
import { realSlot, type Slot } from './slots.js';

export { mergeRequirements } from './merge.js';
export { resolveLookups } from './lookups.js';
export type { PlaceholderMode } from './context.js';

export interface IntentOptions {
  /** The role's account, used only when the task definition leaves it unknown (never over a placeholder). */
  account?: string;
  /** The task's Region, used only when the task definition leaves it unknown (never over a placeholder). */
  region?: string;
  /** ECR pull-through-cache repository prefixes (config; a task definition cannot tell). */
  pullThroughPrefixes?: string[];
  /** Images the role must pull that no task definition shows (e.g. the GuardDuty Runtime Monitoring sidecar). */
  extraImages?: string[];
  /** `keep`: placeholders filling one slot stay literally in the policy (`leash plan`); `omit` (default): such
   *  grants are left out, as anything compared with a real grant or written to IAM must be. Both list them. */
  placeholders?: PlaceholderMode;
}

/** Reason label: ARN, else `family:revision`, else family, else the source file. */
export function taskDefinitionLabel(td: TaskDefinition, source: string): string {
  if (td.taskDefinitionArn) return td.taskDefinitionArn;
  if (td.family && td.revision !== undefined) return `${td.family}:${td.revision}`;
  return td.family || source;
}

function checkOptions(opts: IntentOptions): void {
  if (opts.account !== undefined && !isAccountId(opts.account)) {
    throw new InputError(`account must be 12 digits, got ${JSON.stringify(opts.account)}`, 'options', '$.account');
  }
  if (opts.region !== undefined && !isRegion(opts.region)) {
    throw new InputError(`not a Region: ${JSON.stringify(opts.region)}`, 'options', '$.region');
  }
}

interface ArnFacts {
  partition?: Slot;
  region?: Slot;
  account?: Slot;
  /** Placeholders in the ARN, or the ARN itself when it is one placeholder. */
  placeholders: string[];
  whole: boolean;
}

/** Partition, Region and account of the execution role or task-definition ARN, placeholders kept as written. */
function arnFacts(value: string | null | undefined, service: 'iam' | 'ecs'): ArnFacts | undefined {
  if (!value) return undefined;
  const m = Masked.of(value);
  if (!m) return undefined;
  if (startsWithSentinel(m.text)) return { placeholders: m.tokensIn(m.text), whole: true };
  const arn = templatedArn(m);
  if (typeof arn !== 'object' || arn.service !== service) return undefined;
  const facts: ArnFacts = { partition: arn.partition, placeholders: m.tokensIn(m.text), whole: false };
  facts.placeholders.push(
    ...[arn.partition, arn.region, arn.account].flatMap((s) => (s === '' || !s.placeholders.length ? [] : s.placeholders)),
  );
  facts.placeholders = [...new Set(facts.placeholders)];
  if (arn.region !== '') facts.region = arn.region;
  if (arn.account !== '') facts.account = arn.account;
  return facts;
}

function contextFor(std: SourcedTaskDefinition, opts: IntentOptions): IntentContext {
  const td = std.taskDefinition;
  const label = taskDefinitionLabel(td, std.source);
  const tdArn = arnFacts(td.taskDefinitionArn, 'ecs');
  const role = arnFacts(td.executionRoleArn, 'iam');
  const optRegion = opts.region === undefined ? undefined : realSlot(opts.region);
  // What the file says wins; --account and --region fill only what it leaves unknown.
  const account = role?.account ?? tdArn?.account ?? (opts.account === undefined ? undefined : realSlot(opts.account));
  const region = tdArn?.region ?? optRegion;
  const partition =
    role?.partition ?? tdArn?.partition ?? (region?.real ? realSlot(partitionForRegion(region.value) as string) : undefined);
  const ctx = new IntentContext({
    label,
    td,
    ...(account && { account }),
    ...(region && { region }),
    ...(partition && { partition }),
    ...(opts.placeholders && { placeholders: opts.placeholders }),
    ...(std.containersOnly && { containerPath: (i: number) => `[${i}]` }),
  });
  if (role?.placeholders.length) ctx.template(role.placeholders, ctx.reason(undefined, 'executionRoleArn'), 'role');
  if (tdArn?.placeholders.length) ctx.template(tdArn.placeholders, ctx.reason(undefined, 'taskDefinitionArn'), 'role');
  const fileAccount = role?.account ?? tdArn?.account;
  if (opts.account && fileAccount && fileAccount.value !== opts.account) {
    ctx.warn(
      'account-mismatch',
      fileAccount.real
        ? `the task definition names account ${fileAccount.value}; --account ${opts.account} is not used (it only fills an account the file leaves unknown)`
        : `the task definition names the account as placeholder ${fileAccount.value}, kept as written; --account ${opts.account} is not used`,
      ctx.reason(undefined, role?.account ? 'executionRoleArn' : 'taskDefinitionArn'),
    );
  }
  if (opts.region && tdArn?.region && tdArn.region.value !== opts.region) {
    ctx.warn(
      'region-mismatch',
      `taskDefinitionArn is in ${tdArn.region.value}; --region ${opts.region} is not used (it only fills a Region the file leaves unknown)`,
      ctx.reason(undefined, 'taskDefinitionArn'),
    );
  }
  return ctx;
}

const INSTANCE_ROLE_MESSAGE =
  'EC2-only task definition without an executionRoleArn: ECR pulls and the awslogs driver use the container instance role ' +
  '(ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE only switches awslogs to an execution role the task has); ' +
  "the instance role's policy needs them, so they are not part of this plan";

function taskDefinitionIntent(ctx: IntentContext, std: SourcedTaskDefinition, prefixes: string[]): void {
  const td = std.taskDefinition;
  const noRole = !td.executionRoleArn && !std.containersOnly;
  ctx.instanceRole = noRole && ctx.ec2Only;
  td.containerDefinitions.forEach((c, i) => {
    const base = ctx.containerPath(i);
    imageIntent(ctx, c.image, ctx.reason(c, `${base}.image`), prefixes);
    credentialsIntent(
      ctx,
      c.repositoryCredentials?.credentialsParameter,
      ctx.reason(c, `${base}.repositoryCredentials.credentialsParameter`),
    );
    (c.secrets ?? []).forEach((s, j) => valueFromIntent(ctx, s.valueFrom, ctx.reason(c, `${base}.secrets[${j}].valueFrom`)));
    awslogsIntent(ctx, c, base);
    (c.logConfiguration?.secretOptions ?? []).forEach((s, j) =>
      valueFromIntent(ctx, s.valueFrom, ctx.reason(c, `${base}.logConfiguration.secretOptions[${j}].valueFrom`)),
    );
    environmentFilesIntent(ctx, c, base);
    firelensIntent(ctx, c, base);
    gmsaIntent(ctx, c, base);
  });
  const roleReason = ctx.reason(undefined, 'executionRoleArn');
  if (ctx.instanceRole && ctx.instanceRoleNeeds.length) {
    ctx.warnings.unshift({ code: 'instance-role', message: INSTANCE_ROLE_MESSAGE, reasons: ctx.instanceRoleNeeds });
  }
  if (noRole && ctx.needsRole) {
    // Planning still goes on (the CLI plans for one shared role), but this task could not start as written.
    ctx.warnings.unshift({
      code: 'no-execution-role',
      message: ctx.instanceRole
        ? 'the task definition has no executionRoleArn but uses secrets, private registry credentials or S3 files, which on EC2 too only an execution role provides: the task would fail to start'
        : 'the task definition has no executionRoleArn but needs one (private ECR, awslogs, secrets or S3 files): the task would fail to start',
      reasons: [roleReason],
    });
  }
  if (std.containersOnly) {
    ctx.warn(
      'containers-only',
      "only container definitions (Terraform's container_definitions): the execution role, Region and launch type are set elsewhere; pass --account and --region, or plan the registered task definition",
      ctx.reason(undefined, '$'),
    );
  }
}

/** One warning per placeholder, naming every field it appears in (the unresolved entry has the details). */
function placeholderWarning(l: Lookup): Warning {
  const fields = [...new Set(l.reasons.map((r) => r.field))];
  const shown = l.resource === '' ? 'an empty value' : `placeholder ${l.resource}`;
  return {
    code: 'placeholder',
    message: `${shown} in ${fields.length === 1 ? fields[0] : `${fields.length} fields`}: ${[...new Set(l.reasons.map((r) => r.note?.split('; ').pop() ?? ''))].filter(Boolean).join('; ')}`,
    reasons: l.reasons,
  };
}

/** Warnings with the same code and message are one warning with all their reasons. */
function mergeWarnings(warnings: Warning[]): Warning[] {
  const byKey = new Map<string, Warning>();
  for (const w of warnings) {
    const key = `${w.code}\u0000${w.message}`;
    const seen = byKey.get(key);
    if (!seen) {
      byKey.set(key, { ...w, ...(w.reasons && { reasons: [...w.reasons] }) });
      continue;
    }
    for (const r of w.reasons ?? []) addReason((seen.reasons ??= []), r);
  }
  return [...byKey.values()];
}

/** Derives the execution role's intent from every task definition that names it (plus configured extras). */
export function deriveIntent(tds: SourcedTaskDefinition[], opts: IntentOptions = {}): Intent {
  checkOptions(opts);
  const prefixes = normalizePrefixes(opts.pullThroughPrefixes);
  const contexts = tds.map((std) => {
    const ctx = contextFor(std, opts);
    taskDefinitionIntent(ctx, std, prefixes);
    return ctx;
  });
  if (opts.extraImages?.length) {
    const region = opts.region === undefined ? undefined : realSlot(opts.region);
    const extra = new IntentContext({
      label: 'extraImages',
      ...(opts.account && { account: realSlot(opts.account) }),
      ...(region && { region, partition: realSlot(partitionForRegion(opts.region) as string) }),
      ...(opts.placeholders && { placeholders: opts.placeholders }),
    });
    opts.extraImages.forEach((image, i) => imageIntent(extra, image, extra.reason(undefined, `extraImages[${i}]`), prefixes));
    contexts.push(extra);
  }
  const unresolved = mergeLookups(contexts.flatMap((c) => c.unresolved));
  // Each placeholder's one warning goes after the warnings of the task definition it first appears in.
  const placeholders = unresolved.filter((l) => l.kind === 'placeholder');
  const firstSeen = (l: Lookup) => contexts.findIndex((c) => c.unresolved.some((u) => u.kind === l.kind && u.resource === l.resource));
  const warnings = contexts.flatMap((c, i) => [...c.warnings, ...placeholders.filter((l) => firstSeen(l) === i).map(placeholderWarning)]);
  return {
    requirements: mergeRequirements(contexts.flatMap((c) => c.requirements)),
    unresolved,
    warnings: mergeWarnings(warnings),
  };
}
