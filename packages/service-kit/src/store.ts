import { mkdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import {
  DummyDriver,
  Kysely,
  Migrator,
  SqliteAdapter,
  SqliteDialect,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type Migration,
  type MigrationProvider,
  type SqliteDatabase,
} from 'kysely';

export type Migrations = Record<string, Migration>;

const RAW = new WeakMap<object, SQLite.Database>();
/** The file stores this process has open, for the operator's snapshots (controls.ts). */
const OPEN_FILES = new Map<string, SQLite.Database>();

/**
 * Copy every file store of this process into `dir` (same file names) with SQLite's online backup: a
 * consistent picture of each store while the service keeps writing; writes after it are not lost, they
 * are just not in the copy.
 */
export async function backupStores(dir: string): Promise<string[]> {
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
  /** `:memory:` or a file path; the folder is created when missing. */
  database: string;
  /** The service's migrations, applied in name order; names are never reused or reordered. */
  migrations: Migrations;
}

/**
 * Each organisation has its own store (data stays at the source). Kysely over better-sqlite3 is the
 * embedded default; route code only sees Kysely, so a PostgreSQL dialect can be added here later.
 */
export async function openStore<DB>(options: OpenStoreOptions): Promise<Kysely<DB>> {
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
  const provider: MigrationProvider = { getMigrations: async () => options.migrations };
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error !== undefined || failed !== undefined) {
    await db.destroy();
    throw new Error(
      `Migration ${failed?.migrationName ?? ''} failed: ${String((error as Error | undefined)?.message ?? error)}`,
    );
  }
  return db;
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

/** A Kysely for building (never running) queries against the tables `T` of a shared module, in SQLite's dialect. */
export function queryBuilder<T>(): Kysely<T> {
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
