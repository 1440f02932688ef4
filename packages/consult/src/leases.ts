import { realNowIso } from '@schakel/contracts';
import { queryBuilder, type QueryRunner } from '@schakel/service-kit';

/**
 * A claim is a lease: the message is `delivering`, and its next_attempt_at says when the lease lapses. An
 * attempt ends well before that (its own time-outs), so a message still delivering past its lease was left
 * by a process that stopped, and any worker may take it again. Several processes on one store (switch-point
 * replicas, two workers of one organisation on one PostgreSQL schema) thus never take a message another is
 * delivering, and none needs to know which of the others is alive: a process that starts puts back only
 * lapsed claims (recover), not those of a process still at work (issue #18).
 */
export const CLAIMABLE_STATES = ['queued', 'retrying', 'delivering'] as const;
/** When a claim made now lapses (real time, as the retry schedule). */
export const leaseUntil = (leaseMs: number): string => new Date(Date.now() + leaseMs).toISOString();

/** The columns every delivery table has: the report outbox, the GP's referrals, subscription notifications. */
export interface LeasedColumns {
  state: string;
  attempts: number;
  next_attempt_at: string | null;
  last_error: string | null;
}

/**
 * The claim, lapse and schedule of one delivery table, written once for all of them: `table` holds the
 * messages (each a `Row`), `key` is the column that names one. What a delivered or rejected message records
 * differs per table and stays with its store. The retry schedule (next_attempt_at) is on real time: a frozen
 * or shifted domain clock (docs/control.md, "Clock") must not stop retries or skip their backoff.
 */
export function leasedDeliveries<Row extends LeasedColumns>(
  store: QueryRunner,
  table: string,
  key: keyof Row & string,
) {
  const q = queryBuilder<Record<string, LeasedColumns & Record<string, unknown>>>(store);
  const keyRef = q.dynamic.ref<string>(key);
  return {
    /** Take up to `limit` due messages, each with a lease of `leaseMs` (one attempt more); answers their rows. */
    claim: async (limit: number, leaseMs: number): Promise<Row[]> => {
      const now = realNowIso();
      const due = await store.executeQuery(
        q
          .selectFrom(table)
          .select(keyRef)
          .where('state', 'in', CLAIMABLE_STATES)
          .where('next_attempt_at', '<=', now)
          .orderBy('next_attempt_at')
          .limit(limit),
      );
      if (due.rows.length === 0) return [];
      // Claimed only if still due: another worker on the same store that took a message first moved its lease
      // on, so it is left out here and each attempt is made once.
      const claimed = await store.executeQuery(
        q
          .updateTable(table)
          .set((eb) => ({
            state: 'delivering',
            attempts: eb('attempts', '+', 1),
            next_attempt_at: leaseUntil(leaseMs),
          }))
          .where(
            keyRef,
            'in',
            due.rows.map((r) => String((r as Record<string, unknown>)[key])),
          )
          .where('state', 'in', CLAIMABLE_STATES)
          .where('next_attempt_at', '<=', now)
          .returningAll(),
      );
      return claimed.rows as unknown as Row[];
    },
    /** When the next message is due, or a claim lapses (undefined: none pending). */
    nextDue: async (): Promise<string | undefined> => {
      const { rows } = await store.executeQuery(
        q
          .selectFrom(table)
          .select((eb) => eb.fn.min('next_attempt_at').as('at'))
          .where('state', 'in', CLAIMABLE_STATES),
      );
      return rows[0]?.at ?? undefined;
    },
    /** Try this message again at `nextAttemptAt`. */
    retry: async (id: string, nextAttemptAt: string, error: string): Promise<void> => {
      await store.executeQuery(
        q
          .updateTable(table)
          .set({ state: 'retrying', next_attempt_at: nextAttemptAt, last_error: error })
          .where(keyRef, '=', id),
      );
    },
    /**
     * At start-up: attempts under way when a process stopped, their claims lapsed. Nobody knows whether they
     * arrived, so they go again now (receivers de-duplicate by message id). A claim not lapsed yet may be
     * another process's at work: left alone. Answers how many were put back.
     */
    recover: async (reason: string): Promise<number> => {
      const now = realNowIso();
      const r = await store.executeQuery(
        q
          .updateTable(table)
          .set({ state: 'retrying', next_attempt_at: now, last_error: `interrupted: ${reason}` })
          .where('state', '=', 'delivering')
          .where('next_attempt_at', '<=', now),
      );
      return Number(r.numAffectedRows ?? 0n);
    },
  };
}
