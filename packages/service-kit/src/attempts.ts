/**
 * Counts failed attempts per key (an account such as a BSN or a front-office username, and a client
 * address) in a fixed window, so that guessing a portal code or a password is slow: past the limit a key
 * is blocked until its window ends. Only failures count, so someone who logs in correctly is never slowed
 * down by others' successes. Kept in memory: a process counts its own attempts, which suits the front
 * offices (one process each); the switch point's portal, which may run as replicas, counts the same way in
 * its store (services/lsp/src/portal-attempts.ts). @fastify/rate-limit counts every request, not
 * failures per submitted account, hence this small counter. Keys are `account:<id>` or `client:<address>`.
 */
export function createAttemptLimiter(
  limits: { perAccount: number; perClient: number; windowMs: number },
  now: () => number = Date.now,
) {
  const windows = new Map<string, { failures: number; until: number }>();
  const limitOf = (key: string) => (key.startsWith('account:') ? limits.perAccount : limits.perClient);
  const current = (key: string) => {
    const w = windows.get(key);
    if (w !== undefined && w.until <= now()) {
      windows.delete(key);
      return undefined;
    }
    return w;
  };
  return {
    /** Milliseconds until the first of these keys may try again, or undefined when none is blocked. */
    blocked(keys: string[]): number | undefined {
      let wait: number | undefined;
      for (const key of keys) {
        const w = current(key);
        if (w !== undefined && w.failures >= limitOf(key)) wait = Math.max(wait ?? 0, w.until - now());
      }
      return wait;
    },
    failed(keys: string[]): void {
      if (windows.size > 100_000) for (const key of windows.keys()) current(key);
      for (const key of keys) {
        const w = current(key) ?? { failures: 0, until: now() + limits.windowMs };
        w.failures++;
        windows.set(key, w);
      }
    },
    succeeded(key: string): void {
      windows.delete(key);
    },
  };
}
export type AttemptLimiter = ReturnType<typeof createAttemptLimiter>;
