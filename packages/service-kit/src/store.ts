import { mkdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import type pg from 'pg';
import {
  DummyDriver,
  Kysely,
  Migrator,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  SqliteAdapter,
  SqliteDialect,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type Migration,
  type MigrationProvider,
  type SqliteDatabase,
  sql,
} from 'kysely';
import { problem } from '@schakel/contracts';
import { PostgresSchemaPlugin, SchemaPostgresDialect } from './store-postgres.js';

export type Migrations = Record<string, Migration>;

/**
 * Which engine a store runs on: the embedded SQLite file (the default, `npm start`), or a schema in a
 * PostgreSQL database shared by several processes (DATABASE_URL; docs/deployment.md).
 */
export type StoreDialect = 'sqlite' | 'postgres';
const DIALECT = new WeakMap<object, StoreDialect>();
const POOLS = new WeakMap<object, pg.Pool>();
/** The PostgreSQL pools this process has open, for readiness (storeHealth). */
const OPEN_POOLS = new Set<pg.Pool>();

/** The engine of a store opened with openStore (or of the db a migration is given). */
export function dialectOf(db: object): StoreDialect {
  return DIALECT.get(db) ?? 'sqlite';
}

const RAW = new WeakMap<object, SQLite.Database>();
/** The file stores this process has open, for the operator's snapshots (controls.ts). */
const OPEN_FILES = new Map<string, SQLite.Database>();

/**
 * Copy every file store of this process into `dir` (same file names) with SQLite's online backup: a
 * consistent picture of each store while the service keeps writing; writes after it are not lost, they
 * are just not in the copy.
 */
export async function backupStores(dir: string): Promise<string[]> {
  if (OPEN_POOLS.size > 0) throw snapshotsUnsupported();
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (const [file, sqlite] of OPEN_FILES) {
    if (!sqlite.open) continue;
    const target = join(dir, basename(file));
    await sqlite.backup(target);
    files.push(target);
  }
  return files;
}

/**
 * The better-sqlite3 handle behind a store, for the few writes that must be serialised across processes
 * sharing one file (BEGIN IMMEDIATE), such as appending to a hash chain. Route code uses Kysely.
 */
export function rawSqlite(db: object): SQLite.Database {
  const raw = RAW.get(db);
  if (raw === undefined) throw new Error('Not a store opened with openStore');
  return raw;
}

export interface OpenStoreOptions {
  /** `:memory:` or a file path; the folder is created when missing. Unused when `url` is set. */
  database: string;
  /** A `postgres://` URL: the store is the schema `schema` in that database instead of a SQLite file. */
  url?: string | undefined;
  /** The organisation's own schema in the PostgreSQL database (created when missing); default `public`. */
  schema?: string | undefined;
  /** At most this many PostgreSQL connections in this process's pool (default 10). */
  poolMax?: number | undefined;
  /** The service's migrations, applied in name order; names are never reused or reordered. */
  migrations: Migrations;
}

/** How a service's config names its store (DATABASE, DATABASE_URL, DATABASE_SCHEMA, DATABASE_POOL_MAX). */
export function storeSettings(config: {
  DATABASE: string;
  DATABASE_URL?: string | undefined;
  DATABASE_SCHEMA?: string | undefined;
  DATABASE_POOL_MAX: number;
}): Omit<OpenStoreOptions, 'migrations'> {
  return {
    database: config.DATABASE,
    url: config.DATABASE_URL,
    schema: config.DATABASE_SCHEMA,
    poolMax: config.DATABASE_POOL_MAX,
  };
}

/**
 * Each organisation has its own store (data stays at the source). Kysely over better-sqlite3 is the
 * embedded default; with a `url`, Kysely over node-postgres in the organisation's own schema. Route code
 * only sees Kysely either way.
 */
export async function openStore<DB>(options: OpenStoreOptions): Promise<Kysely<DB>> {
  const db =
    options.url !== undefined ? await openPostgres<DB>(options.url, options) : openSqlite<DB>(options.database);
  await migrate(db, options.migrations, options.url !== undefined ? (options.schema ?? 'public') : undefined);
  return db;
}

function openSqlite<DB>(database: string): Kysely<DB> {
  const options = { database };
  if (options.database !== ':memory:') mkdirSync(dirname(options.database), { recursive: true });
  const sqlite = new SQLite(options.database);
  // WAL and a busy timeout: readers do not block the writer, and accepted writes are durable on commit.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  RAW.set(db, sqlite);
  if (options.database !== ':memory:') {
    const file = resolve(options.database);
    OPEN_FILES.set(file, sqlite);
    const destroy = db.destroy.bind(db);
    db.destroy = async () => {
      OPEN_FILES.delete(file);
      await destroy();
    };
  }
  DIALECT.set(db, 'sqlite');
  return db;
}

/**
 * One schema per organisation in one database: an environment is one database a team creates once (one
 * role, one DATABASE_URL), each organisation's data stays apart as in its own file, and its connections
 * see only its schema (search_path is set when each connection opens, reconnections included).
 */
async function openPostgres<DB>(url: string, options: Omit<OpenStoreOptions, 'migrations'>): Promise<Kysely<DB>> {
  const schema = options.schema ?? 'public';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
    throw new Error(
      `DATABASE_SCHEMA must be a lower-case SQL name (letters, digits, _), got ${JSON.stringify(schema)}`,
    );
  const { Pool, TypeOverrides, types } = await loadPg();
  // SQLite's integers are 64-bit: so are the columns here (store-postgres.ts), read back as numbers.
  const int8AsNumber = new TypeOverrides();
  int8AsNumber.setTypeParser(types.builtins.INT8, 'text', Number);
  const pool = new Pool({
    connectionString: url,
    max: options.poolMax ?? 10,
    options: `-c search_path=${schema}`,
    connectionTimeoutMillis: 5_000,
    types: int8AsNumber,
  });
  // A connection lost while idle (the server restarted, pg_terminate_backend) is dropped by the pool and
  // opened again on next use; without a listener the 'error' event would end the process.
  pool.on('error', () => undefined);
  await createSchema(pool, schema);
  const db = new Kysely<DB>({ dialect: new SchemaPostgresDialect({ pool }), plugins: [new PostgresSchemaPlugin()] });
  DIALECT.set(db, 'postgres');
  POOLS.set(db, pool);
  OPEN_POOLS.add(pool);
  const destroy = db.destroy.bind(db);
  db.destroy = async () => {
    OPEN_POOLS.delete(pool);
    await destroy();
  };
  return db;
}

/**
 * node-postgres, loaded only by a process whose store is on PostgreSQL: on SQLite (npm start) it is code
 * every process would evaluate at start-up for nothing (docs/performance.md, "Start-up").
 */
const loadPg = async () => (await import('pg')).default;

/**
 * `CREATE SCHEMA IF NOT EXISTS` is not safe against itself: two processes of one organisation starting at
 * once (replicas) both find the schema missing and one fails on the catalogue's unique key. A transaction
 * lock keyed by the schema's name makes them take turns; the second finds the schema there.
 */
async function createSchema(pool: pg.Pool, schema: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query("SELECT pg_advisory_xact_lock(hashtext('schakel.schema.' || $1))", [schema]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Whether the store has recorded exactly these migrations, with one SELECT: then there is nothing to do, and
 * Kysely's migrator (which at every start creates its tables if missing, takes its lock and reads them) is
 * skipped (docs/performance.md, "Start-up"). Anything else, a new store or a migration not yet applied
 * (or a name it does not know), goes through the migrator as before, lock and all. On PostgreSQL a store
 * another process is migrating right now shows the new names only once they are committed, with the
 * migrations' own changes (the migrator runs them in one transaction).
 */
async function alreadyMigrated<DB>(db: Kysely<DB>, migrations: Migrations, schema: string | undefined) {
  try {
    const table = sql.table(schema !== undefined ? `${schema}.kysely_migration` : 'kysely_migration');
    const { rows } = await sql<{ name: string }>`SELECT name FROM ${table}`.execute(db);
    const recorded = rows.map((row) => row.name).sort();
    const names = Object.keys(migrations).sort();
    return recorded.length === names.length && recorded.every((name, i) => name === names[i]);
  } catch {
    // No such table yet: a new store.
    return false;
  }
}

async function migrate<DB>(db: Kysely<DB>, migrations: Migrations, schema: string | undefined): Promise<void> {
  if (await alreadyMigrated(db, migrations, schema)) return;
  const dialect = dialectOf(db);
  // A migration may run in a transaction (PostgreSQL's DDL is transactional): tell it the engine, for the
  // few statements whose SQL differs (dialectOf).
  const tagged = Object.fromEntries(
    Object.entries(migrations).map(([name, m]) => [
      name,
      {
        up: async (trx: Kysely<unknown>) => {
          DIALECT.set(trx, dialect);
          await m.up(trx);
        },
      },
    ]),
  );
  const provider: MigrationProvider = { getMigrations: async () => tagged };
  // Several processes on one PostgreSQL schema start at once: Kysely's migrator takes an advisory lock there.
  // Its bookkeeping tables are named in the schema: it looks for them across all schemas otherwise.
  const { error, results } = await new Migrator({
    db,
    provider,
    ...(schema !== undefined ? { migrationTableSchema: schema } : {}),
  }).migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error !== undefined || failed !== undefined) {
    await db.destroy();
    throw new Error(
      `Migration ${failed?.migrationName ?? ''} failed: ${String((error as Error | undefined)?.message ?? error)}`,
    );
  }
}

/**
 * A one-off PostgreSQL connection for operations rather than a service's store: creating an environment's
 * database, checking that the server answers (the PostgreSQL test run). Services use openStore.
 */
export async function onPostgres<T>(
  url: string,
  work: (query: (text: string) => Promise<unknown[]>) => Promise<T>,
): Promise<T> {
  const { Client } = await loadPg();
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(async (text) => (await client.query(text)).rows as unknown[]);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Whether every PostgreSQL store of this process answers now (one `SELECT 1` each, within `timeoutMs`);
 * SQLite files are always there. For /ready: a lost database makes the service not ready until it is back.
 */
export async function storeHealth(timeoutMs = 2_000): Promise<{ ok: true } | { ok: false; detail: string }> {
  for (const pool of OPEN_POOLS) {
    try {
      await Promise.race([
        pool.query('SELECT 1'),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), timeoutMs).unref()),
      ]);
    } catch (err) {
      return { ok: false, detail: `The database does not answer: ${err instanceof Error ? err.message : String(err)}` };
    }
  }
  return { ok: true };
}

