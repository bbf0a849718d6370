// Wiring helpers of the acting roots (remediation, approvals) only: the read-only functions' root must not bundle
// Access Analyzer.
import { AccessAnalyzerClient } from '@aws-sdk/client-accessanalyzer';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AwsAccessAnalyzer } from './adapters/aws/access-analyzer.js';
import { clientOptions, type AwsConfig } from './adapters/aws/clients.js';
import { SecretsManagerSecrets } from './adapters/aws/secrets.js';
import { PlanVerifier } from './app/apply/plan-verifier.js';
import type { Roles } from './app/ports.js';
import type { LeashConfig } from './config.js';
import { coversRequirement } from './engine/policy/evaluate.js';

/** The signing secrets the stack stores (Slack request signing, approval links). */
export const storedSecrets = (config: LeashConfig, client: SecretsManagerClient) =>
  new SecretsManagerSecrets(client, { slackSigning: config.slackSigningSecretArn, linkSigning: config.linkSigningSecretArn });

/** Access Analyzer for the verifier: none when the override is null (local runs), else the given or a new client. */
export const accessAnalyzer = (override: AccessAnalyzerClient | null | undefined, aws: AwsConfig) =>
  override === null ? undefined : new AwsAccessAnalyzer(override ?? new AccessAnalyzerClient(clientOptions(aws)));

/** The local and Access Analyzer verification of a plan before it is applied. */
export const planVerifier = (roles: Pick<Roles, 'managedPolicy'>, analyzer: AccessAnalyzerClient | null | undefined, aws: AwsConfig) =>
  new PlanVerifier({
    analyzer: accessAnalyzer(analyzer, aws),
    covers: coversRequirement,
    managedPolicy: (arn) => roles.managedPolicy(arn),
  });
