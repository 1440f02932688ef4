import {
  createSourceLogTable,
  frontOfficeMigration,
  type FrontOfficeTables,
  type SourceLogTable,
  type Kysely,
  type Migrations,
} from '@schakel/service-kit';

/**
 * The pharmacy system's own store (AIS): its patients, their consent choice, dispenses, and its access log;
 * 003 the front office's local users, their sessions and its access log.
 */
export const migrations: Migrations = {
  '001-initial': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('patients')
        .addColumn('bsn', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('birth_date', 'text', (c) => c.notNull())
        .addColumn('consent_state', 'text', (c) => c.notNull().defaultTo('no-choice'))
        .addColumn('consent_channel', 'text')
        .addColumn('consent_recorded_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('dispenses')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('bsn', 'text', (c) => c.notNull().references('patients.bsn'))
        .addColumn('dispensed_on', 'text', (c) => c.notNull())
        .addColumn('product', 'text', (c) => c.notNull())
        .addColumn('amount', 'text', (c) => c.notNull())
        .addColumn('dosage_instruction', 'text', (c) => c.notNull())
        .addColumn('prescriber', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('dispenses_by_patient').on('dispenses').columns(['bsn', 'dispensed_on']).execute();
      await createSourceLogTable(db);
    },
  },
  '002-contra-indications': {
    async up(db: Kysely<unknown>) {
      // Contra-indications and intolerances (CiO) the pharmacy records for medication surveillance.
      await db.schema
        .createTable('contra_indications')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('bsn', 'text', (c) => c.notNull().references('patients.bsn'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('code', 'text')
        .addColumn('atc', 'text')
        .addColumn('recorded_on', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('contra_indications_by_patient')
        .on('contra_indications')
        .columns(['bsn', 'recorded_on'])
        .execute();
    },
  },
  '003-front-office': frontOfficeMigration,
  '004-dispenses-newest-first': {
    async up(db: Kysely<unknown>) {
      // The switch point's leg reads a patient's dispenses newest first (docs/performance.md, "Sources' cost
      // per leg"): in this index's order, without sorting them per query. It covers the old index's uses.
      await db.schema
        .createIndex('dispenses_newest_first')
        .on('dispenses')
        .columns(['bsn', 'dispensed_on desc', 'created_at desc', 'id'])
        .execute();
      await db.schema.dropIndex('dispenses_by_patient').execute();
    },
  },
};

export interface PharmacyDatabase extends SourceLogTable, FrontOfficeTables {
  patients: {
    bsn: string;
    name: string;
    birth_date: string;
    consent_state: string;
    consent_channel: string | null;
    consent_recorded_at: string | null;
    created_at: string;
  };
  dispenses: {
    id: string;
    bsn: string;
    dispensed_on: string;
    product: string;
    amount: string;
    dosage_instruction: string;
    prescriber: string;
    created_at: string;
  };
  contra_indications: {
    id: string;
    bsn: string;
    kind: string;
    name: string;
    code: string | null;
    atc: string | null;
    recorded_on: string;
    created_at: string;
  };
}
