import { dialectOf, prepare, rawSqlite, type Kysely } from '@schakel/service-kit';
import type { LspDatabase, WatchedTable } from './migrations.js';

/**
 * Read models: what the decisions read on every request (address book, revocation list, policies, index
 * entries and consents per patient) is kept in memory, and stays coherent with the store. Each watched
 * table has a version in `store_changes`, bumped by a trigger in the same transaction as every write to
 * it (migration 004). Before a copy is used, the versions are checked against the store (one prepared
 * statement, a few microseconds): a write committed by this process or by any other process sharing the
 * store is therefore seen before the next decision, never after (docs/decisions.md, 19).
 */
const watches = new WeakMap<object, ChangeWatch>();

/** The one watch of a store, shared by every read model on it. */
export function createChangeWatch(db: Kysely<LspDatabase>): ChangeWatch {
  let watch = watches.get(db);
  if (watch === undefined) {
    watch = dialectOf(db) === 'postgres' ? watchPostgres(db) : watchStore(db);
    watches.set(db, watch);
  }
  return watch;
}

function watchStore(db: Kysely<LspDatabase>) {
  const raw = rawSqlite(db);
  const read = raw.prepare('SELECT name, version FROM store_changes');
  // SQLite's data_version changes when another connection (another process) committed; total_changes
  // when this connection wrote. While neither moved, the counters cannot have moved either, and the
  // last reading stands: one cheap statement instead of a table read for each lookup of a request.
  const moved = raw.prepare('SELECT data_version, total_changes() FROM pragma_data_version').raw();
  let last: unknown[] = [];
  let versions = new Map<WatchedTable, number>();
  return {
    /** The current version of every watched table, as committed in the store now. */
    versions(): Map<WatchedTable, number> {
      const now = moved.get() as unknown[];
      if (now[0] !== last[0] || now[1] !== last[1] || versions.size === 0) {
        versions = new Map();
        for (const r of read.all() as { name: WatchedTable; version: number }[]) versions.set(r.name, r.version);
        last = now;
      }
      return versions;
    },
  };
}

/**
 * On PostgreSQL the counters are read with one query per decision (no data_version to skip it): calls made
 * in the same turn of the event loop share a query sent after all of them, so none is answered from a read
 * that began before it asked. Counters only grow: the highest seen per table stands, whatever order
 * concurrent reads come back in.
 */
function watchPostgres(db: Kysely<LspDatabase>) {
  const read = prepare<{ name: WatchedTable; version: number }>(db, 'SELECT name, version FROM store_changes');
  const versions = new Map<WatchedTable, number>();
  let batch: Promise<Map<WatchedTable, number>> | undefined;
  return {
    versions(): Promise<Map<WatchedTable, number>> {
      batch ??= Promise.resolve().then(async () => {
        batch = undefined;
        for (const r of await read.all()) versions.set(r.name, Math.max(r.version, versions.get(r.name) ?? -1));
        return versions;
      });
      return batch;
    },
  };
}
export interface ChangeWatch {
  versions(): Map<WatchedTable, number> | Promise<Map<WatchedTable, number>>;
}

/** A value loaded from the store, loaded again only when one of its tables changed since. */
export function readModel<T>(watch: ChangeWatch, tables: WatchedTable[], load: () => T | Promise<T>) {
  let value: T | undefined;
  let seen = '';
  return {
    async get(): Promise<T> {
      const versions = await watch.versions();
      const now = tables.map((t) => versions.get(t) ?? -1).join(',');
      if (value === undefined || now !== seen) {
        const loaded = await load();
        // Kept only while the counters stayed where they were read (another load may have moved them on).
        if (now === tables.map((t) => versions.get(t) ?? -1).join(',')) {
          value = loaded;
          seen = now;
        }
        return loaded;
      }
      return value;
    },
  };
}

/**
 * Values per key (a patient's index entries or consents), loaded on first use and kept while their
 * table is unchanged; any write to the table drops them all (a write names no key we could trust for
 * every reader). At most `max` keys are kept, the oldest dropped first.
 */
export function keyedReadModel<T>(
  watch: ChangeWatch,
  tables: WatchedTable[],
  load: (key: string) => T | Promise<T>,
  max = 50_000,
) {
  const values = new Map<string, T>();
  let seen = '';
  return {
    async get(key: string): Promise<T> {
      const versions = await watch.versions();
      const now = tables.map((t) => versions.get(t) ?? -1).join(',');
      if (now !== seen) {
        values.clear();
        seen = now;
      }
      let value = values.get(key);
      if (value === undefined) {
        value = await load(key);
        // A write seen by another lookup while this one loaded: the value may predate it, so it is not kept.
        if (seen !== now) return value;
        if (values.size >= max) values.delete(values.keys().next().value as string);
        values.set(key, value);
      }
      return value;
    },
  };
}
