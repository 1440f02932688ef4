import { z } from 'zod';
import { Bsn, PatientDemographics, notFound } from '@schakel/contracts';
import type { App } from './app.js';
import { pick } from './app.js';
import { nowIso, type Kysely, type Migration } from './store.js';

/**
 * A plain patient register for systems whose full record comes in a later issue (GP, SEH): the patients
 * this organisation knows, in its own store.
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

const Patient = PatientDemographics.extend({ bsn: Bsn }).meta({ id: 'Patient' });

/** Works on any store that has the patients table (a service's database type lists more tables). */
export function patientRegisterRoutes<DB extends PatientRegisterTable>(app: App, store: Kysely<DB>): void {
  const db = store as unknown as Kysely<PatientRegisterTable>;
  const Params = z.object({ bsn: Bsn });
  app.put(
    '/patients/:bsn',
    { schema: { tags: ['patients'], summary: 'Enter or update a patient', params: Params, body: PatientDemographics, response: { 200: Patient, 201: Patient, ...pick(400) } } },
    async (request, reply) => {
      const { bsn } = request.params;
      const existing = await db.selectFrom('patients').select('bsn').where('bsn', '=', bsn).executeTakeFirst();
      await db
        .insertInto('patients')
        .values({ bsn, name: request.body.name, birth_date: request.body.birthDate, created_at: nowIso() })
        .onConflict((oc) => oc.column('bsn').doUpdateSet({ name: request.body.name, birth_date: request.body.birthDate }))
        .execute();
      return reply.status(existing === undefined ? 201 : 200).send({ bsn, ...request.body });
    },
  );
  app.get(
    '/patients/:bsn',
    { schema: { tags: ['patients'], summary: 'One patient', params: Params, response: { 200: Patient, ...pick(400, 404) } } },
    async (request) => {
      const row = await db.selectFrom('patients').selectAll().where('bsn', '=', request.params.bsn).executeTakeFirst();
      if (row === undefined) throw notFound(`Patient ${request.params.bsn}`);
      return { bsn: row.bsn, name: row.name, birthDate: row.birth_date };
    },
  );
}
