import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type {
  Allergy,
  ContraIndication,
  CoveringNote,
  Episode,
  JournalEntry,
  Measurement,
  Prescription,
  TreatmentLimit,
} from '@schakel/contracts';
import { nowIso, type Kysely, type Selectable } from '@schakel/service-kit';
import type { GpDatabase } from './migrations.js';
import { processedReports } from './acute-feedback.js';
import { sharingDecision, type Requester } from './sharing-declines.js';

/** The kinds of item in a GP record, with the wire type of each. */
export interface RecordItems {
  episode: Episode;
  journal: JournalEntry;
  measurement: Measurement;
  prescription: Prescription;
  allergy: Allergy;
  'contra-indication': ContraIndication;
  'covering-note': CoveringNote;
  'treatment-limit': TreatmentLimit;
}
export type RecordKind = keyof RecordItems;
export const RECORD_KINDS = [
  'episode',
  'journal',
  'measurement',
  'prescription',
  'allergy',
  'contra-indication',
  'covering-note',
  'treatment-limit',
] as const satisfies readonly RecordKind[];

/** What a front office sends for an item: its own fields, `shielded` and an optional episode link. */
export type NewItem = Record<string, unknown> & { shielded?: boolean; episodeId?: string };
const RecordFields = z.looseObject({ shielded: z.boolean().optional(), episodeId: z.string().optional() });
const RecordKindSchema = z.enum(RECORD_KINDS);

/** A stored item: what it is, whether it is shielded, and the fields it was recorded with. */
export interface RecordEntry {
  id: string;
  kind: RecordKind;
  shielded: boolean;
  fields: NewItem;
}

type ItemRow = Selectable<GpDatabase['record_items']>;

/** The date an item is filed under, and the date it ends (for episodes, prescriptions and notes). */
function datesOf(kind: RecordKind, input: NewItem): { date: string; end: string | null } {
  const s = (key: string) => (typeof input[key] === 'string' ? input[key] : undefined);
  switch (kind) {
    case 'episode':
    case 'prescription':
      return { date: s('startDate') ?? '', end: s('endDate') ?? null };
    case 'journal':
    case 'measurement':
      return { date: s('date') ?? '', end: null };
    case 'allergy':
    case 'contra-indication':
      return { date: s('recordedOn') ?? '', end: null };
    case 'covering-note':
      return { date: s('recordedOn') ?? '', end: s('validUntil') ?? null };
    case 'treatment-limit':
      return { date: s('agreedOn') ?? '', end: null };
  }
}

/**
 * The row an item is stored as. Exported so the synthetic data writer (tools/synthetic) fills the store
 * exactly as this service would.
 */
export function recordItemRow(
  bsn: string,
  kind: RecordKind,
  input: NewItem,
  id: string = randomUUID(),
  recordedAt: string = nowIso(),
): ItemRow {
  const { shielded, ...body } = input;
  const { date, end } = datesOf(kind, input);
  return {
    id,
    bsn,
    kind,
    episode_id: typeof input.episodeId === 'string' ? input.episodeId : null,
    date,
    end_date: end,
    shielded: shielded === true ? 1 : 0,
    body: JSON.stringify(body),
    recorded_at: recordedAt,
  };
}

// The caller names the kind it selected on; the row's kind column decides the shape, so K only narrows the answer.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
export function toItem<K extends RecordKind>(row: ItemRow): RecordItems[K] {
  const body = JSON.parse(row.body) as Record<string, unknown>;
  const item: Record<string, unknown> = {
    ...body,
    id: row.id,
    bsn: row.bsn,
    shielded: row.shielded === 1,
    recordedAt: row.recorded_at,
  };
  // Defaults the API applies on the way in, for rows written straight into the store (tools/synthetic).
  if (row.kind === 'episode')
    Object.assign(item, { attention: body['attention'] ?? false, status: row.end_date === null ? 'open' : 'closed' });
  if (row.kind === 'journal') item['contactType'] = body['contactType'] ?? 'consult';
  return item as unknown as RecordItems[K];
}

export interface PatientRecord {
  episodes: Episode[];
  journal: JournalEntry[];
  measurements: Measurement[];
  prescriptions: Prescription[];
  allergies: Allergy[];
  contraIndications: ContraIndication[];
  coveringNotes: CoveringNote[];
  treatmentLimits: TreatmentLimit[];
}

export function createRecordStore(db: Kysely<GpDatabase>) {
  const rows = (bsn: string, kind?: RecordKind) => {
    let q = db.selectFrom('record_items').selectAll().where('bsn', '=', bsn);
    if (kind !== undefined) q = q.where('kind', '=', kind);
    return q.orderBy('date', 'desc').orderBy('recorded_at', 'desc').execute();
  };
  return {
    async add<K extends RecordKind>(bsn: string, kind: K, input: NewItem): Promise<RecordItems[K]> {
      const row = recordItemRow(bsn, kind, input);
      await db.insertInto('record_items').values(row).execute();
      return toItem<K>(row);
    },
    async list<K extends RecordKind>(bsn: string, kind: K): Promise<RecordItems[K][]> {
      return (await rows(bsn, kind)).map((r) => toItem<K>(r));
    },
    /** One item as the front office recorded it: its kind, whether it is shielded, and its fields. */
    async entry(bsn: string, id: string): Promise<RecordEntry | undefined> {
      const row = await db
        .selectFrom('record_items')
        .selectAll()
        .where('bsn', '=', bsn)
        .where('id', '=', id)
        .executeTakeFirst();
      if (row === undefined) return undefined;
      const { shielded: _shielded, ...fields } = RecordFields.parse(JSON.parse(row.body));
      return { id: row.id, kind: RecordKindSchema.parse(row.kind), shielded: row.shielded === 1, fields };
    },
    /** The whole record, shielded items included: what the GP sees in the practice. */
    async record(bsn: string): Promise<PatientRecord> {
      const all = await rows(bsn);
      const of = <K extends RecordKind>(kind: K) => all.filter((r) => r.kind === kind).map((r) => toItem<K>(r));
      return {
        episodes: of('episode'),
        journal: of('journal'),
        measurements: of('measurement'),
        prescriptions: of('prescription'),
        allergies: of('allergy'),
        contraIndications: of('contra-indication'),
        coveringNotes: of('covering-note'),
        treatmentLimits: of('treatment-limit'),
      };
    },
    /** Observation reports the GP processed into the record (the inbox's, see acute-feedback.ts). */
    processedReports: (bsn: string) => processedReports(db, bsn),
    /** The GP's decision not to share with this requester despite consent, if any (sharing-declines.ts, GP-SHARE-1). */
    sharingDecision: (practiceName: string, bsn: string, requester: Requester) =>
      sharingDecision(db, practiceName, bsn, requester),
    async setShielded(bsn: string, id: string, shielded: boolean): Promise<void> {
      await db
        .updateTable('record_items')
        .set({ shielded: shielded ? 1 : 0 })
        .where('bsn', '=', bsn)
        .where('id', '=', id)
        .execute();
    },
    /** Replace an item's fields (an episode being closed, renamed or flagged). */
    async replace(bsn: string, id: string, kind: RecordKind, input: NewItem): Promise<void> {
      const { body, date, end_date, shielded } = recordItemRow(bsn, kind, input, id);
      await db
        .updateTable('record_items')
        .set({ body, date, end_date, shielded })
        .where('bsn', '=', bsn)
        .where('id', '=', id)
        .execute();
    },
  };
}
export type RecordStore = ReturnType<typeof createRecordStore>;
