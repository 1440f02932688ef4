import { z } from 'zod';
import { Bsn, IsoDateTime, ReportRouting, realNowIso, type ObservationReportSubmission } from '@schakel/contracts';
import { nowIso, type Kysely, type Selectable } from '@schakel/service-kit';
import type { ConsultDatabase, OutboxTable } from './migrations.js';
import type { DueMessage } from './delivery.js';
import { leasedDeliveries } from './leases.js';

/**
 * Where a report is on its way to the patient's own GP. queued: stored, not tried yet; delivering: an
 * attempt is under way, `nextAttemptAt` says when its claim lapses (leases.ts); retrying: the last attempt failed in a way worth another try (GP or switch point
 * down, too slow, AE), `nextAttemptAt` says when; delivered: acknowledged AA; rejected: AR or a refusal
 * that no retry can change (no registered GP, unknown patient at the GP, invalid report), with the reason.
 */
export const OUTBOX_STATES = ['queued', 'delivering', 'retrying', 'delivered', 'rejected'] as const;
export const OutboxState = z.enum(OUTBOX_STATES).meta({ id: 'OutboxState' });
export type OutboxState = z.infer<typeof OutboxState>;

export const OutboxReport = z
  .object({
    messageId: z.uuid(),
    consultId: z.uuid(),
    bsn: Bsn,
    state: OutboxState,
    attempts: z.number().int(),
    nextAttemptAt: IsoDateTime.nullable(),
    lastError: z.string().nullable(),
    createdAt: IsoDateTime,
    deliveredAt: IsoDateTime.nullable(),
    acknowledgement: ReportRouting.nullable().describe(
      'The acknowledgement that settled it (AA, or AR with its reason)',
    ),
    rejection: z.object({ code: z.string(), reason: z.string() }).nullable(),
  })
  .meta({ id: 'OutboxReport', description: 'An observation report in the sender’s outbox and its delivery state' });
export type OutboxReport = z.infer<typeof OutboxReport>;

type Row = Selectable<OutboxTable>;
const toReport = (r: Row): OutboxReport => ({
  messageId: r.message_id,
  consultId: r.consult_id,
  bsn: r.bsn,
  state: r.state as OutboxState,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastError: r.last_error,
  createdAt: r.created_at,
  deliveredAt: r.delivered_at,
  acknowledgement: r.acknowledgement === null ? null : (JSON.parse(r.acknowledgement) as ReportRouting),
  rejection: r.reject_code === null ? null : { code: r.reject_code, reason: r.reject_reason ?? '' },
});

export type DueReport = DueMessage<ObservationReportSubmission>;

/**
 * The sender's outbox in its own store. Claims are leases (delivery.ts): a second process on the same store
 * never takes a report this one is delivering, and a claim left by a process that stopped lapses.
 * The retry schedule (next_attempt_at) is operational, on real time like the delivery worker's sleeping
 * (delivery.ts): a frozen or shifted domain clock (docs/control.md, "Clock") must not stop retries or skip
 * their backoff. When a report was written and delivered is domain time (nowIso).
 */
export function createOutbox(store: Kysely<ConsultDatabase>) {
  const db = store;
  const leases = leasedDeliveries<Selectable<OutboxTable>>(db, 'outbox', 'message_id');
  return {
    /** Store the report before anything goes on the wire; false when this consult already has one. */
    async enqueue(consultId: string, submission: ObservationReportSubmission): Promise<boolean> {
      const r = await db
        .insertInto('outbox')
        .values({
          message_id: submission.messageId,
          consult_id: consultId,
          bsn: submission.bsn,
          body: JSON.stringify(submission),
          state: 'queued',
          next_attempt_at: realNowIso(),
          created_at: submission.writtenAt,
        })
        .onConflict((oc) => oc.column('consult_id').doNothing())
        .executeTakeFirst();
      return r.numInsertedOrUpdatedRows === 1n;
    },
    async get(messageId: string): Promise<OutboxReport | undefined> {
      const row = await db.selectFrom('outbox').selectAll().where('message_id', '=', messageId).executeTakeFirst();
      return row === undefined ? undefined : toReport(row);
    },
    async forConsult(consultId: string): Promise<OutboxReport | undefined> {
      const row = await db.selectFrom('outbox').selectAll().where('consult_id', '=', consultId).executeTakeFirst();
      return row === undefined ? undefined : toReport(row);
    },
    async list(filter: { state?: OutboxState | undefined; limit: number }): Promise<OutboxReport[]> {
      let q = db.selectFrom('outbox').selectAll();
      if (filter.state !== undefined) q = q.where('state', '=', filter.state);
      return (await q.orderBy('created_at', 'desc').orderBy('message_id').limit(filter.limit).execute()).map(toReport);
    },
    async counts(): Promise<Record<OutboxState, number>> {
      const rows = await db
        .selectFrom('outbox')
        .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('state')
        .execute();
      const out = Object.fromEntries(OUTBOX_STATES.map((s) => [s, 0])) as Record<OutboxState, number>;
      for (const r of rows) out[r.state as OutboxState] = r.n;
      return out;
    },
    /**
     * At start: an attempt whose claim lapsed was left by a process that stopped (even by SIGKILL); it is
     * tried again now, which is safe because the GP de-duplicates by message id (leases.ts).
     */
    recover: () => leases.recover('this system stopped during an attempt'),
    /** Take up to `limit` reports that are due and mark them delivering (one attempt more) for `leaseMs`. */
    async claimDue(limit: number, leaseMs: number): Promise<DueReport[]> {
      return (await leases.claim(limit, leaseMs)).map((r) => ({
        messageId: r.message_id,
        attempts: r.attempts,
        submission: JSON.parse(r.body) as ObservationReportSubmission,
      }));
    },
    /** When the next report is due, or a claim lapses (undefined: none pending). */
    nextDue: leases.nextDue,
    async delivered(messageId: string, ack: ReportRouting): Promise<void> {
      await db
        .updateTable('outbox')
        .set({
          state: 'delivered',
          delivered_at: nowIso(),
          acknowledgement: JSON.stringify(ack),
          next_attempt_at: null,
          last_error: null,
        })
        .where('message_id', '=', messageId)
        .execute();
    },
    async rejected(messageId: string, code: string, reason: string, ack?: ReportRouting): Promise<void> {
      await db
        .updateTable('outbox')
        .set({
          state: 'rejected',
          reject_code: code,
          reject_reason: reason,
          acknowledgement: ack === undefined ? null : JSON.stringify(ack),
          next_attempt_at: null,
        })
        .where('message_id', '=', messageId)
        .execute();
    },
    retry: leases.retry,
  };
}
export type Outbox = ReturnType<typeof createOutbox>;
