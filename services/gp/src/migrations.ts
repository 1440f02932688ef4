import {
  createSourceLogTable,
  frontOfficeMigration,
  type FrontOfficeTables,
  patientRegisterMigration,
  type SourceLogTable,
  type Generated,
  type Kysely,
  type Migrations,
  type PatientRegisterTable,
} from '@schakel/service-kit';

/**
 * The GP system's own store (HIS). 001 is the shared patient register; 002 adds the record, the consent
 * choice and the log of switch-point queries; 003 the register of disclosures to non-care providers; 004 the inbox of observation reports;
 * 005 the practice's settings and its corona opt-in registrations; 006 its decisions not to share despite consent;
 * 007 its referrals and their letters' delivery; 008 the front office's local users, their sessions and its access log.
 * Applied migrations are never edited: changes come as a new named entry.
 */
export const migrations: Migrations = {
  '001-patients': patientRegisterMigration,
  '002-record': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('patients').addColumn('address', 'text').execute();
      await db.schema
        .alterTable('patients')
        .addColumn('consent_state', 'text', (c) => c.notNull().defaultTo('no-choice'))
        .execute();
      await db.schema.alterTable('patients').addColumn('consent_channel', 'text').execute();
      await db.schema.alterTable('patients').addColumn('consent_recorded_at', 'text').execute();
      // One table for every kind of record item: the wire shapes differ per kind (contracts/gp-record.ts),
      // the questions asked of them do not (per patient, per kind, by date, shielded or not).
      await db.schema
        .createTable('record_items')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('bsn', 'text', (c) => c.notNull().references('patients.bsn'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('episode_id', 'text')
        .addColumn('date', 'text', (c) => c.notNull())
        .addColumn('end_date', 'text')
        .addColumn('shielded', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('recorded_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('record_items_by_patient')
        .on('record_items')
        .columns(['bsn', 'kind', 'date'])
        .execute();
      await createSourceLogTable(db);
    },
  },
  '003-disclosures': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('disclosure_requests')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('bsn', 'text', (c) => c.notNull().references('patients.bsn'))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('basis', 'text')
        .addColumn('basis_recorded_at', 'text')
        .addColumn('disclosure_id', 'text')
        .addColumn('registered_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('disclosure_requests_by_patient')
        .on('disclosure_requests')
        .columns(['bsn'])
        .execute();
      await db.schema
        .createTable('disclosures')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('request_id', 'text', (c) => c.notNull().references('disclosure_requests.id'))
        .addColumn('bsn', 'text', (c) => c.notNull().references('patients.bsn'))
        .addColumn('disclosed_at', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('patient_informed', 'text')
        .execute();
      await db.schema
        .createIndex('disclosures_by_patient')
        .on('disclosures')
        .columns(['bsn', 'disclosed_at'])
        .execute();
    },
  },
  '004-inbox': {
    async up(db: Kysely<unknown>) {
      // Observation reports (REPC_IN990003NL) received through the switch point. The message id is the
      // primary key: a redelivery after a lost acknowledgement is recognised and never stored twice.
      await db.schema
        .createTable('inbox_reports')
        .addColumn('message_id', 'text', (c) => c.primaryKey())
        .addColumn('bsn', 'text', (c) => c.notNull().references('patients.bsn'))
        .addColumn('sender_application_id', 'text', (c) => c.notNull())
        .addColumn('sender_ura', 'text', (c) => c.notNull())
        .addColumn('sender_name', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('initial_request_id', 'text', (c) => c.notNull())
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addColumn('deliveries', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('unread'))
        .addColumn('read_at', 'text')
        .addColumn('processed_at', 'text')
        .execute();
      await db.schema
        .createIndex('inbox_reports_by_status')
        .on('inbox_reports')
        .columns(['status', 'received_at'])
        .execute();
      await db.schema
        .createIndex('inbox_reports_by_patient')
        .on('inbox_reports')
        .columns(['bsn', 'received_at'])
        .execute();
    },
  },
  '005-corona-opt-in': {
    async up(db: Kysely<unknown>) {
      // The practice's own settings (whether it joined the corona opt-in), and per patient when the practice
      // registered the summary for the opt-in (null: not registered for it), so it knows what to withdraw.
      await db.schema
        .createTable('practice_settings')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('changed_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.alterTable('patients').addColumn('opt_in_registered_at', 'text').execute();
    },
  },
  '006-sharing-declines': {
    async up(db: Kysely<unknown>) {
      // The GP's decisions not to share a patient's summary despite consent (sharing-declines.ts); a
      // withdrawn decision is kept, with when it was withdrawn.
      await db.schema
        .createTable('sharing_declines')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('bsn', 'text', (c) => c.notNull().references('patients.bsn'))
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('decided_by', 'text', (c) => c.notNull())
        .addColumn('decided_at', 'text', (c) => c.notNull())
        .addColumn('withdrawn_at', 'text')
        .execute();
      await db.schema
        .createIndex('sharing_declines_by_patient')
        .on('sharing_declines')
        .columns(['bsn', 'decided_at'])
        .execute();
      // A request from a non-care provider the GP declined as a whole, despite consent: why, by whom, when.
      await db.schema.alterTable('disclosure_requests').addColumn('declined', 'text').execute();
    },
  },
  '007-referrals': {
    async up(db: Kysely<unknown>) {
      // Referrals to a specialist: the letter as sent (objected items already left out), the ids of the
      // items the patient objected to (they stay here), and the letter's delivery state (a durable outbox).
      await db.schema
        .createTable('referrals')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('message_id', 'text', (c) => c.notNull().unique())
        .addColumn('bsn', 'text', (c) => c.notNull().references('patients.bsn'))
        .addColumn('letter', 'text', (c) => c.notNull())
        .addColumn('objected_items', 'text', (c) => c.notNull())
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
      await db.schema.createIndex('referrals_due').on('referrals').columns(['state', 'next_attempt_at']).execute();
      await db.schema.createIndex('referrals_by_patient').on('referrals').columns(['bsn']).execute();
    },
  },
  '008-front-office': frontOfficeMigration,
};

export interface GpDatabase extends SourceLogTable, FrontOfficeTables {
  patients: PatientRegisterTable['patients'] & {
    address: string | null;
    consent_state: Generated<string>;
    consent_channel: string | null;
    consent_recorded_at: string | null;
    opt_in_registered_at: string | null;
  };
  practice_settings: { name: string; value: string; changed_at: string };
  referrals: {
    id: string;
    message_id: string;
    bsn: string;
    letter: string;
    objected_items: string;
    state: string;
    attempts: Generated<number>;
    next_attempt_at: string | null;
    last_error: string | null;
    created_at: string;
    delivered_at: string | null;
    acknowledgement: string | null;
    reject_code: string | null;
    reject_reason: string | null;
  };
  sharing_declines: {
    id: string;
    bsn: string;
    scope: string;
    reason: string;
    decided_by: string;
    decided_at: string;
    withdrawn_at: string | null;
  };
  record_items: {
    id: string;
    bsn: string;
    kind: string;
    episode_id: string | null;
    date: string;
    end_date: string | null;
    shielded: number;
    body: string;
    recorded_at: string;
  };
  disclosure_requests: {
    id: string;
    bsn: string;
    status: string;
    body: string;
    basis: string | null;
    basis_recorded_at: string | null;
    disclosure_id: string | null;
    registered_at: string;
    declined: string | null;
  };
  disclosures: {
    id: string;
    request_id: string;
    bsn: string;
    disclosed_at: string;
    body: string;
    patient_informed: string | null;
  };
  inbox_reports: {
    message_id: string;
    bsn: string;
    sender_application_id: string;
    sender_ura: string;
    sender_name: string;
    body: string;
    initial_request_id: string;
    received_at: string;
    deliveries: Generated<number>;
    status: Generated<string>;
    read_at: string | null;
    processed_at: string | null;
  };
}
