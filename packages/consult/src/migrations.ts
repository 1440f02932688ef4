import type { FrontOfficeTables, Generated, Kysely, Migration } from '@schakel/service-kit';

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

/**
 * The encounter recorded for a consult and the sender's outbox of observation reports (REPC_IN990003NL).
 * A report is stored here first and delivered afterwards, so that a report the user saw accepted survives
 * a crash of this process (SQLite WAL: committed means durable). One report per consult (unique).
 */
export const reportMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('consult_encounters')
      .addColumn('consult_id', 'text', (c) => c.primaryKey().references('consults.id'))
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('recorded_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('outbox')
      .addColumn('message_id', 'text', (c) => c.primaryKey())
      .addColumn('consult_id', 'text', (c) => c.notNull().unique().references('consults.id'))
      .addColumn('bsn', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('next_attempt_at', 'text')
      .addColumn('last_error', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('delivered_at', 'text')
      .addColumn('acknowledgement', 'text')
      .addColumn('reject_code', 'text')
      .addColumn('reject_reason', 'text')
      .execute();
    await db.schema.createIndex('outbox_due').on('outbox').columns(['state', 'next_attempt_at']).execute();
  },
};

export interface OutboxTable {
  message_id: string;
  consult_id: string;
  bsn: string;
  body: string;
  state: string;
  attempts: Generated<number>;
  next_attempt_at: string | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
  acknowledgement: string | null;
  reject_code: string | null;
  reject_reason: string | null;
}

/** The referral letters a hospital received from GPs, one row per message id (the de-duplication key). */
export const referralLetterMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('referral_letters')
      .addColumn('message_id', 'text', (c) => c.primaryKey())
      .addColumn('bsn', 'text', (c) => c.notNull())
      .addColumn('from_application_id', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('received_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('referral_letters_by_patient').on('referral_letters').columns(['bsn']).execute();
  },
};

export interface ReferralLetterTable {
  message_id: string;
  bsn: string;
  from_application_id: string;
  body: string;
  received_at: string;
}

export interface ConsultDatabase extends FrontOfficeTables {
  consults: {
    id: string;
    bsn: string;
    professional: string;
    responsible: string | null;
    situation: string;
    patient_cannot_consent: number;
    opened_at: string;
  };
  consult_queries: {
    id: Generated<number>;
    consult_id: string;
    at: string;
    interaction: string;
    initial_request_id: string;
    verbal_consent: number;
    outcome: string;
  };
  consult_encounters: { consult_id: string; body: string; recorded_at: string };
  outbox: OutboxTable;
  referral_letters: ReferralLetterTable;
}
