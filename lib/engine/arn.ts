// ARN and partition helpers. The partition always comes from the Region, never from a host name:
// aws and aws-us-gov share the DNS suffix amazonaws.com (spec 2.2).

export interface Arn {
  partition: string;
  service: string;
  region: string;
  account: string;
  /** Everything after the fifth colon; may itself contain colons and slashes. */
  resource: string;
}

// Region regexes of the AWS SDK's partitions table (same as the ECS agent's awsrulesfn/partitions.go).
const PARTITIONS: readonly { id: string; regionRegex: RegExp; dnsSuffix: string }[] = [
  { id: 'aws', regionRegex: /^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$/, dnsSuffix: 'amazonaws.com' },
  { id: 'aws-cn', regionRegex: /^cn-\w+-\d+$/, dnsSuffix: 'amazonaws.com.cn' },
  { id: 'aws-us-gov', regionRegex: /^us-gov-\w+-\d+$/, dnsSuffix: 'amazonaws.com' },
  { id: 'aws-iso', regionRegex: /^us-iso-\w+-\d+$/, dnsSuffix: 'c2s.ic.gov' },
  { id: 'aws-iso-b', regionRegex: /^us-isob-\w+-\d+$/, dnsSuffix: 'sc2s.sgov.gov' },
  { id: 'aws-iso-e', regionRegex: /^eu-isoe-\w+-\d+$/, dnsSuffix: 'cloud.adc-e.uk' },
  { id: 'aws-iso-f', regionRegex: /^us-isof-\w+-\d+$/, dnsSuffix: 'csp.hci.ic.gov' },
  { id: 'aws-eusc', regionRegex: /^eusc-(de)-\w+-\d+$/, dnsSuffix: 'amazonaws.eu' },
];

export const PARTITION_IDS: readonly string[] = PARTITIONS.map((p) => p.id);
export const PARTITION_SUFFIXES: readonly { id: string; dnsSuffix: string }[] = PARTITIONS.map(({ id, dnsSuffix }) => ({ id, dnsSuffix }));
export const DNS_SUFFIXES: readonly string[] = [...new Set(PARTITIONS.map((p) => p.dnsSuffix))];

/** The partition of a Region, or undefined when the string is not a Region (e.g. `{{region}}`, `region`). */
export function partitionForRegion(region: string | undefined): string | undefined {
  if (!region) return undefined;
  return PARTITIONS.find((p) => p.regionRegex.test(region))?.id;
}

export function isRegion(value: string | undefined): value is string {
  return partitionForRegion(value) !== undefined;
}

export function isPartition(value: string | undefined): value is string {
  return value !== undefined && PARTITION_IDS.includes(value);
}

/** Account IDs are exactly 12 digits; `XXXXXXXXXXXX`, `ACCOUNT_ID`, `${Account}` are placeholders. */
export function isAccountId(value: string | undefined): value is string {
  return value !== undefined && /^\d{12}$/.test(value);
}

/** Template markers left in published task definitions: `${X}`, `{{x}}`, `$$$X$$$`. */
export function hasTemplateMarker(value: string): boolean {
  return /\$\{|\{\{|\}\}|\$\$/.test(value);
}

/** Splits `arn:partition:service:region:account:resource`; undefined when there are fewer than six fields. */
export function parseArn(value: string): Arn | undefined {
  if (!value.startsWith('arn:')) return undefined;
  const parts = value.split(':');
  if (parts.length < 6) return undefined;
  const [, partition, service, region, account] = parts as [string, string, string, string, string];
  if (!partition || !service) return undefined;
  return { partition, service, region, account, resource: parts.slice(5).join(':') };
}

export function buildArn(arn: Arn): string {
  return `arn:${arn.partition}:${arn.service}:${arn.region}:${arn.account}:${arn.resource}`;
}

/**
 * Builds a regional ARN only from real values: the partition is derived from the Region and the account must be
 * 12 digits. Returns undefined otherwise, so no caller can put a placeholder into a policy.
 */
export function regionalArn(service: string, region: string, account: string, resource: string): string | undefined {
  const partition = partitionForRegion(region);
  if (!partition || !isAccountId(account)) return undefined;
  return buildArn({ partition, service, region, account, resource });
}

/** Account of an IAM role ARN (`arn:P:iam::123456789012:role/x`), if it is a real one. */
export function roleAccount(roleArn: string | null | undefined): string | undefined {
  if (!roleArn) return undefined;
  const arn = parseArn(roleArn);
  if (!arn || arn.service !== 'iam' || !arn.resource.startsWith('role/')) return undefined;
  return isAccountId(arn.account) ? arn.account : undefined;
}

// --- Role ARNs: the one place that takes them apart or builds them (every partition, ISO ones included). ---

const ROLE_ARN = /^arn:([a-z-]+):iam::(\d{12}):role\/(?:[^/]+\/)*([^/]+)$/;

/** A role ARN in a known partition with a real account (`arn:aws-iso-b:iam::123456789012:role/path/name`). */
export function isRoleArn(value: unknown): value is string {
  const m = typeof value === 'string' ? ROLE_ARN.exec(value) : null;
  return m !== null && isPartition(m[1]);
}

/** `web-exec` or `arn:aws:iam::123456789012:role/service-role/web-exec` → `web-exec` (the path is not part of the name). */
export function roleNameOf(roleNameOrArn: string): string {
  if (!roleNameOrArn.startsWith('arn:')) return roleNameOrArn;
  const resource = parseArn(roleNameOrArn)?.resource ?? roleNameOrArn;
  return resource.slice(resource.lastIndexOf('/') + 1);
}

/** The account field of any ARN (`''` when it has none, as for S3 buckets). */
export function accountOf(arn: string): string {
  return parseArn(arn)?.account ?? '';
}

/** The partition field of any ARN. */
export function partitionOf(arn: string): string | undefined {
  return parseArn(arn)?.partition;
}

/** A role's ARN in the partition of `region` (a Region of any partition); undefined for a Region Leash does not know. */
export function roleArnIn(region: string, account: string, roleName: string): string | undefined {
  const partition = partitionForRegion(region);
  return partition && isAccountId(account) ? `arn:${partition}:iam::${account}:role/${roleName}` : undefined;
}

/** Whether two role references name the same role: ARNs compare exactly, a bare name (ECS accepts one) by name. */
export function sameRole(a: string | null | undefined, b: string): boolean {
  if (!a) return false;
  if (a === b) return true;
  if (a.startsWith('arn:') && b.startsWith('arn:')) return false;
  return roleNameOf(a) === roleNameOf(b);
}
