import { sql, type Kysely } from '@schakel/service-kit';
import type { LspDatabase } from './migrations.js';

/**
 * Failed portal logins, counted in the switch point's store rather than in a process's memory: with
 * several switch-point replicas behind one address (docs/deployment.md) each login lands on any of them, and
 * a count per replica would allow a guesser as many tries as there are replicas (issue #18). Same rule as
 * service-kit's createAttemptLimiter, which the front offices keep in memory (one process each): only
 * failures count, per key (`account:<bsn>`, `client:<address>`) in a fixed window, past the limit a key is
 * blocked until its window ends. Windows are real time, like the in-memory counter's.
 */
export function createPortalAttempts(
  db: Kysely<LspDatabase>,
  limits: { perAccount: number; perClient: number; windowMs: number },
  now: () => number = Date.now,
) {
  const limitOf = (key: string) => (key.startsWith('account:') ? limits.perAccount : limits.perClient);
  return {
    /** Milliseconds until the first of these keys may try again, or undefined when none is blocked. */
    async blocked(keys: string[]): Promise<number | undefined> {
      const at = now();
      const rows = await db
        .selectFrom('portal_login_failures')
        .select(['key', 'failures', 'until_at'])
        .where('key', 'in', keys)
        .where('until_at', '>', new Date(at).toISOString())
        .execute();
      let wait: number | undefined;
      for (const r of rows) if (r.failures >= limitOf(r.key)) wait = Math.max(wait ?? 0, Date.parse(r.until_at) - at);
      return wait;
    },
    /** One failure more for each key, in one statement, so that replicas failing at once all count. */
    async failed(keys: string[]): Promise<void> {
      const at = new Date(now()).toISOString();
      const until = new Date(now() + limits.windowMs).toISOString();
      await db.deleteFrom('portal_login_failures').where('until_at', '<=', at).execute();
      await db
        .insertInto('portal_login_failures')
        .values(keys.map((key) => ({ key, failures: 1, until_at: until })))
        .onConflict((oc) =>
          oc.column('key').doUpdateSet({
            // A window that ended meanwhile starts again with this failure.
            failures: sql<number>`CASE WHEN portal_login_failures.until_at <= ${at} THEN 1 ELSE portal_login_failures.failures + 1 END`,
            until_at: sql<string>`CASE WHEN portal_login_failures.until_at <= ${at} THEN ${until} ELSE portal_login_failures.until_at END`,
          }),
        )
        .execute();
    },
    async succeeded(key: string): Promise<void> {
      await db.deleteFrom('portal_login_failures').where('key', '=', key).execute();
    },
  };
}
export type PortalAttempts = ReturnType<typeof createPortalAttempts>;
