import { z } from 'zod';
import { Bsn, IsoDateTime, ObservationReportDelivery, ReportAcknowledgement, describeInteraction, notFound } from '@schakel/contracts';
import { nowIso, pick, sql, type App, type Kysely, type Selectable, type SourceLog } from '@schakel/service-kit';
import type { GpDatabase } from './migrations.js';
import type { PatientStore } from './patients.js';

const InboxStatus = z.enum(['unread', 'read', 'processed']).meta({ id: 'InboxStatus' });
const InboxReport = z
  .object({
    messageId: z.uuid(),
    bsn: Bsn,
    status: InboxStatus,
    receivedAt: IsoDateTime,
    deliveries: z.number().int().describe('How often the switch point delivered this message id (redeliveries after a lost acknowledgement are counted, not stored)'),
    readAt: IsoDateTime.nullable(),
    processedAt: IsoDateTime.nullable(),
    report: ObservationReportDelivery,
  })
  .meta({ id: 'InboxReport' });
type InboxReport = z.infer<typeof InboxReport>;

type Row = Selectable<GpDatabase['inbox_reports']>;
const toReport = (r: Row): InboxReport => ({
  messageId: r.message_id,
  bsn: r.bsn,
  status: r.status as InboxReport['status'],
  receivedAt: r.received_at,
  deliveries: r.deliveries,
  readAt: r.read_at,
  processedAt: r.processed_at,
  report: JSON.parse(r.body) as InboxReport['report'],
});

type Ack = z.infer<typeof ReportAcknowledgement>;

/**
 * The GP's inbox of observation reports (waarneemverslagen, REPC_IN990003NL) from the after-hours post,
 * the emergency department and the ambulance, delivered by the switch point. Receiving is idempotent by
 * message id (exactly once in the inbox whatever the sender retries), and every delivery is answered with
 * an acknowledgement in the spirit of MCCI_IN000002: AA accepted (also for a duplicate), AR rejected with
 * a reason (the sender must not try again), AE a local error (the sender tries again).
 */
export function inboxDeliveryRoutes(app: App, db: Kysely<GpDatabase>, patients: PatientStore, log: SourceLog): void {
  const logDelivery = (d: z.infer<typeof ObservationReportDelivery>, aorta: { initialRequestId: string; requestId: string }, result: string) =>
    log.write({ interaction: 'REPC_IN990003NL', aorta, bsn: d.bsn, requesterUra: d.sender.ura, acting: d.author, result });

  /** Store once; a message id seen before is counted and acknowledged again, never stored twice. */
  async function receive(d: z.infer<typeof ObservationReportDelivery>, initialRequestId: string): Promise<Ack> {
    const ack = (a: Omit<Ack, 'interaction' | 'messageId'>): Ack => ({ interaction: 'MCCI_IN000002', messageId: d.messageId, ...a });
    if ((await patients.get(d.bsn)) === undefined) {
      return ack({ acknowledgement: 'AR', duplicate: false, code: 'UNKNOWN_PATIENT', reason: `Patient ${d.bsn} is not registered at this practice` });
    }
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
    if (inserted.numInsertedOrUpdatedRows === 1n) return ack({ acknowledgement: 'AA', duplicate: false, receivedAt });
    await db.updateTable('inbox_reports').set({ deliveries: sql<number>`deliveries + 1` }).where('message_id', '=', d.messageId).execute();
    const first = await db.selectFrom('inbox_reports').select(['bsn', 'sender_ura', 'received_at']).where('message_id', '=', d.messageId).executeTakeFirstOrThrow();
    // The same message id for another patient or sender is not a redelivery but a broken sender.
    if (first.bsn !== d.bsn || first.sender_ura !== d.sender.ura) {
      return ack({ acknowledgement: 'AR', duplicate: false, code: 'MESSAGE_ID_CONFLICT', reason: `Message id ${d.messageId} was received before for another patient or sender` });
    }
    return ack({ acknowledgement: 'AA', duplicate: true, receivedAt: first.received_at, reason: 'duplicate: received before, stored once' });
  }

  app.post(
    '/lsp/observation-reports',
    {
      config: { interaction: 'REPC_IN990003NL' },
      schema: {
        tags: ['switch point'],
        summary: `${describeInteraction('REPC_IN990003NL')}, as the switch point delivers it`,
        description:
          'Answers an acknowledgement (MCCI_IN000002): AA accepted (duplicate: true when this message id was received before; it is stored once), AR rejected with a reason code (UNKNOWN_PATIENT: not a patient of this practice), AE a local error worth another try. A report that does not match the contract is refused with 400 and never stored.',
        body: ObservationReportDelivery,
        response: { 200: ReportAcknowledgement, ...pick(400) },
      },
    },
    async (request) => {
      const d = request.body;
      let ack: Ack;
      try {
        ack = await receive(d, request.aorta.initialRequestId);
      } catch (err) {
        // A local failure (e.g. the store is busy): say so, so that the sender tries again later.
        request.log.error({ err, messageId: d.messageId }, 'observation report could not be stored');
        ack = { interaction: 'MCCI_IN000002', messageId: d.messageId, acknowledgement: 'AE', duplicate: false, code: 'STORE_UNAVAILABLE', reason: 'The report could not be stored now; try again' };
      }
      await logDelivery(d, request.aorta, `${ack.acknowledgement}${ack.duplicate ? ' duplicate' : ''}${ack.code !== undefined ? ` ${ack.code}` : ''}`).catch((err: unknown) =>
        request.log.warn({ err }, 'query log entry not written'),
      );
      request.log.info({ messageId: d.messageId, acknowledgement: ack.acknowledgement, duplicate: ack.duplicate, code: ack.code }, 'observation report acknowledged');
      return ack;
    },
  );
}

