// One home for Leash's error classes: each sets `name` and keeps `cause`, so logs and the DLQ say what failed.

export class LeashError extends Error {
  override name = 'LeashError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Input that cannot be used as given: names the source (file or event id) and the JSON path. */
export class InputError extends LeashError {
  override name = 'InputError';
  constructor(
    message: string,
    readonly source: string,
    readonly jsonPath: string,
    options?: { cause?: unknown },
  ) {
    super(`${source}: ${jsonPath}: ${message}`, options);
  }
}

/** A policy document that cannot be parsed or evaluated. */
export class PolicyError extends InputError {
  override name = 'PolicyError';
}

/** An event Leash was asked to process but cannot accept (wrong shape, wrong source). */
export class EventError extends InputError {
  override name = 'EventError';
}

/** A call to AWS or another service failed in a way the caller should surface or retry. */
export class AdapterError extends LeashError {
  override name = 'AdapterError';
  constructor(
    message: string,
    readonly service: string,
    readonly operation: string,
    options?: { cause?: unknown },
  ) {
    super(`${service}.${operation}: ${message}`, options);
  }
}

/** Credentials Leash holds for another service (a tracker token) cannot be read, are empty, or were refused: retrying
 *  does not help until a person fixes them, so callers degrade (record, alarm) instead of failing their work. */
export class CredentialsError extends AdapterError {
  override name = 'CredentialsError';
}

/** The state a change was planned against is no longer the current state (compare-and-swap lost). */
export class ConflictError extends LeashError {
  override name = 'ConflictError';
}

/** Another writer holds the role (its lease): nothing was done; retry later, the change is not spent. */
export class BusyError extends ConflictError {
  override name = 'BusyError';
}

/** A safety rule refused an action (guardrail, approval check). The message says which rule. */
export class RefusedError extends LeashError {
  override name = 'RefusedError';
  constructor(
    message: string,
    readonly rule: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
