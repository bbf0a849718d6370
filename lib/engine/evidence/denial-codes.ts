// CloudTrail `errorCode` spellings that mean "not authorized". They differ by service: AccessDenied (S3, STS, and
// CloudWatch Logs in CloudTrail), AccessDeniedException (JSON APIs: ECR, Secrets Manager, SSM, KMS), EC2's
// Client.UnauthorizedOperation / UnauthorizedOperation, and UnauthorizedException (a few JSON APIs).
// One list for two consumers: the parser accepts exactly these, and the deployed denial rule
// (infra/patterns/denial.json) forwards exactly these. test/infra/events.test.ts holds the two equal, so the rule
// never drops a denial the parser would record, and never wakes the Lambda for an error it would ignore.
export const DENIAL_ERROR_CODES = [
  'AccessDenied',
  'AccessDeniedException',
  'Client.UnauthorizedOperation',
  'UnauthorizedOperation',
  'UnauthorizedException',
] as const;

/** Exact, case-sensitive match (as EventBridge matches): `NotAccessDenied` or `accessdenied` are not denials. */
export const DENIAL_ERROR_CODE = new RegExp(`^(?:${DENIAL_ERROR_CODES.map((c) => c.replace(/\./g, '\\.')).join('|')})$`);
