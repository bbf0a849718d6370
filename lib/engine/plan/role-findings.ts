// What a role's own facts add to its assessment, the same for the Lambdas and the CLI: a shared role keeps what is not
// the execution role's (its outside-vocabulary excess is the application's) and gets a `shared-role` finding proposing
// the split; a `leash:mode` or `leash:scope` tag that does not read exactly is a finding of its own.
import type { Finding, Requirement } from '../types.js';
import { findingsForSharedRole } from './build-plan.js';
import { readMode } from './mode.js';
import { readScope } from './scope.js';
import type { SharedRoleStatus } from './shared-role.js';
import { synthesize } from '../synth/synthesize.js';

export interface RoleFactsInput {
  roleArn: string;
  findings: Finding[];
  requirements: Requirement[];
  tags?: Record<string, string>;
  shared?: SharedRoleStatus;
}

export function withRoleFacts(input: RoleFactsInput): Finding[] {
  const { roleArn, requirements, shared } = input;
  const mode = readMode(input.tags, 'observe', roleArn);
  const scope = readScope(input.tags, roleArn);
  return [
    ...(shared?.shared
      ? findingsForSharedRole({ findings: input.findings, roleArn, requirements, synthesized: synthesize(requirements), shared })
      : input.findings),
    ...(mode.finding ? [mode.finding] : []),
    ...(scope.finding ? [scope.finding] : []),
  ];
}
