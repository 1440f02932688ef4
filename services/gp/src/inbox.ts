import { z } from 'zod';
import {
  Bsn,
  ObservationReportDelivery,
  ReportAcknowledgement,
  describeInteraction,
  notFound,
  type AortaId,
} from '@schakel/contracts';
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import { notePatient, pick, type RoutePlugin, type SourceLog } from '@schakel/service-kit';
import type { PatientStore } from './patients.js';
import { InboxReport, InboxStatus, type InboxStore } from './inbox-store.js';

type Ack = z.infer<typeof ReportAcknowledgement>;

/**
 * The GP's inbox of observation reports (waarneemverslagen, REPC_IN990003NL) from the after-hours post,
 * the emergency department and the ambulance, delivered by the switch point on either wire. Receiving is
 * idempotent by message id (exactly once in the inbox whatever the sender retries), and every delivery is
 * answered with an acknowledgement in the spirit of MCCI_IN000002: AA accepted (also for a duplicate), AR
 * rejected with a reason (the sender must not try again), AE a local error (the sender tries again). The
 * JSON leg below and the AORTA leg (aorta-leg.ts) both call this: one inbox, one de-duplication.
 */
export function createReportReceiver({
  inbox,
  patients,
  log,
}: {
  inbox: InboxStore;
  patients: PatientStore;
  log: SourceLog;
}) {
  /** Store once; a message id seen before is counted and acknowledged again, never stored twice. */
  async function receive(d: ObservationReportDelivery, initialRequestId: string): Promise<Ack> {
    const ack = (a: Omit<Ack, 'interaction' | 'messageId'>): Ack => ({
      interaction: 'MCCI_IN000002',
      messageId: d.messageId,
      ...a,
    });
    if ((await patients.get(d.bsn)) === undefined) {
      return ack({
        acknowledgement: 'AR',
        duplicate: false,
        code: 'UNKNOWN_PATIENT',
        reason: `Patient ${d.bsn} is not registered at this practice`,
      });
    }
    const receipt = await inbox.receive(d, initialRequestId);
    switch (receipt.outcome) {
      case 'stored':
        return ack({ acknowledgement: 'AA', duplicate: false, receivedAt: receipt.receivedAt });
      case 'duplicate':
        return ack({
          acknowledgement: 'AA',
          duplicate: true,
          receivedAt: receipt.receivedAt,
          reason: 'duplicate: received before, stored once',
        });
      case 'conflict':
        return ack({
          acknowledgement: 'AR',
          duplicate: false,
          code: 'MESSAGE_ID_CONFLICT',
          reason: `Message id ${d.messageId} was received before for another patient or sender`,
        });
    }
  }

  return async (d: ObservationReportDelivery, aorta: AortaId, logger: FastifyBaseLogger): Promise<Ack> => {
    let ack: Ack;
    try {
      ack = await receive(d, aorta.initialRequestId);
    } catch (err) {
      // A local failure (e.g. the store is busy): say so, so that the sender tries again later.
      logger.error({ err, messageId: d.messageId }, 'observation report could not be stored');
      ack = {
        interaction: 'MCCI_IN000002',
        messageId: d.messageId,
        acknowledgement: 'AE',
        duplicate: false,
        code: 'STORE_UNAVAILABLE',
        reason: 'The report could not be stored now; try again',
      };
    }
    await log
      .write({
        interaction: 'REPC_IN990003NL',
        aorta,
        bsn: d.bsn,
        requesterUra: d.sender.ura,
        acting: d.author,
        result: `${ack.acknowledgement}${ack.duplicate ? ' duplicate' : ''}${ack.code !== undefined ? ` ${ack.code}` : ''}`,
      })
      .catch((err: unknown) => logger.warn({ err }, 'query log entry not written'));
    logger.info(
      { messageId: d.messageId, acknowledgement: ack.acknowledgement, duplicate: ack.duplicate, code: ack.code },
      'observation report acknowledged',
    );
    return ack;
  };
}
export type ReportReceiver = ReturnType<typeof createReportReceiver>;

/** The JSON leg the switch point delivers reports on. */
export const inboxDeliveryRoutes: RoutePlugin<{ receive: ReportReceiver }> = async (app, { receive }) => {
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
    async (request) => receive(request.body, request.aorta, request.log),
  );
};

/** The front office's view of the inbox: list, read, mark read and processed. */
export const inboxRoutes: RoutePlugin<{ inbox: InboxStore }> = async (app, { inbox }) => {
  const IdParams = z.object({ messageId: z.uuid() });
  // Every report shown is an access to its patient, logged by the front office (notePatient).
  const load = async (request: FastifyRequest, messageId: string): Promise<InboxReport> => {
    const report = await inbox.get(messageId);
    if (report === undefined) throw notFound(`Observation report ${messageId}`);
    notePatient(request, report.bsn);
    return report;
  };

  app.get(
    '/inbox',
    {
      schema: {
        tags: ['inbox'],
        summary: 'Observation reports received, newest first',
        querystring: z
          .object({
            status: InboxStatus.optional(),
            bsn: Bsn.optional(),
            limit: z.coerce.number().int().min(1).max(1000).default(100),
          })
          .strict(),
        response: {
          200: z.object({
            count: z.number().int().describe('How many match, beyond the limit too'),
            reports: z.array(InboxReport),
          }),
          ...pick(400),
        },
      },
    },
    async (request) => {
      const found = await inbox.list(request.query);
      for (const r of found.reports) notePatient(request, r.bsn);
      return found;
    },
  );
  app.get(
    '/inbox/:messageId',
    {
      schema: {
        tags: ['inbox'],
        summary: 'One observation report',
        params: IdParams,
        response: { 200: InboxReport, ...pick(400, 404) },
      },
    },
    async (request) => load(request, request.params.messageId),
  );
  app.post(
    '/inbox/:messageId/read',
    {
      schema: {
        tags: ['inbox'],
        summary: 'Mark a report as read (a processed report stays processed)',
        params: IdParams,
        response: { 200: InboxReport, ...pick(400, 404) },
      },
    },
    async (request) => {
      const { messageId } = request.params;
      await load(request, messageId);
      await inbox.markRead(messageId);
      return load(request, messageId);
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
      await load(request, messageId);
      await inbox.markProcessed(messageId);
      return load(request, messageId);
    },
  );
};