/** The front office's view of the inbox: list, read, mark read and processed. */
export function inboxRoutes(app: App, db: Kysely<GpDatabase>): void {
  const IdParams = z.object({ messageId: z.uuid() });
  const load = async (messageId: string): Promise<InboxReport> => {
    const row = await db.selectFrom('inbox_reports').selectAll().where('message_id', '=', messageId).executeTakeFirst();
    if (row === undefined) throw notFound(`Observation report ${messageId}`);
    return toReport(row);
  };

  app.get(
    '/inbox',
    {
      schema: {
        tags: ['inbox'],
        summary: 'Observation reports received, newest first',
        querystring: z.object({ status: InboxStatus.optional(), bsn: Bsn.optional(), limit: z.coerce.number().int().min(1).max(1000).default(100) }).strict(),
        response: { 200: z.object({ count: z.number().int().describe('How many match, beyond the limit too'), reports: z.array(InboxReport) }), ...pick(400) },
      },
    },
    async (request) => {
      const { status, bsn, limit } = request.query;
      let q = db.selectFrom('inbox_reports');
      if (status !== undefined) q = q.where('status', '=', status);
      if (bsn !== undefined) q = q.where('bsn', '=', bsn);
      const { count } = await q.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
      const rows = await q.selectAll().orderBy('received_at', 'desc').orderBy('message_id').limit(limit).execute();
      return { count: Number(count), reports: rows.map(toReport) };
    },
  );
  app.get('/inbox/:messageId', { schema: { tags: ['inbox'], summary: 'One observation report', params: IdParams, response: { 200: InboxReport, ...pick(400, 404) } } }, async (request) =>
    load(request.params.messageId),
  );
  app.post(
    '/inbox/:messageId/read',
    { schema: { tags: ['inbox'], summary: 'Mark a report as read (a processed report stays processed)', params: IdParams, response: { 200: InboxReport, ...pick(400, 404) } } },
    async (request) => {
      const { messageId } = request.params;
      await load(messageId);
      await db.updateTable('inbox_reports').set({ status: 'read', read_at: nowIso() }).where('message_id', '=', messageId).where('status', '=', 'unread').execute();
      return load(messageId);
    },
  );
  app.post(
    '/inbox/:messageId/processed',
    {
      schema: {
        tags: ['inbox'],
        summary: 'Mark a report as processed into the patient’s record (it counts as read too)',
        params: IdParams,
        response: { 200: InboxReport, ...pick(400, 404) },
      },
    },
    async (request) => {
      const { messageId } = request.params;
      const current = await load(messageId);
      if (current.status !== 'processed') {
        const at = nowIso();
        await db.updateTable('inbox_reports').set({ status: 'processed', processed_at: at, read_at: current.readAt ?? at }).where('message_id', '=', messageId).execute();
      }
      return load(messageId);
    },
  );
}