function snapshotsUnsupported(): Error {
  return problem(
    'SNAPSHOTS_UNSUPPORTED',
    'Snapshots copy SQLite files; with DATABASE_URL (PostgreSQL) use the database server tools (pg_dump) instead',
  );
}

/**
 * Whether an error means the database cannot be reached now (the server stopped or restarted, the
 * connection was terminated, no connection within the time-out), as opposed to a fault in the request or
 * the code: answered 503 STORE_UNAVAILABLE, and the pool reconnects on the next query.
 */
export function isStoreUnavailable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    // SQLSTATE class 08 (connection exception), 57P01-57P03 (shutdown, crash, cannot connect now).
    if (/^08|^57P0[123]$/.test(code)) return true;
    if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN'].includes(code)) return true;
  }
  const message = (err as { message?: unknown }).message;
  return (
    typeof message === 'string' &&
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection is closed|is not currently accepting connections|the database system is (starting up|shutting down)/.test(
      message,
    )
  );
}

/**
 * A hand-written statement run on either engine, for the few hot lookups that skip Kysely's query building
 * (read models, the replay insert). Written once with `?` placeholders in SQL both engines take. On SQLite a
 * better-sqlite3 statement prepared once; on PostgreSQL a named prepared statement per connection.
 */
export interface PreparedStatement<R> {
  all(...params: unknown[]): Promise<R[]>;
  /** Runs a write; answers the number of rows it changed. */
  run(...params: unknown[]): Promise<number>;
}
let statementNames = 0;
export function prepare<R>(db: object, text: string): PreparedStatement<R> {
  const pool = POOLS.get(db);
  if (pool === undefined) {
    const statement = rawSqlite(db).prepare(text);
    const returns = statement.reader;
    return {
      all: async (...params) => (returns ? (statement.all(...params) as R[]) : []),
      run: async (...params) => statement.run(...params).changes,
    };
  }
  let n = 0;
  const query = { name: `schakel_${++statementNames}`, text: text.replace(/\?/g, () => `$${++n}`) };
  return {
    all: async (...values) => (await pool.query({ ...query, values })).rows as R[],
    run: async (...values) => (await pool.query({ ...query, values })).rowCount ?? 0,
  };
}

