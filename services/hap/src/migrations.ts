import type { Generated, Kysely, Migrations } from '@schakel/service-kit';

/** The after-hours post's own store (HAPIS): consults and the queries made for them. */
export const migrations: Migrations = {
  '001-consults': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('consults')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('bsn', 'text', (c) => c.notNull())
        .addColumn('professional', 'text', (c) => c.notNull())
        .addColumn('responsible', 'text')
        .addColumn('opened_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('consult_queries')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('consult_id', 'text', (c) => c.notNull().references('consults.id'))
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('interaction', 'text', (c) => c.notNull())
        .addColumn('initial_request_id', 'text', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .execute();
    },
  },
};

export interface HapDatabase {
  consults: { id: string; bsn: string; professional: string; responsible: string | null; opened_at: string };
  consult_queries: { id: Generated<number>; consult_id: string; at: string; interaction: string; initial_request_id: string; outcome: string };
}
