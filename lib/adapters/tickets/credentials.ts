// A tracker's token problems, said as CredentialsError (lib/app/tickets.ts degrades on it rather than failing the
// remediation): the secret cannot be read (missing, access denied), is empty, or the tracker refuses the token.
// Messages name the tracker and the error class only: never the token, the secret's value or a response body.
import { AdapterError, CredentialsError } from '../../errors.js';
import { HttpStatusError } from '../http/json-http.js';

type Service = 'jira' | 'github';
const LABEL: Record<Service, string> = { jira: 'Jira API', github: 'GitHub' };

/** The innermost named error of a cause chain (`ResourceNotFoundException`, `AccessDeniedException`, …). */
function rootName(err: unknown): string {
  let name = '';
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    const n = (e as { name?: unknown }).name;
    if (typeof n === 'string' && n && n !== 'Error') name = n;
  }
  return name || 'Error';
}

/** The token, from a value or read when first needed. */
export async function readToken(service: Service, source: string | (() => Promise<string | undefined>)): Promise<string> {
  let token: string | undefined;
  try {
    token = typeof source === 'string' ? source : await source();
  } catch (cause) {
    throw new CredentialsError(`the ${LABEL[service]} token cannot be read (${rootName(cause)})`, service, 'auth', { cause });
  }
  if (!token?.trim()) throw new CredentialsError(`no ${LABEL[service]} token is stored (the secret is empty)`, service, 'auth');
  return token.trim();
}

/** A tracker answer that means "this token is not accepted": 401 always; 403 unless GitHub is rate limiting (a 403
 *  whose body says so), which is transient and left to the retries. */
export function asRefusedToken(err: unknown, service: Service): unknown {
  if (!(err instanceof HttpStatusError)) return err;
  const rateLimited = service === 'github' && /rate limit/i.test(err.responseBody);
  if (err.status === 401 || (err.status === 403 && !rateLimited)) {
    return new CredentialsError(
      `${service === 'jira' ? 'Jira' : 'GitHub'} refused the token (HTTP ${err.status})`,
      service,
      err.operation,
      {
        cause: new AdapterError(`HTTP ${err.status}`, service, err.operation),
      },
    );
  }
  return err;
}
