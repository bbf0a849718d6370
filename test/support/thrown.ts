// The error a call throws, checked to be of the expected class (anything else is rethrown, so it fails the test).
import { InputError } from '../../lib/errors.js';

export function thrown<E extends Error>(fn: () => unknown, Class: abstract new (...args: never[]) => E): E {
  try {
    fn();
  } catch (e) {
    if (e instanceof Class) return e;
    throw e;
  }
  throw new Error(`expected a ${Class.name}`);
}

export const inputErrorOf = (fn: () => unknown): InputError => thrown(fn, InputError);
