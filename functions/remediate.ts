// SQS: roles whose findings changed, and rollback requests from the watch. Reports partial batch failures so one
// bad message is retried (and then dead-lettered) alone (lib/edge/remediation-batch.ts).
import { remediationFor } from '../lib/composition-remediation.js';
import { accountOf } from '../lib/engine/arn.js';
import { lambdaHandler } from '../lib/edge/lambda.js';
import { remediationBatch, type RemediationDepsFor } from '../lib/edge/remediation-batch.js';
import { remediationReport } from '../lib/edge/reports.js';

export const run = (event: unknown, deps: RemediationDepsFor) => remediationBatch(event, deps);

/** The Lambda handler over given dependencies (the deployed one builds each role's account's from the environment). */
export const handlerWith = (deps: RemediationDepsFor) => lambdaHandler('remediate', (event) => run(event, deps), remediationReport);

export const handler = handlerWith(async (roleArn) => remediationFor(accountOf(roleArn)));
