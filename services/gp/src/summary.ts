import type { ProfessionalSummary } from '@schakel/contracts';
import type { PatientRecord } from './record-store.js';

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
}

/**
 * The professional summary (huisartswaarneemgegevens) made from the whole record: open episodes, the
 * journal of the last months, recent measurements (those in the period plus the latest of each kind before
 * it), current medication, allergies, contra-indications, current notes for the covering GP, and
 * behandelgrenzen. Shielded items, and everything linked to a shielded episode, are left out here, at the
 * source: they never leave the GP system (domain.md section 2).
 */
export function buildSummary(bsn: string, record: PatientRecord, options: SummaryOptions): ProfessionalSummary {
  const { today } = options;
  const journalFrom = monthsBefore(today, options.journalMonths);
  const shieldedEpisodes = new Set(record.episodes.filter((e) => e.shielded).map((e) => e.id));
  const released = <T extends { shielded: boolean; episodeId?: string | undefined }>(items: T[]) =>
    items.filter((i) => !i.shielded && (i.episodeId === undefined || !shieldedEpisodes.has(i.episodeId)));

  const measurements = released(record.measurements).filter((m) => m.date <= today);
  const latestOfKind = new Set<string>();
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
    medication: released(record.prescriptions).filter((p) => p.startDate <= today && (p.endDate === undefined || p.endDate >= today)),
    allergies: released(record.allergies),
    contraIndications: released(record.contraIndications),
    coveringNotes: released(record.coveringNotes).filter((n) => n.validUntil === undefined || n.validUntil >= today),
    treatmentLimits: released(record.treatmentLimits),
  };
}
