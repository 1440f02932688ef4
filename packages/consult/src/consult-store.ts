import { z } from 'zod';
import { Bsn, IsoDateTime, ObservationEncounter, Professional } from '@schakel/contracts';
import { nowIso, type Kysely, type Selectable } from '@schakel/service-kit';
import type { ConsultDatabase } from './migrations.js';

export const Situation = z.enum(['regular', 'acute']).describe('acute: emergency care under the acute-care rules');

/** A query made for a consult: which, when, with verbal consent or not, and its outcome (never its content). */
export const ConsultQuery = z
  .object({
    at: z.string(),
    interaction: z.string(),
    initialRequestId: z.string(),
    verbalConsent: z.boolean(),
    outcome: z.string(),
  })
  .meta({ id: 'ConsultQuery' });
export type ConsultQuery = z.infer<typeof ConsultQuery>;

export const Consult = z
  .object({
    id: z.string(),
    bsn: Bsn,
    professional: Professional,
    responsible: Professional.optional(),
    situation: Situation,
    patientCannotConsent: z.boolean(),
    openedAt: z.string(),
    queries: z.array(ConsultQuery),
  })
  .meta({ id: 'Consult' });
export type Consult = z.infer<typeof Consult>;

export type NewConsult = Pick<Consult, 'bsn' | 'professional' | 'responsible' | 'situation' | 'patientCannotConsent'>;

/** The encounter as stored: always with the time it took place. */
const StoredEncounter = ObservationEncounter.extend({ at: IsoDateTime });
export const RecordedEncounter = ObservationEncounter.extend({ recordedAt: z.string() }).meta({
  id: 'RecordedEncounter',
});
export type RecordedEncounter = z.infer<typeof StoredEncounter> & { recordedAt: string };

const toQuery = (q: Selectable<ConsultDatabase['consult_queries']>): ConsultQuery => ({
  at: q.at,
  interaction: q.interaction,
  initialRequestId: q.initial_request_id,
  verbalConsent: q.verbal_consent === 1,
  outcome: q.outcome,
});

/**
 * The consults of an after-hours post, an emergency department or an ambulance service, the queries made
 * for them and the encounter recorded for the report, in the organisation's own store.
 */
export function createConsultStore(db: Kysely<ConsultDatabase>) {
  return {
    async open(id: string, c: NewConsult): Promise<void> {
      await db
        .insertInto('consults')
        .values({
          id,
          bsn: c.bsn,
          professional: JSON.stringify(c.professional),
          responsible: c.responsible === undefined ? null : JSON.stringify(c.responsible),
          situation: c.situation,
          patient_cannot_consent: c.patientCannotConsent ? 1 : 0,
          opened_at: nowIso(),
        })
        .execute();
    },
    async get(id: string): Promise<Consult | undefined> {
      const row = await db.selectFrom('consults').selectAll().where('id', '=', id).executeTakeFirst();
      if (row === undefined) return undefined;
      const queries = await db
        .selectFrom('consult_queries')
        .selectAll()
        .where('consult_id', '=', id)
        .orderBy('id')
        .execute();
      return {
        id: row.id,
        bsn: row.bsn,
        professional: Professional.parse(JSON.parse(row.professional)),
        ...(row.responsible !== null ? { responsible: Professional.parse(JSON.parse(row.responsible)) } : {}),
        situation: Situation.parse(row.situation),
        patientCannotConsent: row.patient_cannot_consent === 1,
        openedAt: row.opened_at,
        queries: queries.map(toQuery),
      };
    },
    async recordQuery(consultId: string, q: Omit<ConsultQuery, 'at'>): Promise<void> {
      await db
        .insertInto('consult_queries')
        .values({
          consult_id: consultId,
          at: nowIso(),
          interaction: q.interaction,
          initial_request_id: q.initialRequestId,
          verbal_consent: q.verbalConsent ? 1 : 0,
          outcome: q.outcome,
        })
        .execute();
    },
    async encounter(consultId: string): Promise<RecordedEncounter | undefined> {
      const row = await db
        .selectFrom('consult_encounters')
        .selectAll()
        .where('consult_id', '=', consultId)
        .executeTakeFirst();
      return row === undefined
        ? undefined
        : { ...StoredEncounter.parse(JSON.parse(row.body)), recordedAt: row.recorded_at };
    },
    /** Record (or record again) what happened; `at` defaults to now. */
    async recordEncounter(consultId: string, e: ObservationEncounter): Promise<RecordedEncounter> {
      const recordedAt = nowIso();
      const encounter = { ...e, at: e.at ?? recordedAt };
      const body = JSON.stringify(encounter);
      await db
        .insertInto('consult_encounters')
        .values({ consult_id: consultId, body, recorded_at: recordedAt })
        .onConflict((oc) => oc.column('consult_id').doUpdateSet({ body, recorded_at: recordedAt }))
        .execute();
      return { ...encounter, recordedAt };
    },
  };
}
export type ConsultStore = ReturnType<typeof createConsultStore>;
