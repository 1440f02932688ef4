/**
 * A value loaded from the store and kept for a short while. The hot query path reads the address book,
 * the revocation list and the policy switches on every request; they change rarely, so each is read at
 * most once per `ttlMs` and at once after a change made by this process. Another switch-point process
 * sharing the store sees a change within `ttlMs` (docs/decisions.md).
 */
export function cached<T>(load: () => Promise<T>, ttlMs = 1_000) {
  let value: Promise<T> | undefined;
  let loadedAt = 0;
  return {
    get(): Promise<T> {
      const now = Date.now();
      if (value === undefined || now - loadedAt > ttlMs) {
        loadedAt = now;
        value = load().catch((err: unknown) => {
          value = undefined;
          throw err;
        });
      }
      return value;
    },
    invalidate(): void {
      value = undefined;
    },
  };
}
