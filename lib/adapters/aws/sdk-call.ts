// One way to run an SDK call: failures become AdapterError (service, operation, cause), and "not found" can be
// told apart from everything else without string-matching at every call site.
import { AdapterError } from '../../errors.js';

/** The error name the SDK gives a service exception (`NoSuchEntityException`, `ResourceNotFoundException`, …). */
export function errorName(err: unknown): string {
  if (err && typeof err === 'object' && 'name' in err && typeof err.name === 'string') return err.name;
  return '';
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Runs `fn`; any failure is rethrown as AdapterError naming the service and operation, keeping the cause. */
export async function call<T>(service: string, operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof AdapterError) throw err;
    throw new AdapterError(`${errorName(err) || 'Error'}: ${errorMessage(err)}`, service, operation, { cause: err });
  }
}

/** Like `call`, but resolves `undefined` when `isMissing(err)` says the resource does not exist. */
export async function callOrMissing<T>(
  service: string,
  operation: string,
  fn: () => Promise<T>,
  isMissing: (err: unknown) => boolean,
): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw new AdapterError(`${errorName(err) || 'Error'}: ${errorMessage(err)}`, service, operation, { cause: err });
  }
}

export const named =
  (...names: string[]) =>
  (err: unknown): boolean =>
    names.includes(errorName(err));