/**
 * Run `work` in one PostgreSQL transaction that no other process sharing the store runs at the same time
 * under the same `lock`: pg_advisory_xact_lock keyed by the lock name and the schema, released at commit or
 * rollback. For appends that must form one line, such as the access log's hash chain; on SQLite the same
 * is a BEGIN IMMEDIATE transaction on rawSqlite (the file's one write lock).
 */
export async function withAdvisoryLock<DB, T>(
  db: Kysely<DB>,
  lock: string,
  work: (trx: Kysely<DB>) => Promise<T>,
): Promise<T> {
  if (dialectOf(db) !== 'postgres') throw new Error('withAdvisoryLock is for PostgreSQL stores');
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.' || ${lock}))`.execute(trx);
    return work(trx);
  });
}

/**
 * Kysely prepares every query anew; on the request path that showed up in the switch point's profile.
 * better-sqlite3 statements are safe to reuse (calls are synchronous), so keep them per SQL text.
 */
function withStatementCache(sqlite: SQLite.Database, max = 500): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    prepare(sql: string) {
      let statement = statements.get(sql);
      if (statement === undefined) {
        statement = sqlite.prepare(sql);
        if (statements.size >= max) statements.delete(statements.keys().next().value as string);
        statements.set(sql, statement);
      }
      return statement;
    },
    close: () => sqlite.close(),
  };
}

