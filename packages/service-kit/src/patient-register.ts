import { z } from 'zod';
import { Bsn, PatientDemographics, notFound } from '@schakel/contracts';
import { pick, type RoutePlugin } from './app.js';
import { nowIso, queryBuilder, type Kysely, type Migration, type QueryRunner } from './store.js';

/**
 * A plain patient register for systems that keep no fuller record of their own (the SEH): the patients
 * this organisation knows, in its own store. The GP system starts from the same table and adds to it.
 */
export const patientRegisterMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('patients')
      .addColumn('bsn', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('birth_date', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
  },
};

export interface PatientRegisterTable {
  patients: { bsn: string; name: string; birth_date: string; created_at: string };
}

export const RegisteredPatient = PatientDemographics.extend({ bsn: Bsn }).meta({ id: 'Patient' });
export type RegisteredPatient = z.infer<typeof RegisteredPatient>;

/** The register in the service's own store (any store whose migrations created the patients table). */
export function createPatientRegister(store: QueryRunner) {
  const q = queryBuilder<PatientRegisterTable>(store);
  async function get(bsn: string): Promise<RegisteredPatient | undefined> {
    const { rows } = await store.executeQuery(
      q.selectFrom('patients').select(['bsn', 'name', 'birth_date']).where('bsn', '=', bsn),
    );
    const row = rows[0];
    return row === undefined ? undefined : { bsn: row.bsn, name: row.name, birthDate: row.birth_date };
  }
  return {
    get,
    /** Enter or update; answers whether the patient is new. */
    async upsert(bsn: string, p: PatientDemographics): Promise<boolean> {
      const existing = await get(bsn);
      await store.executeQuery(
        q
          .insertInto('patients')
          .values({ bsn, name: p.name, birth_date: p.birthDate, created_at: nowIso() })
          .onConflict((oc) => oc.column('bsn').doUpdateSet({ name: p.name, birth_date: p.birthDate })),
      );
      return existing === undefined;
    },
  };
}
export type PatientRegister = ReturnType<typeof createPatientRegister>;

export const patientRegisterRoutes: RoutePlugin<{ patients: PatientRegister }> = async (app, { patients }) => {
  const Params = z.object({ bsn: Bsn });
  app.put(
    '/patients/:bsn',
    {
      schema: {
        tags: ['patients'],
        summary: 'Enter or update a patient',
        params: Params,
        body: PatientDemographics,
        response: { 200: RegisteredPatient, 201: RegisteredPatient, ...pick(400) },
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
        response: { 200: RegisteredPatient, ...pick(400, 404) },
      },
    },
    async (request) => {
      const patient = await patients.get(request.params.bsn);
      if (patient === undefined) throw notFound(`Patient ${request.params.bsn}`);
      return patient;
    },
  );
};
