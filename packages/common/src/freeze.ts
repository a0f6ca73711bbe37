// Deep freezing of validated configuration so no hook can mutate shared options.

/** Freeze `value` and everything reachable from it; returns the same object typed as readonly. */
export function deepFreeze<T>(value: T): Readonly<T> {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value as object)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}