/**
 * What a module shared by several services (the source log, the patient register) needs of a service's
 * store: to run a query. Kysely's types are invariant in the database type, so a `Kysely<GpDatabase>` is
 * no `Kysely<SourceLogTable>`; instead of casting one into the other, such a module builds its queries
 * against its own tables with `queryBuilder<T>()` and runs them here (Kysely's "splitting query building
 * and execution" recipe). Any store opened with `openStore` is a QueryRunner, whatever tables it lists.
 */
export type QueryRunner = Pick<Kysely<unknown>, 'executeQuery'>;

/** A Kysely for building (never running) queries against the tables `T` of a shared module, in the store's dialect. */
export function queryBuilder<T>(store: object): Kysely<T> {
  if (dialectOf(store) === 'postgres')
    return new Kysely<T>({
      dialect: {
        createAdapter: () => new PostgresAdapter(),
        createDriver: () => new DummyDriver(),
        createIntrospector: (db) => new PostgresIntrospector(db),
        createQueryCompiler: () => new PostgresQueryCompiler(),
      },
    });
  return new Kysely<T>({
    dialect: {
      createAdapter: () => new SqliteAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new SqliteIntrospector(db),
      createQueryCompiler: () => new SqliteQueryCompiler(),
    },
  });
}

/** The domain's time for what a store records: the one clock (@schakel/contracts clock.ts, docs/control.md). */
export { nowIso } from '@schakel/contracts';

export { sql, type Kysely, type Generated, type Selectable, type Migration } from 'kysely';
