import { dialectOf, sql, type Generated, type Kysely, type Migrations } from '@schakel/service-kit';

/** The switch point's store: address book, reference index, consent, access log. Never clinical content. Applied migrations are never edited. */
export const migrations: Migrations = {
  '001-initial': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('systems')
        .addColumn('application_id', 'text', (c) => c.primaryKey())
        .addColumn('ura', 'text', (c) => c.notNull())
        .addColumn('organisation_name', 'text', (c) => c.notNull())
        .addColumn('organisation_type', 'text', (c) => c.notNull())
        .addColumn('base_url', 'text')
        .addColumn('provides', 'text', (c) => c.notNull())
        .addColumn('registered_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('systems_by_ura').on('systems').column('ura').execute();
      await db.schema
        .createTable('index_entries')
        .addColumn('bsn', 'text', (c) => c.notNull())
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('application_id', 'text', (c) => c.notNull())
        .addColumn('registered_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('index_entries_pk', ['bsn', 'category', 'application_id'])
        .execute();
      await db.schema
        .createTable('consents')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('bsn', 'text', (c) => c.notNull())
        .addColumn('holder_ura', 'text')
        .addColumn('holder_type', 'text')
        .addColumn('category', 'text', (c) => c.notNull().defaultTo('*'))
        .addColumn('consumer_type', 'text', (c) => c.notNull().defaultTo('*'))
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('recorded_by', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('recorded_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('consents_by_patient').on('consents').columns(['bsn', 'id']).execute();
      // Choices made online in the patient portal wait here until the named holder processes them.
      await db.schema
        .createTable('consent_requests')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('bsn', 'text', (c) => c.notNull())
        .addColumn('holder_ura', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('consumer_type', 'text', (c) => c.notNull())
        .addColumn('requested_at', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('processed_at', 'text')
        .addColumn('consent_record_id', 'integer')
        .execute();
      await db.schema
        .createIndex('consent_requests_by_holder')
        .on('consent_requests')
        .columns(['holder_ura', 'status'])
        .execute();
      // What the patient is told in the portal: someone else changed their profile.
      await db.schema
        .createTable('notifications')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('bsn', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('consent_record_id', 'integer')
        .execute();
      await db.schema.createIndex('notifications_by_patient').on('notifications').columns(['bsn', 'id']).execute();
      // Switchable policies (corona opt-in, its stop button, presumed consent), set by the operator.
      await db.schema
        .createTable('policies')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('changed_at', 'text', (c) => c.notNull())
        .addColumn('changed_by', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('access_log')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('interaction', 'text', (c) => c.notNull())
        .addColumn('initial_request_id', 'text', (c) => c.notNull())
        .addColumn('request_id', 'text', (c) => c.notNull())
        .addColumn('bsn', 'text')
        .addColumn('category', 'text')
        .addColumn('client_subject', 'text')
        .addColumn('requester_application_id', 'text')
        .addColumn('requester_ura', 'text')
        .addColumn('acting_uzi', 'text')
        .addColumn('acting_role', 'text')
        .addColumn('responsible_uzi', 'text')
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('code', 'text', (c) => c.notNull())
        .addColumn('explanation', 'text', (c) => c.notNull())
        .addColumn('sources', 'text', (c) => c.notNull().defaultTo(sql`'[]'`))
        .addColumn('situation', 'text')
        .addColumn('emergency', 'integer', (c) => c.notNull().defaultTo(0))
        // Tamper evidence: each entry's hash covers its content and the previous entry's hash.
        .addColumn('prev_hash', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('access_log_by_patient').on('access_log').columns(['bsn', 'id']).execute();
      // Message ids of professional assertions already seen: a replay is refused, across restarts and
      // across several switch-point processes sharing this store (the primary key makes it atomic).
      await db.schema
        .createTable('assertion_ids')
        .addColumn('jti', 'text', (c) => c.primaryKey())
        .addColumn('seen_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'integer', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('assertion_ids_by_expiry').on('assertion_ids').column('expires_at').execute();
      // The revocation list the operator adds to: system certificates and UZI card certificates alike.
      await db.schema
        .createTable('revocations')
        .addColumn('serial_number', 'text', (c) => c.primaryKey())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text', (c) => c.notNull())
        .addColumn('revoked_by', 'text', (c) => c.notNull())
        .execute();
    },
  },
  '002-index-reason': {
    async up(db: Kysely<unknown>) {
      // Why a holder registered (IndexReason): entries from before this migration were all for consent.
      await db.schema
        .alterTable('index_entries')
        .addColumn('reason', 'text', (c) => c.notNull().defaultTo('consent'))
        .execute();
    },
  },
  '003-system-wire': {
    async up(db: Kysely<unknown>) {
      // Which wire a system speaks as a source (json or hl7v3); every system before this spoke JSON.
      await db.schema
        .alterTable('systems')
        .addColumn('wire', 'text', (c) => c.notNull().defaultTo('json'))
        .execute();
    },
  },
  '004-change-counters': {
    async up(db: Kysely<unknown>) {
      // A version per table the decisions read from memory (read-model.ts): every write to it bumps its
      // counter in the same transaction, so any process sharing the store sees the change before it next
      // uses its copy.
      await db.schema
        .createTable('store_changes')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      // PostgreSQL's triggers call a function; one per statement is enough (the counter only has to move).
      const postgres = dialectOf(db) === 'postgres';
      if (postgres)
        await sql
          .raw(
            `CREATE FUNCTION store_changes_count() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN UPDATE store_changes SET version = version + 1 WHERE name = TG_TABLE_NAME; RETURN NULL; END $$`,
          )
          .execute(db);
      for (const table of WATCHED_TABLES) {
        await sql`INSERT INTO store_changes (name, version) VALUES (${table}, 0)`.execute(db);
        if (postgres) {
          await sql
            .raw(
              `CREATE TRIGGER ${table}_counts AFTER INSERT OR UPDATE OR DELETE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION store_changes_count()`,
            )
            .execute(db);
          continue;
        }
        for (const op of ['INSERT', 'UPDATE', 'DELETE'])
          await sql
            .raw(
              `CREATE TRIGGER ${table}_${op.toLowerCase()}_counts AFTER ${op} ON ${table} BEGIN UPDATE store_changes SET version = version + 1 WHERE name = '${table}'; END`,
            )
            .execute(db);
      }
    },
  },
  '005-portal-logouts': {
    async up(db: Kysely<unknown>) {
      // Portal sessions ended by logout, until they would have expired anyway: in the store, so that every
      // switch-point replica refuses a token logged out at another (docs/deployment.md).
      await db.schema
        .createTable('portal_logouts')
        .addColumn('jti', 'text', (c) => c.primaryKey())
        .addColumn('expires_at', 'integer', (c) => c.notNull())
        .execute();
    },
  },
  '006-consent-subscriptions': {
    async up(db: Kysely<unknown>) {
      // FHIR Subscriptions to a patient's consent profile and their notifications' outbox (subscriptions.ts).
      await db.schema
        .createTable('subscriptions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('subscriber_application_id', 'text', (c) => c.notNull())
        .addColumn('subscriber_ura', 'text', (c) => c.notNull())
        .addColumn('subscriber_type', 'text', (c) => c.notNull())
        .addColumn('bsn', 'text', (c) => c.notNull())
        .addColumn('criteria', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('endpoint', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('error', 'text')
        .addColumn('events', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('subscriptions_by_bsn').on('subscriptions').columns(['bsn', 'status']).execute();
      await db.schema
        .createTable('subscription_notifications')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('subscription_id', 'text', (c) => c.notNull())
        .addColumn('event_number', 'integer', (c) => c.notNull())
        .addColumn('consent_record_id', 'integer', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'text')
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('delivered_at', 'text')
        // At most one notification per change and subscription.
        .addUniqueConstraint('one_notification_per_change', ['subscription_id', 'consent_record_id'])
        .execute();
      await db.schema
        .createIndex('subscription_notifications_due')
        .on('subscription_notifications')
        .columns(['state', 'next_attempt_at'])
        .execute();
    },
  },
  '007-index-entries-without-rowid': {
    async up(db: Kysely<unknown>) {
      // SQLite: the reference index as one B-tree keyed by its primary key (WITHOUT ROWID) instead of a rowid
      // table plus the key's own index: each entry is written once, not twice, which halves the national
      // bulk load (tools/bench/national.ts) and lets a lookup by BSN read the entries from the key itself.
      // PostgreSQL has no rowid: its table stays as it is.
      if (dialectOf(db) === 'postgres') return;
      const triggers = await sql<{ sql: string }>`
        SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'index_entries'`.execute(db);
      await sql`CREATE TABLE index_entries_keyed (
        bsn text NOT NULL, category text NOT NULL, application_id text NOT NULL, registered_at text NOT NULL,
        reason text NOT NULL DEFAULT 'consent',
        CONSTRAINT index_entries_pk PRIMARY KEY (bsn, category, application_id)) WITHOUT ROWID`.execute(db);
      await sql`INSERT INTO index_entries_keyed (bsn, category, application_id, registered_at, reason)
        SELECT bsn, category, application_id, registered_at, reason FROM index_entries`.execute(db);
      // Dropping the table drops its change-counter triggers (004); they are created again from their own SQL.
      await sql`DROP TABLE index_entries`.execute(db);
      await sql`ALTER TABLE index_entries_keyed RENAME TO index_entries`.execute(db);
      for (const t of triggers.rows) await sql.raw(t.sql).execute(db);
    },
  },
  '008-portal-login-failures': {
    async up(db: Kysely<unknown>) {
      // Failed portal logins per BSN and per client address (portal-attempts.ts): in the store, so that the
      // limit holds across switch-point replicas rather than per replica.
      await db.schema
        .createTable('portal_login_failures')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('failures', 'integer', (c) => c.notNull())
        .addColumn('until_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
};

/** The tables whose writes are counted in store_changes (a fixed list: the migration creates a trigger per table). */
export const WATCHED_TABLES = ['systems', 'index_entries', 'consents', 'policies', 'revocations'] as const;
export type WatchedTable = (typeof WATCHED_TABLES)[number];

export interface LspDatabase {
  systems: {
    application_id: string;
    ura: string;
    organisation_name: string;
    organisation_type: string;
    base_url: string | null;
    provides: string;
    registered_at: string;
    wire: Generated<string>;
  };
  index_entries: {
    bsn: string;
    category: string;
    application_id: string;
    registered_at: string;
    reason: Generated<string>;
  };
  consents: {
    id: Generated<number>;
    bsn: string;
    holder_ura: string | null;
    holder_type: string | null;
    category: string;
    consumer_type: string;
    state: string;
    recorded_by: string;
    channel: string;
    recorded_at: string;
  };
  access_log: {
    id: Generated<number>;
    at: string;
    interaction: string;
    initial_request_id: string;
    request_id: string;
    bsn: string | null;
    category: string | null;
    client_subject: string | null;
    requester_application_id: string | null;
    requester_ura: string | null;
    acting_uzi: string | null;
    acting_role: string | null;
    responsible_uzi: string | null;
    outcome: string;
    code: string;
    explanation: string;
    sources: string;
    situation: string | null;
    emergency: number;
    prev_hash: string;
    hash: string;
  };
  consent_requests: {
    id: Generated<number>;
    bsn: string;
    holder_ura: string;
    state: string;
    category: string;
    consumer_type: string;
    requested_at: string;
    status: string;
    processed_at: string | null;
    consent_record_id: number | null;
  };
  notifications: { id: Generated<number>; bsn: string; at: string; message: string; consent_record_id: number | null };
  policies: { name: string; enabled: number; changed_at: string; changed_by: string };
  assertion_ids: { jti: string; seen_at: string; expires_at: number };
  revocations: { serial_number: string; reason: string; revoked_at: string; revoked_by: string };
  store_changes: { name: string; version: number };
  portal_logouts: { jti: string; expires_at: number };
  portal_login_failures: { key: string; failures: number; until_at: string };
  subscriptions: {
    id: string;
    subscriber_application_id: string;
    subscriber_ura: string;
    subscriber_type: string;
    bsn: string;
    criteria: string;
    reason: string;
    endpoint: string;
    payload: string;
    status: string;
    error: string | null;
    events: number;
    created_at: string;
  };
  subscription_notifications: {
    id: string;
    subscription_id: string;
    event_number: number;
    consent_record_id: number;
    state: string;
    attempts: number;
    next_attempt_at: string | null;
    last_error: string | null;
    created_at: string;
    delivered_at: string | null;
  };
}
