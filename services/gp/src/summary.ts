import type { AcuteCareFeedback, ProfessionalSummary, TreatmentLimit } from '@schakel/contracts';
import type { PatientRecord } from './record-store.js';
import type { ProcessedReport } from './acute-feedback.js';

/** YYYY-MM-DD of a date `months` calendar months before `today` (clamped to the month's last day). */
export function monthsBefore(today: string, months: number): string {
  const [y, m, d] = today.split('-').map(Number) as [number, number, number];
  const first = new Date(Date.UTC(y, m - 1 - months, 1));
  const lastDay = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  first.setUTCDate(Math.min(d, lastDay));
  return first.toISOString().slice(0, 10);
}

export interface SummaryOptions {
  today: string;
  /** The journal and measurements cover this many months (default 4, GP setting SUMMARY_JOURNAL_MONTHS). */
  journalMonths: number;
  practice: { ura: string; name: string };
  patient?: ProfessionalSummary['patient'];
  generatedAt: string;
  /** Observation reports the GP processed (acute-feedback.ts), passed on to the acute chain. */
  processedReports?: ProcessedReport[];
}

/**
 * "Met spoed beschikbaar": what the acute chain reported back is available again next time. Processed
 * reports of the journal period go into the summary whole; the treatment limits any processed report
 * carries join the GP's own (marked reportedIn), whatever its age, as the GP's own limits have none.
 */
function acuteCare(
  bsn: string,
  reports: readonly ProcessedReport[],
  journalFrom: string,
  today: string,
): { feedback: AcuteCareFeedback[]; limits: TreatmentLimit[] } {
  const newestFirst = [...reports].sort((a, b) => b.report.encounter.at.localeCompare(a.report.encounter.at));
  const feedback = newestFirst
    .filter((r) => r.report.encounter.at.slice(0, 10) >= journalFrom && r.report.encounter.at.slice(0, 10) <= today)
    .map(({ messageId, report, processedAt }): AcuteCareFeedback => {
      const { treatmentLimits: _limits, ...encounter } = report.encounter;
      return {
        messageId,
        from: { organisationName: report.sender.organisationName, organisationType: report.sender.organisationType },
        author: report.author,
        situation: report.situation,
        encounter,
        processedAt,
      };
    });
  const limits = newestFirst.flatMap(({ messageId, report, processedAt }) =>
    (report.encounter.treatmentLimits ?? []).map((l, i): TreatmentLimit => ({
      ...l,
      id: `${messageId}:${i}`,
      bsn,
      shielded: false,
      recordedAt: processedAt,
      reportedIn: { messageId, organisationName: report.sender.organisationName, at: report.encounter.at },
    })),
  );
  return { feedback, limits };
}

/**
 * The professional summary (huisartswaarneemgegevens) made from the whole record: open episodes, the
 * journal of the last months, recent measurements (those in the period plus the latest of each kind before
 * it), current medication, allergies, contra-indications, current notes for the covering GP, and
 * behandelgrenzen, and the feedback of the acute chain the GP processed. Shielded items, and everything
 * linked to a shielded episode, are left out here, at the source: they never leave the GP system (docs/domain.md
 * section 2).
 */
export function buildSummary(bsn: string, record: PatientRecord, options: SummaryOptions): ProfessionalSummary {
  const { today } = options;
  const journalFrom = monthsBefore(today, options.journalMonths);
  const shieldedEpisodes = new Set(record.episodes.filter((e) => e.shielded).map((e) => e.id));
  const released = <T extends { shielded: boolean; episodeId?: string | undefined }>(items: T[]) =>
    items.filter((i) => !i.shielded && (i.episodeId === undefined || !shieldedEpisodes.has(i.episodeId)));

  const measurements = released(record.measurements).filter((m) => m.date <= today);
  const latestOfKind = new Set<string>();
  const reported = acuteCare(bsn, options.processedReports ?? [], journalFrom, today);
  const recent = measurements.filter((m) => {
    const kind = m.loinc ?? m.name;
    const first = !latestOfKind.has(kind);
    latestOfKind.add(kind);
    return m.date >= journalFrom || first;
  });

  return {
    bsn,
    ...(options.patient !== undefined ? { patient: options.patient } : {}),
    practice: options.practice,
    generatedAt: options.generatedAt,
    journalFrom,
    openEpisodes: released(record.episodes).filter((e) => e.status === 'open'),
    journal: released(record.journal).filter((j) => j.date >= journalFrom && j.date <= today),
    measurements: recent,
    medication: released(record.prescriptions).filter(
      (p) => p.startDate <= today && (p.endDate === undefined || p.endDate >= today),
    ),
    allergies: released(record.allergies),
    contraIndications: released(record.contraIndications),
    coveringNotes: released(record.coveringNotes).filter((n) => n.validUntil === undefined || n.validUntil >= today),
    treatmentLimits: [...released(record.treatmentLimits), ...reported.limits],
    acuteCareFeedback: reported.feedback,
  };
}
