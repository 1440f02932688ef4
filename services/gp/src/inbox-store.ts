import { z } from 'zod';
import { Bsn, IsoDateTime, ObservationReportDelivery } from '@schakel/contracts';
import { nowIso, sql, type Kysely, type Selectable } from '@schakel/service-kit';
import type { GpDatabase } from './migrations.js';

export const InboxStatus = z.enum(['unread', 'read', 'processed']).meta({ id: 'InboxStatus' });
export type InboxStatus = z.infer<typeof InboxStatus>;

export const InboxReport = z
  .object({
    messageId: z.uuid(),
    bsn: Bsn,
    status: InboxStatus,
    receivedAt: IsoDateTime,
    deliveries: z
      .number()
      .int()
      .describe(
        'How often the switch point delivered this message id (redeliveries after a lost acknowledgement are counted, not stored)',
      ),
    readAt: IsoDateTime.nullable(),
    processedAt: IsoDateTime.nullable(),
    report: ObservationReportDelivery,
  })
  .meta({ id: 'InboxReport' });
export type InboxReport = z.infer<typeof InboxReport>;

const toReport = (r: Selectable<GpDatabase['inbox_reports']>): InboxReport => ({
  messageId: r.message_id,
  bsn: r.bsn,
  status: InboxStatus.parse(r.status),
  receivedAt: r.received_at,
  deliveries: r.deliveries,
  readAt: r.read_at,
  processedAt: r.processed_at,
  report: ObservationReportDelivery.parse(JSON.parse(r.body)),
});

/** What happened to a delivery: stored now, a redelivery of what is stored, or a known id for another patient or sender. */
export type Receipt = { outcome: 'stored' | 'duplicate' | 'conflict'; receivedAt: string };

/** The practice's inbox of observation reports (REPC_IN990003NL), exactly once per message id. */
export function createInboxStore(db: Kysely<GpDatabase>) {
  async function get(messageId: string): Promise<InboxReport | undefined> {
    const row = await db.selectFrom('inbox_reports').selectAll().where('message_id', '=', messageId).executeTakeFirst();
    return row === undefined ? undefined : toReport(row);
  }
  return {
    get,
    /** Store once; a message id seen before is counted, never stored twice. */
    async receive(d: ObservationReportDelivery, initialRequestId: string): Promise<Receipt> {
      const receivedAt = nowIso();
      const inserted = await db
        .insertInto('inbox_reports')
        .values({
          message_id: d.messageId,
          bsn: d.bsn,
          sender_application_id: d.sender.applicationId,
          sender_ura: d.sender.ura,
          sender_name: d.sender.organisationName,
          body: JSON.stringify(d),
          initial_request_id: initialRequestId,
          received_at: receivedAt,
        })
        .onConflict((oc) => oc.column('message_id').doNothing())
        .executeTakeFirst();
      if (inserted.numInsertedOrUpdatedRows === 1n) return { outcome: 'stored', receivedAt };
      await db
        .updateTable('inbox_reports')
        .set({ deliveries: sql<number>`deliveries + 1` })
        .where('message_id', '=', d.messageId)
        .execute();
      const first = await db
        .selectFrom('inbox_reports')
        .select(['bsn', 'sender_ura', 'received_at'])
        .where('message_id', '=', d.messageId)
        .executeTakeFirstOrThrow();
      // The same message id for another patient or sender is not a redelivery but a broken sender.
      return {
        outcome: first.bsn === d.bsn && first.sender_ura === d.sender.ura ? 'duplicate' : 'conflict',
        receivedAt: first.received_at,
      };
    },
    /** Newest first; `count` is how many match, beyond the limit too. */
    async list(filter: {
      status?: InboxStatus | undefined;
      bsn?: string | undefined;
      limit: number;
    }): Promise<{ count: number; reports: InboxReport[] }> {
      let q = db.selectFrom('inbox_reports');
      if (filter.status !== undefined) q = q.where('status', '=', filter.status);
      if (filter.bsn !== undefined) q = q.where('bsn', '=', filter.bsn);
      const { count } = await q.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
      const rows = await q
        .selectAll()
        .orderBy('received_at', 'desc')
        .orderBy('message_id')
        .limit(filter.limit)
        .execute();
      return { count, reports: rows.map(toReport) };
    },
    /** Unread becomes read; a processed report stays processed. */
    async markRead(messageId: string): Promise<void> {
      await db
        .updateTable('inbox_reports')
        .set({ status: 'read', read_at: nowIso() })
        .where('message_id', '=', messageId)
        .where('status', '=', 'unread')
        .execute();
    },
    /** Processed into the patient's record, which counts as read too. */
    async markProcessed(messageId: string): Promise<void> {
      const at = nowIso();
      await db
        .updateTable('inbox_reports')
        .set((eb) => ({ status: 'processed', processed_at: at, read_at: eb.fn.coalesce('read_at', eb.val(at)) }))
        .where('message_id', '=', messageId)
        .where('status', '!=', 'processed')
        .execute();
    },
  };
}
export type InboxStore = ReturnType<typeof createInboxStore>;
