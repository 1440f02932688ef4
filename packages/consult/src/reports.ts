import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  ObservationEncounter,
  conflict,
  describeInteraction,
  notFound,
  problem,
  type ObservationReportSubmission,
} from '@schakel/contracts';
import { notePatient, nowIso, pick, type RoutePlugin, type SwitchPointClient } from '@schakel/service-kit';
import type { CredentialDirectory } from '@schakel/trust/assertion';
import { RecordedEncounter, type ConsultStore } from './consult-store.js';
import { OUTBOX_STATES, OutboxReport, OutboxState, type Outbox } from './outbox.js';
import { createAttempt, startDeliveryWorker, type DeliveryWorker, type ReportConfig } from './delivery.js';
import { actingProfessional } from './consults.js';

export type ReportRoutesOptions = {
  consults: ConsultStore;
  outbox: Outbox;
  /** The organisation's one switch-point client: reports go through it like the queries. */
  lsp: SwitchPointClient;
  me: { applicationId: string };
  cards: CredentialDirectory;
  config: ReportConfig;
};

/**
 * The sender side of the observation report (waarneemverslag, REPC_IN990003NL) at the HAP, the SEH and an
 * ambulance service: record the encounter of a consult, then send. Sending stores the report in this
 * system's outbox first (202 Accepted once committed) and a background worker delivers it through the
 * switch point with retries and backoff until the patient's own GP acknowledges or rejects it.
 */
export const observationReportRoutes: RoutePlugin<ReportRoutesOptions> = async (
  app,
  { consults, outbox, lsp, me, cards, config },
) => {
  const attempt = createAttempt({ lsp, cards, timeoutMs: config.REPORT_DELIVERY_TIMEOUT_MS });
  let worker: DeliveryWorker | undefined;

  // Start once the app is ready (its store migrated); first put back what a crash left half-way. Stop as
  // closing begins (preClose), so that attempts under way settle before any onClose hook closes the
  // organisation's store and switch-point client; a report queued after that waits for the next start.
  app.addHook('onReady', async () => {
    const recovered = await outbox.recover();
    if (recovered > 0) app.log.warn({ recovered }, 'observation reports interrupted by a stop are tried again');
    worker = startDeliveryWorker({ outbox, attempt, config, log: app.log });
  });
  app.addHook('preClose', async () => worker?.stop());

  const IdParams = z.object({ id: z.uuid() });
  const consult = async (request: FastifyRequest, id: string) => {
    const c = await consults.get(id);
    if (c === undefined) throw notFound(`Consult ${id}`);
    notePatient(request, c.bsn);
    return c;
  };

  app.put(
    '/consults/:id/encounter',
    {
      schema: {
        tags: ['reports'],
        summary:
          'Record what happened in the consult: complaint, findings, what was done, an episode proposal, handover notes',
        description: 'May be recorded again until the report is sent (409 after).',
        params: IdParams,
        body: ObservationEncounter,
        response: { 200: RecordedEncounter, ...pick(400, 404, 409) },
      },
    },
    async (request) => {
      const { id } = request.params;
      await consult(request, id);
      if ((await outbox.forConsult(id)) !== undefined)
        throw conflict(`The report of consult ${id} was sent; the encounter can no longer change`);
      return consults.recordEncounter(id, request.body);
    },
  );
  app.get(
    '/consults/:id/encounter',
    {
      schema: {
        tags: ['reports'],
        summary: 'The encounter recorded for a consult',
        params: IdParams,
        response: { 200: RecordedEncounter, ...pick(400, 404) },
      },
    },
    async (request) => {
      await consult(request, request.params.id);
      const e = await consults.encounter(request.params.id);
      if (e === undefined) throw notFound(`The encounter of consult ${request.params.id}`);
      return e;
    },
  );

  app.post(
    '/consults/:id/report',
    {
      schema: {
        tags: ['reports'],
        summary: `Send the observation report to the patient’s own GP: ${describeInteraction('REPC_IN990003NL')}`,
        description:
          '202: stored in the outbox; delivery follows in the background (see GET /reports/{messageId}). Sending again answers 200 with the same report: one report per consult, so a repeated click or a retried request never sends twice. 409 when no encounter is recorded yet; 403 NO_CREDENTIAL when this organisation holds no UZI card for the consult’s professional.',
        params: IdParams,
        body: z.object({}).strict().nullish(),
        response: { 200: OutboxReport, 202: OutboxReport, ...pick(400, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const c = await consult(request, id);
      // The report is signed with the card of the user who sends it (the acting professional).
      const sender = actingProfessional(request);
      const existing = await outbox.forConsult(id);
      if (existing !== undefined) return reply.status(200).send(existing);
      const encounter = await consults.encounter(id);
      if (encounter === undefined)
        throw conflict(`Record the encounter of consult ${id} first (PUT /consults/${id}/encounter)`);
      if (cards.get(sender.uziNumber) === undefined) {
        throw problem(
          'NO_CREDENTIAL',
          `This organisation holds no UZI card for professional ${sender.uziNumber}, so the report could never be signed`,
          {
            field: 'professional.uziNumber',
            expected: 'a professional whose UZI card credential this organisation holds',
          },
        );
      }
      const { recordedAt: _recordedAt, ...content } = encounter;
      const submission: ObservationReportSubmission = {
        messageId: randomUUID(),
        bsn: c.bsn,
        sender: {
          applicationId: me.applicationId,
          professional: sender,
          ...(c.responsible !== undefined ? { responsible: c.responsible } : {}),
        },
        situation: c.situation,
        encounter: content,
        writtenAt: nowIso(),
      };
      const created = await outbox.enqueue(id, submission);
      const report = await outbox.forConsult(id);
      if (report === undefined) throw notFound(`The report of consult ${id}`);
      if (created) {
        request.log.info({ messageId: report.messageId, interaction: 'REPC_IN990003NL' }, 'observation report queued');
        worker?.kick();
      }
      return reply.status(created ? 202 : 200).send(report);
    },
  );

  app.get(
    '/reports',
    {
      schema: {
        tags: ['reports'],
        summary: 'The outbox: every observation report and its delivery state, newest first',
        querystring: z
          .object({ state: OutboxState.optional(), limit: z.coerce.number().int().min(1).max(1000).default(100) })
          .strict(),
        response: {
          200: z.object({
            counts: z.object(
              Object.fromEntries(OUTBOX_STATES.map((s) => [s, z.number().int()])) as Record<OutboxState, z.ZodNumber>,
            ),
            reports: z.array(OutboxReport),
          }),
          ...pick(400),
        },
      },
    },
    async (request) => ({ counts: await outbox.counts(), reports: await outbox.list(request.query) }),
  );
  app.get(
    '/reports/:messageId',
    {
      schema: {
        tags: ['reports'],
        summary: 'One observation report and its delivery state',
        params: z.object({ messageId: z.uuid() }),
        response: { 200: OutboxReport, ...pick(400, 404) },
      },
    },
    async (request) => {
      const r = await outbox.get(request.params.messageId);
      if (r === undefined) throw notFound(`Observation report ${request.params.messageId}`);
      notePatient(request, r.bsn);
      return r;
    },
  );
};
