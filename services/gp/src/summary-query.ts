import { SourceSummaryAnswer, SourceSummaryQuery, describeInteraction } from '@schakel/contracts';
import { pick, type RoutePlugin, type SourceLog } from '@schakel/service-kit';
import type { PatientStore } from './patients.js';
import type { RecordStore } from './record-store.js';
import { buildSummary } from './summary.js';

export interface SummarySettings {
  practice: { ura: string; name: string };
  journalMonths: number;
  now: () => Date;
}

/**
 * The leg the switch point calls for QUPC_IN990001NL, answered from the GP's own record
 * (QUPC_IN990002NL), and this system's own access log of those calls (every GBZ keeps one).
 */
export const summaryQueryRoutes: RoutePlugin<{ log: SourceLog; patients: PatientStore; record: RecordStore; settings: SummarySettings }> = async (app, { log, patients, record, settings }) => {
  app.post(
    '/lsp/summary-queries',
    {
      config: { interaction: 'QUPC_IN990001NL', category: 'WAARNEEMGEGEVENS' },
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
      await log.write({
        interaction: 'QUPC_IN990001NL',
        aorta: request.aorta,
        bsn: q.bsn,
        requesterUra: q.requester.ura,
        acting: q.requester.professional,
        result: summary === null ? 'unknown patient' : `summary: ${summary.openEpisodes.length} open episodes, ${summary.journal.length} journal entries, ${summary.medication.length} prescriptions`,
      });
      return { interaction: 'QUPC_IN990002NL' as const, summary };
    },
  );
};
