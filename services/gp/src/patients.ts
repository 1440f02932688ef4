import { z } from 'zod';
import { Address, Bsn, ConsentState, PatientDemographics, notFound } from '@schakel/contracts';
import { nowIso, pick, type Kysely, type RoutePlugin } from '@schakel/service-kit';
import type { GpDatabase } from './migrations.js';

export interface GpPatient {
  bsn: string;
  name: string;
  birthDate: string;
  address?: Address;
  consent: { state: ConsentState; channel: string | null; recordedAt: string | null };
}

/**
 * The practice's patients as the record, consent and disclosure routes need them. Whoever must follow a
 * patient's arrival or change of choice (the corona opt-in's registrations) listens with onChange; the
 * listeners run, awaited, after the write.
 */
export function createPatientStore(db: Kysely<GpDatabase>) {
  const listeners: ((bsn: string) => Promise<void>)[] = [];
  const changed = async (bsn: string) => {
    for (const listener of listeners) await listener(bsn);
  };
  return {
    onChange(listener: (bsn: string) => Promise<void>): void {
      listeners.push(listener);
    },
    async get(bsn: string): Promise<GpPatient | undefined> {
      const r = await db.selectFrom('patients').selectAll().where('bsn', '=', bsn).executeTakeFirst();
      if (r === undefined) return undefined;
      return {
        bsn: r.bsn,
        name: r.name,
        birthDate: r.birth_date,
        ...(r.address !== null ? { address: Address.parse(JSON.parse(r.address)) } : {}),
        consent: {
          state: ConsentState.parse(r.consent_state),
          channel: r.consent_channel,
          recordedAt: r.consent_recorded_at,
        },
      };
    },
    /** Enter or update; answers whether the patient is new. */
    async upsert(bsn: string, p: GpPatientInput): Promise<boolean> {
      const existing = await db.selectFrom('patients').select('bsn').where('bsn', '=', bsn).executeTakeFirst();
      const address = p.address === undefined ? null : JSON.stringify(p.address);
      await db
        .insertInto('patients')
        .values({ bsn, name: p.name, birth_date: p.birthDate, address, created_at: nowIso() })
        .onConflict((oc) => oc.column('bsn').doUpdateSet({ name: p.name, birth_date: p.birthDate, address }))
        .execute();
      if (existing === undefined) await changed(bsn);
      return existing === undefined;
    },
    async setConsent(bsn: string, state: ConsentState, channel: string): Promise<void> {
      await db
        .updateTable('patients')
        .set({ consent_state: state, consent_channel: channel, consent_recorded_at: nowIso() })
        .where('bsn', '=', bsn)
        .execute();
      await changed(bsn);
    },
  };
}
export type PatientStore = ReturnType<typeof createPatientStore>;

/** The patient's choice as this practice recorded it (and as PUT /patients/{bsn}/consent answers it). */
export const GpConsent = z
  .object({ bsn: Bsn, state: ConsentState, channel: z.string().nullable(), recordedAt: z.string().nullable() })
  .meta({ id: 'GpConsent' });
export type GpConsent = z.infer<typeof GpConsent>;
export const consentOf = (p: GpPatient): GpConsent => ({ bsn: p.bsn, ...p.consent });

/** The service kit's plain register, plus the address the GP keeps. */
const GpPatientInput = PatientDemographics.extend({ address: Address.optional() }).meta({ id: 'NewGpPatient' });
type GpPatientInput = z.infer<typeof GpPatientInput>;
const GpPatientView = GpPatientInput.extend({ bsn: Bsn }).meta({ id: 'GpPatient' });

export const patientRoutes: RoutePlugin<{ patients: PatientStore }> = async (app, { patients }) => {
  const Params = z.object({ bsn: Bsn });
  app.put(
    '/patients/:bsn',
    {
      schema: {
        tags: ['patients'],
        summary: 'Enter or update a patient',
        params: Params,
        body: GpPatientInput,
        response: { 200: GpPatientView, 201: GpPatientView, ...pick(400) },
      },
    },
    async (request, reply) => {
      const created = await patients.upsert(request.params.bsn, request.body);
      return reply.status(created ? 201 : 200).send({ bsn: request.params.bsn, ...request.body });
    },
  );
  app.get(
    '/patients/:bsn',
    {
      schema: {
        tags: ['patients'],
        summary: 'One patient',
        params: Params,
        response: { 200: GpPatientView, ...pick(400, 404) },
      },
    },
    async (request) => {
      const p = await patients.get(request.params.bsn);
      if (p === undefined) throw notFound(`Patient ${request.params.bsn}`);
      return {
        bsn: p.bsn,
        name: p.name,
        birthDate: p.birthDate,
        ...(p.address !== undefined ? { address: p.address } : {}),
      };
    },
  );
  app.get(
    '/patients/:bsn/consent',
    {
      schema: {
        tags: ['consent'],
        summary: 'The patient’s choice as this practice recorded it',
        params: Params,
        response: { 200: GpConsent, ...pick(400, 404) },
      },
    },
    async (request) => {
      const p = await patients.get(request.params.bsn);
      if (p === undefined) throw notFound(`Patient ${request.params.bsn}`);
      return consentOf(p);
    },
  );
};
