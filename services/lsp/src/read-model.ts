import { dialectOf, prepare, rawSqlite, type Kysely } from '@schakel/service-kit';
import type { LspDatabase, WatchedTable } from './migrations.js';

/**
 * Read models: what the decisions read on every request (address book, revocation list, policies, index
 * entries and consents per patient) is kept in memory, and stays coherent with the store. Each watched
 * table has a version in `store_changes`, bumped by a trigger in the same transaction as every write to
 * it (migration 004). Before a copy is used, the watch checks whether they can have moved: SQLite's
 * data_version for commits of other processes (one prepared statement, about a microsecond), a counter
 * bumped by a connection-local trigger for this process's own writes; only then are the versions read
 * again. A write committed by this process or by any other process sharing the store is therefore seen
 * before the next decision, never after (docs/decisions.md, 19). On PostgreSQL the counters are read for
 * every decision (watchPostgres).
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

function watchStore(db: Kysely<LspDatabase>): ChangeWatch {
  const raw = rawSqlite(db);
  const read = raw.prepare('SELECT name, version FROM store_changes');
  // Another connection (another process) committed: SQLite's data_version moved. One cheap statement;
  // unlike total_changes() it does not move with this process's own access-log and replay writes.
  const dataVersion = raw.prepare('SELECT data_version FROM pragma_data_version').pluck();
  // This connection wrote a watched table: its trigger bumped store_changes, and a TEMP trigger (this
  // connection's only, not in the file) counts that here, in the writing statement itself.
  let ownWrites = 0;
  raw.function('schakel_watched_write', { deterministic: false }, () => {
    ownWrites++;
    return null;
  });
  raw.exec(
    'CREATE TEMP TRIGGER IF NOT EXISTS schakel_watched_write AFTER UPDATE ON main.store_changes BEGIN SELECT schakel_watched_write(); END',
  );
  let seenData: unknown;
  let seenOwn = -1;
  let generation = 0;
  let versions = new Map<WatchedTable, number>();
  return {
    /**
     * The current version of every watched table, as this connection sees the store now, and a generation
     * that moves whenever they were read again. Inside an open transaction (which may still roll back)
     * they are read every time and `cacheable` is false: nothing loaded there may be kept.
     */
    check(): WatchState {
      const inTransaction = raw.inTransaction;
      const now = dataVersion.get();
      if (inTransaction || now !== seenData || ownWrites !== seenOwn) {
        versions = new Map();
        for (const r of read.all() as { name: WatchedTable; version: number }[]) versions.set(r.name, r.version);
        seenData = now;
        // After a transaction, read once more: what it bumped may have been rolled back.
        seenOwn = inTransaction ? -1 : ownWrites;
        generation++;
      }
      return { versions, generation, cacheable: !inTransaction };
    },
  };
}
/**
 * On PostgreSQL the counters are read with one query per decision (no data_version to skip it): calls made
 * in the same turn of the event loop share a query sent after all of them, so none is answered from a read
 * that began before it asked. Counters only grow: the highest seen per table stands, whatever order
 * concurrent reads come back in.
 */
function watchPostgres(db: Kysely<LspDatabase>): ChangeWatch {
  const read = prepare<{ name: WatchedTable; version: number }>(db, 'SELECT name, version FROM store_changes');
  const versions = new Map<WatchedTable, number>();
  let generation = 0;
  let batch: Promise<WatchState> | undefined;
  return {
    check(): Promise<WatchState> {
      batch ??= Promise.resolve().then(async () => {
        batch = undefined;
        for (const r of await read.all()) versions.set(r.name, Math.max(r.version, versions.get(r.name) ?? -1));
        generation++;
        return { versions, generation, cacheable: true };
      });
      return batch;
    },
  };
}
export interface WatchState {
  /** The current version of every watched table. */
  versions: Map<WatchedTable, number>;
  /** Moves whenever the versions were read again. */
  generation: number;
  /** False inside an open transaction (which may still roll back): nothing loaded there may be kept. */
  cacheable: boolean;
}
export interface ChangeWatch {
  check(): WatchState | Promise<WatchState>;
}

/**
 * The versions of `tables` now, compared with those a value was loaded at, without allocating on the hot
 * path. `epoch` moves whenever what was seen moves: a value loaded (asynchronously) while another caller
 * saw newer versions may predate them and is not kept.
 */
function tracker(watch: ChangeWatch, tables: WatchedTable[]) {
  const seen = tables.map(() => -1);
  let seenGeneration = -1;
  let epoch = 0;
  return {
    epoch: () => epoch,
    /** Whether one of the tables changed since the last call (or it cannot be known), and whether to keep what is loaded now. */
    async changed(): Promise<{ changed: boolean; cacheable: boolean }> {
      const now = await watch.check();
      if (now.generation === seenGeneration) return { changed: false, cacheable: now.cacheable };
      let changed = false;
      for (let i = 0; i < tables.length; i++) {
        const v = now.versions.get(tables[i] as WatchedTable) ?? -1;
        if (v !== seen[i]) changed = true;
        seen[i] = v;
      }
      // A reading inside a transaction is not remembered: the next call compares again.
      seenGeneration = now.cacheable ? now.generation : -1;
      if (!now.cacheable) seen.fill(-2);
      if (changed || !now.cacheable) epoch++;
      return { changed: changed || !now.cacheable, cacheable: now.cacheable };
    },
  };
}

/** A value loaded from the store, loaded again only when one of its tables changed since. */
export function readModel<T>(watch: ChangeWatch, tables: WatchedTable[], load: () => T | Promise<T>) {
  let value: T | undefined;
  const versions = tracker(watch, tables);
  return {
    async get(): Promise<T> {
      const { changed, cacheable } = await versions.changed();
      if (value === undefined || changed) {
        const epoch = versions.epoch();
        const loaded = await load();
        value = cacheable && epoch === versions.epoch() ? loaded : undefined;
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
  const versions = tracker(watch, tables);
  return {
    async get(key: string): Promise<T> {
      const { changed, cacheable } = await versions.changed();
      if (changed) values.clear();
      let value = values.get(key);
      if (value === undefined) {
        const epoch = versions.epoch();
        value = await load(key);
        if (!cacheable || epoch !== versions.epoch()) return value;
        if (values.size >= max) values.delete(values.keys().next().value as string);
        values.set(key, value);
      }
      return value;
    },
  };
}
