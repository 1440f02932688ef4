import type { Generated, Kysely, Migration } from '@schakel/service-kit';

/**
 * The consult store shared by the after-hours post (HAPIS) and the emergency department: consults and
 * the queries made for them (which, when, with verbal consent or as an emergency, and the outcome).
 */
export const consultMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('consults')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('bsn', 'text', (c) => c.notNull())
      .addColumn('professional', 'text', (c) => c.notNull())
      .addColumn('responsible', 'text')
      .addColumn('situation', 'text', (c) => c.notNull())
      .addColumn('patient_cannot_consent', 'integer', (c) => c.notNull())
      .addColumn('opened_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('consult_queries')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('consult_id', 'text', (c) => c.notNull().references('consults.id'))
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('interaction', 'text', (c) => c.notNull())
      .addColumn('initial_request_id', 'text', (c) => c.notNull())
      .addColumn('verbal_consent', 'integer', (c) => c.notNull())
      .addColumn('outcome', 'text', (c) => c.notNull())
      .execute();
  },
};

export interface ConsultDatabase {
  consults: { id: string; bsn: string; professional: string; responsible: string | null; situation: string; patient_cannot_consent: number; opened_at: string };
  consult_queries: { id: Generated<number>; consult_id: string; at: string; interaction: string; initial_request_id: string; verbal_consent: number; outcome: string };
}
