// Failures of the AWS SDK said as what to set, not as a stack: missing or expired credentials, a denied call, an
// unreachable endpoint. Anything else is left to the caller.

function chain(err: unknown): { name: string; message: string; code?: string }[] {
  const out: { name: string; message: string; code?: string }[] = [];
  let e: unknown = err;
  for (let i = 0; i < 8 && e && typeof e === 'object'; i++) {
    const o = e as { name?: unknown; message?: unknown; code?: unknown; cause?: unknown };
    out.push({
      name: typeof o.name === 'string' ? o.name : '',
      message: typeof o.message === 'string' ? o.message : '',
      ...(typeof o.code === 'string' && { code: o.code }),
    });
    e = o.cause;
  }
  return out;
}

const CREDENTIALS_HELP =
  'set AWS_PROFILE (after `aws sso login` or `aws configure`), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (plus AWS_SESSION_TOKEN for temporary credentials), and AWS_REGION; in GitHub Actions, aws-actions/configure-aws-credentials (OIDC) sets them; for a local emulator such as moto, set AWS_ENDPOINT_URL too';

/** A sentence saying what to set, when `err` is a credentials, permission or endpoint problem; else undefined. */
export function awsProblem(err: unknown): string | undefined {
  const links = chain(err);
  const has = (re: RegExp) => links.some((l) => re.test(l.name) || re.test(l.message) || (l.code !== undefined && re.test(l.code)));
  if (has(/CredentialsProviderError|Could not load credentials|Could not resolve credentials|credential/i) && !has(/expired/i)) {
    return `no usable AWS credentials: ${CREDENTIALS_HELP}`;
  }
  if (has(/ExpiredToken|RequestExpired|token.*expired|expired.*token/i)) {
    return 'the AWS credentials have expired: refresh them (`aws sso login`, or new AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN)';
  }
  if (has(/InvalidClientTokenId|UnrecognizedClient|InvalidAccessKeyId|SignatureDoesNotMatch|AuthFailure/)) {
    return `AWS rejected the credentials (check AWS_PROFILE or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY): ${CREDENTIALS_HELP}`;
  }
  if (has(/^AccessDenied|AccessDeniedException|not authorized to perform/)) {
    const what = links.find((l) => /not authorized to perform/.test(l.message))?.message ?? links[0]?.message ?? 'access denied';
    return `the AWS caller is not allowed to read what this command needs (${what.replace(/\s+/g, ' ').slice(0, 300)}); \`leash <command> --help\` lists the permissions`;
  }
  if (has(/ENOTFOUND|ECONNREFUSED|EAI_AGAIN|ETIMEDOUT|ECONNRESET|getaddrinfo/)) {
    return 'cannot reach the AWS endpoint: check the network, AWS_REGION and AWS_ENDPOINT_URL';
  }
  if (has(/Region is missing/i)) return 'no AWS Region: set AWS_REGION (e.g. us-east-1)';
  return undefined;
}
