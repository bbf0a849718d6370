// Intent: what an execution role needs, derived from the task definitions that name it (spec 2.3 rows 1-20).
// Task-role features (App Mesh, X-Ray, EFS IAM auth, ECS Exec, FireLens destinations, taskRoleArn) add nothing.
import { InputError } from '../../errors.js';
import { isAccountId, isRegion, parseArn, roleAccount } from '../arn.js';
import type { Intent, SourcedTaskDefinition, TaskDefinition } from '../types.js';
import { IntentContext } from './context.js';
import { imageIntent, normalizePrefixes } from './ecr.js';
import { gmsaIntent } from './gmsa.js';
import { awslogsIntent } from './logs.js';
import { mergeLookups, mergeRequirements } from './merge.js';
import { environmentFilesIntent, firelensIntent } from './s3.js';
import { credentialsIntent, valueFromIntent } from './secrets.js';

export { mergeRequirements } from './merge.js';
export { resolveLookups } from './lookups.js';

export interface IntentOptions {
  /** The role's account; default from the task definition's ARNs (executionRoleArn, taskDefinitionArn). */
  account?: string;
  /** The task's Region; default from taskDefinitionArn. */
  region?: string;
  /** ECR pull-through-cache repository prefixes (config; a task definition cannot tell). */
  pullThroughPrefixes?: string[];
  /** Images the role must pull that no task definition shows (e.g. the GuardDuty Runtime Monitoring sidecar). */
  extraImages?: string[];
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

function contextFor(std: SourcedTaskDefinition, opts: IntentOptions): IntentContext {
  const td = std.taskDefinition;
  const label = taskDefinitionLabel(td, std.source);
  const tdArn = td.taskDefinitionArn ? parseArn(td.taskDefinitionArn) : undefined;
  const tdRegion = tdArn && isRegion(tdArn.region) ? tdArn.region : undefined;
  const tdAccount = tdArn && isAccountId(tdArn.account) ? tdArn.account : undefined;
  const execAccount = roleAccount(td.executionRoleArn);
  const account = opts.account ?? execAccount ?? tdAccount;
  const region = opts.region ?? tdRegion;
  const ctx = new IntentContext({ label, td, ...(account && { account }), ...(region && { region }) });
  const roleReason = ctx.reason(undefined, 'executionRoleArn');
  if (td.executionRoleArn && !execAccount) {
    ctx.warn(
      'placeholder-execution-role',
      `executionRoleArn ${JSON.stringify(td.executionRoleArn)} is not a role ARN with a real account (placeholder?): its account is unknown`,
      roleReason,
    );
  }
  if (opts.account && execAccount && opts.account !== execAccount) {
    ctx.warn(
      'account-mismatch',
      `executionRoleArn is in account ${execAccount} but account ${opts.account} was given; using ${opts.account}`,
      roleReason,
    );
  }
  if (opts.region && tdRegion && opts.region !== tdRegion) {
    ctx.warn(
      'region-mismatch',
      `taskDefinitionArn is in ${tdRegion} but Region ${opts.region} was given; using ${opts.region}`,
      ctx.reason(undefined, 'taskDefinitionArn'),
    );
  }
  return ctx;
}

function taskDefinitionIntent(ctx: IntentContext, td: TaskDefinition, prefixes: string[]): void {
  td.containerDefinitions.forEach((c, i) => {
    const base = `containerDefinitions[${i}]`;
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
  if (!td.executionRoleArn && (ctx.requirements.length > 0 || ctx.unresolved.length > 0)) {
    // Planning still goes on (the CLI plans for one shared role), but this task could not start as written.
    ctx.warnings.unshift({
      code: 'no-execution-role',
      message: 'the task definition has no executionRoleArn but needs one (private ECR, awslogs or secrets): the task would fail to start',
      reasons: [ctx.reason(undefined, 'executionRoleArn')],
    });
  }
}

/** Derives the execution role's intent from every task definition that names it (plus configured extras). */
export function deriveIntent(tds: SourcedTaskDefinition[], opts: IntentOptions = {}): Intent {
  checkOptions(opts);
  const prefixes = normalizePrefixes(opts.pullThroughPrefixes);
  const contexts = tds.map((std) => {
    const ctx = contextFor(std, opts);
    taskDefinitionIntent(ctx, std.taskDefinition, prefixes);
    return ctx;
  });
  if (opts.extraImages?.length) {
    const extra = new IntentContext({
      label: 'extraImages',
      ...(opts.account && { account: opts.account }),
      ...(opts.region && { region: opts.region }),
    });
    opts.extraImages.forEach((image, i) => imageIntent(extra, image, extra.reason(undefined, `extraImages[${i}]`), prefixes));
    contexts.push(extra);
  }
  return {
    requirements: mergeRequirements(contexts.flatMap((c) => c.requirements)),
    unresolved: mergeLookups(contexts.flatMap((c) => c.unresolved)),
    warnings: contexts.flatMap((c) => c.warnings),
  };
}
