import { z } from 'zod';
import { Bsn, SourceSummaryAnswer, SourceSummaryQuery, describeInteraction } from '@schakel/contracts';
import { nowIso, pick, type App, type Kysely, type Selectable } from '@schakel/service-kit';
import type { GpDatabase } from './migrations.js';
import type { PatientStore } from './patients.js';
import type { RecordStore } from './record-store.js';
import { buildSummary } from './summary.js';

const QueryLogEntry = z
  .object({
    id: z.number(),
    at: z.string(),
    interaction: z.string(),
    initialRequestId: z.string(),
    requestId: z.string(),
    bsn: z.string(),
    requesterUra: z.string(),
    actingUzi: z.string(),
    actingRole: z.string(),
    result: z.string(),
  })
  .meta({ id: 'GpQueryLogEntry' });

export interface SummarySettings {
  practice: { ura: string; name: string };
  journalMonths: number;
  now: () => Date;
}

/**
 * The leg the switch point calls for QUPC_IN990001NL, answered from the GP's own record
 * (QUPC_IN990002NL), and this system's own access log of those calls (every GBZ keeps one).
 */
export function summaryQueryRoutes(app: App, db: Kysely<GpDatabase>, patients: PatientStore, record: RecordStore, settings: SummarySettings): void {
  const log = (entry: Omit<Selectable<GpDatabase['query_log']>, 'id' | 'at'>) => db.insertInto('query_log').values({ ...entry, at: nowIso() }).execute();

  app.post(
    '/lsp/summary-queries',
    {
      schema: {
        tags: ['switch point'],
        summary: `${describeInteraction('QUPC_IN990001NL')}, as the switch point asks it`,
        description: `Answers the professional summary (QUPC_IN990002NL): open episodes, the journal of the last ${settings.journalMonths} months, recent measurements, current medication, allergies, contra-indications, notes for the covering GP and treatment limits. Shielded items are never included. An unknown patient answers summary: null.`,
        body: SourceSummaryQuery,
        response: { 200: SourceSummaryAnswer, ...pick(400) },
      },
    },
    async (request) => {
      const q = request.body;
      const patient = await patients.get(q.bsn);
      const now = settings.now();
      const summary =
        patient === undefined
          ? null
          : buildSummary(q.bsn, await record.record(q.bsn), {
              today: now.toISOString().slice(0, 10),
              journalMonths: settings.journalMonths,
              practice: settings.practice,
              patient: { name: patient.name, birthDate: patient.birthDate, ...(patient.address !== undefined ? { address: patient.address } : {}) },
              generatedAt: now.toISOString(),
            });
      await log({
        interaction: 'QUPC_IN990001NL',
        initial_request_id: request.aorta.initialRequestId,
        request_id: request.aorta.requestId,
        bsn: q.bsn,
        requester_ura: q.requester.ura,
        acting_uzi: q.requester.professional.uziNumber,
        acting_role: q.requester.professional.roleCode,
        result: summary === null ? 'unknown patient' : `summary: ${summary.openEpisodes.length} open episodes, ${summary.journal.length} journal entries, ${summary.medication.length} prescriptions`,
      });
      return { interaction: 'QUPC_IN990002NL' as const, summary };
    },
  );

  app.get(
    '/query-log',
    {
      schema: {
        tags: ['switch point'],
        summary: 'Every query this practice answered for the switch point',
        querystring: z.object({ bsn: Bsn.optional() }).strict(),
        response: { 200: z.object({ entries: z.array(QueryLogEntry) }), ...pick(400) },
      },
    },
    async (request) => {
      let q = db.selectFrom('query_log').selectAll();
      if (request.query.bsn !== undefined) q = q.where('bsn', '=', request.query.bsn);
      const rows = await q.orderBy('id').execute();
      return {
        entries: rows.map((r) => ({
          id: r.id,
          at: r.at,
          interaction: r.interaction,
          initialRequestId: r.initial_request_id,
          requestId: r.request_id,
          bsn: r.bsn,
          requesterUra: r.requester_ura,
          actingUzi: r.acting_uzi,
          actingRole: r.acting_role,
          result: r.result,
        })),
      };
    },
  );
}
