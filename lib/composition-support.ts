// Small wiring helpers the composition roots share, so the roots themselves stay plain expressions.

/** Stored role facts serve the event handlers this long: the daily sweep refreshes them, with two hours to spare. */
export const EVENT_FACTS_MAX_AGE_MS = 26 * 3_600_000;

export const isoNow = (): string => new Date().toISOString();

/** `make(value)` when the setting is there, else undefined: an optional adapter. */
export function optional<T, R>(value: T | undefined, make: (value: T) => R): R | undefined {
  return value === undefined || value === '' ? undefined : make(value);
}

/** One value per key for the container's lifetime (one set of adapters per account); a failed build is retried. */
export function cachedBy<K, V>(build: (key?: K) => V): (key?: K) => V {
  const cache = new Map<K | undefined, V>();
  return (key?: K) => {
    if (!cache.has(key)) cache.set(key, build(key));
    const value = cache.get(key) as V;
    if (value instanceof Promise) value.catch(() => cache.delete(key));
    return value;
  };
}
