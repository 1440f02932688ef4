import { randomUUID } from 'node:crypto';
import {
  DisclosureRequestStatus,
  type Disclosure,
  type DisclosureBasis,
  type DisclosureRequest,
} from '@schakel/contracts';
import { nowIso, type Kysely, type Selectable } from '@schakel/service-kit';
import type { GpDatabase } from './migrations.js';

/** A request as registered: what it asks and of whom, before a basis is recorded or it is answered. */
export type RequestContent = Omit<
  DisclosureRequest,
  'id' | 'bsn' | 'status' | 'registeredAt' | 'basis' | 'basisRecordedAt' | 'disclosureId' | 'declined'
>;
/** What is disclosed, without what the register adds (id, request, patient, when, whether the patient was informed). */
export type DisclosureContent = Omit<Disclosure, 'id' | 'requestId' | 'bsn' | 'disclosedAt' | 'patientInformed'>;
export type PatientInformed = Omit<NonNullable<Disclosure['patientInformed']>, 'recordedAt'>;

function toRequest(r: Selectable<GpDatabase['disclosure_requests']>): DisclosureRequest {
  const body = JSON.parse(r.body) as RequestContent;
  return {
    ...body,
    id: r.id,
    bsn: r.bsn,
    status: DisclosureRequestStatus.parse(r.status),
    registeredAt: r.registered_at,
    ...(r.basis !== null ? { basis: JSON.parse(r.basis) as DisclosureBasis } : {}),
    ...(r.basis_recorded_at !== null ? { basisRecordedAt: r.basis_recorded_at } : {}),
    ...(r.disclosure_id !== null ? { disclosureId: r.disclosure_id } : {}),
    ...(r.declined !== null ? { declined: JSON.parse(r.declined) as NonNullable<DisclosureRequest['declined']> } : {}),
  };
}

function toDisclosure(r: Selectable<GpDatabase['disclosures']>): Disclosure {
  return {
    ...(JSON.parse(r.body) as DisclosureContent),
    id: r.id,
    requestId: r.request_id,
    bsn: r.bsn,
    disclosedAt: r.disclosed_at,
    ...(r.patient_informed !== null
      ? { patientInformed: JSON.parse(r.patient_informed) as NonNullable<Disclosure['patientInformed']> }
      : {}),
  };
}

/** The GP's register of requests from non-care providers and of what was disclosed to them. */
export function createDisclosureStore(db: Kysely<GpDatabase>) {
  return {
    async register(bsn: string, content: RequestContent): Promise<DisclosureRequest> {
      const row = {
        id: randomUUID(),
        bsn,
        status: 'received',
        body: JSON.stringify(content),
        basis: null,
        basis_recorded_at: null,
        disclosure_id: null,
        registered_at: nowIso(),
        declined: null,
      };
      await db.insertInto('disclosure_requests').values(row).execute();
      return toRequest(row);
    },
    async request(id: string): Promise<DisclosureRequest | undefined> {
      const row = await db.selectFrom('disclosure_requests').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : toRequest(row);
    },
    async requestsOf(bsn: string): Promise<DisclosureRequest[]> {
      return (
        await db.selectFrom('disclosure_requests').selectAll().where('bsn', '=', bsn).orderBy('registered_at').execute()
      ).map(toRequest);
    },
    async recordBasis(id: string, basis: DisclosureBasis): Promise<void> {
      await db
        .updateTable('disclosure_requests')
        .set({ basis: JSON.stringify(basis), basis_recorded_at: nowIso(), status: 'basis-recorded' })
        .where('id', '=', id)
        .execute();
    },
    /** DR-DECLINE-1: the GP declines the request as a whole, despite consent; kept with why, by whom, when. */
    async decline(id: string, declined: NonNullable<DisclosureRequest['declined']>): Promise<void> {
      await db
        .updateTable('disclosure_requests')
        .set({ status: 'declined', declined: JSON.stringify(declined) })
        .where('id', '=', id)
        .execute();
    },
    /** Write the disclosure into the patient's record and mark the request answered, together. */
    async disclose(
      request: DisclosureRequest,
      content: DisclosureContent,
      patientInformed?: PatientInformed,
    ): Promise<Disclosure> {
      const disclosedAt = nowIso();
      const informed =
        patientInformed === undefined ? null : JSON.stringify({ ...patientInformed, recordedAt: disclosedAt });
      const row = {
        id: randomUUID(),
        request_id: request.id,
        bsn: request.bsn,
        disclosed_at: disclosedAt,
        body: JSON.stringify(content),
        patient_informed: informed,
      };
      await db.transaction().execute(async (tx) => {
        await tx.insertInto('disclosures').values(row).execute();
        await tx
          .updateTable('disclosure_requests')
          .set({ status: 'answered', disclosure_id: row.id })
          .where('id', '=', request.id)
          .execute();
      });
      return toDisclosure(row);
    },
    async disclosure(id: string): Promise<Disclosure | undefined> {
      const row = await db.selectFrom('disclosures').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : toDisclosure(row);
    },
    /** Oldest first, to inform the patient. */
    async disclosuresOf(bsn: string): Promise<Disclosure[]> {
      return (
        await db.selectFrom('disclosures').selectAll().where('bsn', '=', bsn).orderBy('disclosed_at').execute()
      ).map(toDisclosure);
    },
    async setPatientInformed(id: string, informed: PatientInformed): Promise<void> {
      await db
        .updateTable('disclosures')
        .set({ patient_informed: JSON.stringify({ ...informed, recordedAt: nowIso() }) })
        .where('id', '=', id)
        .execute();
    },
  };
}
export type DisclosureStore = ReturnType<typeof createDisclosureStore>;
