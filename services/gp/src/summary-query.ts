import { SourceSummaryAnswer, SourceSummaryQuery, describeInteraction, type AortaId } from '@schakel/contracts';
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
 * QUPC_IN990001NL as the switch point asks it, on either wire: the professional summary from the GP's own
 * record (QUPC_IN990002NL), or the practice's decline, and one entry in this system's own access log of those
 * calls (every GBZ keeps one). The JSON leg and the AORTA leg (aorta-leg.ts) both call this: one answer.
 */
export function createSummaryAnswers({
  log,
  patients,
  record,
  settings,
}: {
  log: SourceLog;
  patients: PatientStore;
  record: RecordStore;
  settings: SummarySettings;
}) {
  return async (q: SourceSummaryQuery, aorta: AortaId): Promise<SourceSummaryAnswer> => {
    const patient = await patients.get(q.bsn);
    // GP-SHARE-1: consent does not oblige the GP to share; a decline in force is answered instead.
    const declined =
      patient === undefined ? undefined : await record.sharingDecision(settings.practice.name, q.bsn, q.requester);
    if (declined !== undefined) {
      await log.write({
        interaction: 'QUPC_IN990001NL',
        aorta,
        bsn: q.bsn,
        requesterUra: q.requester.ura,
        acting: q.requester.professional,
        result: `declined (${declined.code})`,
      });
      return { interaction: 'QUPC_IN990002NL' as const, summary: null, declined };
    }
    const now = settings.now();
    const summary =
      patient === undefined
        ? null
        : buildSummary(q.bsn, await record.record(q.bsn), {
            today: now.toISOString().slice(0, 10),
            journalMonths: settings.journalMonths,
            practice: settings.practice,
            patient: {
              name: patient.name,
              birthDate: patient.birthDate,
              ...(patient.address !== undefined ? { address: patient.address } : {}),
            },
            generatedAt: now.toISOString(),
            processedReports: await record.processedReports(q.bsn),
          });
    await log.write({
      interaction: 'QUPC_IN990001NL',
      aorta,
      bsn: q.bsn,
      requesterUra: q.requester.ura,
      acting: q.requester.professional,
      result:
        summary === null
          ? 'unknown patient'
          : `summary: ${summary.openEpisodes.length} open episodes, ${summary.journal.length} journal entries, ${summary.medication.length} prescriptions`,
    });
    return { interaction: 'QUPC_IN990002NL' as const, summary };
  };
}
export type SummaryAnswers = ReturnType<typeof createSummaryAnswers>;

/** The JSON leg the switch point calls for QUPC_IN990001NL. */
export const summaryQueryRoutes: RoutePlugin<{ answers: SummaryAnswers; journalMonths: number }> = async (
  app,
  { answers, journalMonths },
) => {
  app.post(
    '/lsp/summary-queries',
    {
      config: { interaction: 'QUPC_IN990001NL', category: 'WAARNEEMGEGEVENS' },
      schema: {
        tags: ['switch point'],
        summary: `${describeInteraction('QUPC_IN990001NL')}, as the switch point asks it`,
        description: `Answers the professional summary (QUPC_IN990002NL): open episodes, the journal of the last ${journalMonths} months, recent measurements, current medication, allergies, contra-indications, notes for the covering GP and treatment limits, and the observation reports from the acute chain the GP processed (with the treatment limits they carry). Shielded items are never included. An unknown patient answers summary: null. A patient whose summary the GP declines to share with this requester despite consent (GP-SHARE-1, POST /patients/{bsn}/sharing-declines) answers summary: null with declined: the decision and its reason.`,
        body: SourceSummaryQuery,
        response: { 200: SourceSummaryAnswer, ...pick(400) },
      },
    },
    async (request) => answers(request.body, request.aorta),
  );
};
