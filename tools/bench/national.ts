import Database from 'better-sqlite3';
import { openStore } from '@schakel/service-kit';
import { migrations, type LspDatabase } from '@schakel/lsp';
import { syntheticBsn, SYNTHETIC_BSN_LIMIT } from './synthetic-bsns.js';

export interface NationalSeed {
  patients: number;
  entries: number;
  systems: number;
  seconds: number;
  rowsPerS: number;
  /** CPU seconds of this process during the load: robust where wall time is not (a shared machine). */
  cpuSeconds: number;
}

/** Community pharmacies in the Netherlands, roughly; each patient is registered at one or two of them. */
export const SYSTEMS = 2_000;
export const CATEGORY = 'MEDVERSTREKKING';

export const applicationIdOf = (n: number) => String(200_000 + n);

/** Patient i is at pharmacy i mod SYSTEMS, and every second patient also at a second, scattered one (in key order). */
export function registrationsOf(i: number): number[] {
  const first = i % SYSTEMS;
  if (i % 2 === 1) return [first];
  const second = (i * 7_919 + 1) % SYSTEMS;
  if (second === first) return [first];
  return first < second ? [first, second] : [second, first];
}

/** The address book of the national index: SYSTEMS pharmacies at `scheme`://127.0.0.1:10000+n. */
export function addSystems(raw: Database.Database, scheme: 'http' | 'https', registeredAt: string): void {
  const add = raw.prepare(
    'INSERT INTO systems (application_id, ura, organisation_name, organisation_type, base_url, provides, registered_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  raw.transaction(() => {
    for (let n = 0; n < SYSTEMS; n++)
      add.run(
        applicationIdOf(n),
        String(2_000_000 + n).padStart(8, '0'),
        `Apotheek ${n}`,
        'J8',
        `${scheme}://127.0.0.1:${10_000 + n}`,
        `["${CATEGORY}"]`,
        registeredAt,
      );
  })();
}

/** Entries per INSERT statement, and the width of one entry in its blob: 9 BSN digits, 6 application-id digits. */
const ROWS_PER_STATEMENT = 10_000;
const RECORD = 15;

/**
 * Writes reference-index entries of CATEGORY in bulk, in the order given (key order appends): each INSERT
 * takes ROWS_PER_STATEMENT entries as one blob of fixed-width records and SQLite cuts them apart, so a
 * statement binds two values instead of two per row. `loadPatients(from, to)` writes the synthetic patients
 * of that range (their one or two registrations each) in one transaction and answers the entries written.
 */
export function createIndexLoader(
  raw: Database.Database,
  registeredAt: string,
): { loadPatients(from: number, to: number): number } {
  raw.exec('CREATE TEMP TABLE IF NOT EXISTS bulk_numbers (n INTEGER PRIMARY KEY)');
  const number = raw.prepare('INSERT OR IGNORE INTO temp.bulk_numbers (n) VALUES (?)');
  raw.transaction(() => {
    for (let n = 0; n < ROWS_PER_STATEMENT; n++) number.run(n);
  })();
  const insert = raw.prepare(
    `INSERT INTO index_entries (bsn, category, application_id, registered_at)
     SELECT CAST(substr(@rows, n * ${RECORD} + 1, 9) AS TEXT), '${CATEGORY}',
            CAST(substr(@rows, n * ${RECORD} + 10, 6) AS TEXT), @registeredAt
       FROM temp.bulk_numbers WHERE n < @count ORDER BY n`,
  );
  const rows = Buffer.alloc(ROWS_PER_STATEMENT * RECORD);
  let count = 0;
  function flush(): void {
    if (count === 0) return;
    insert.run({ rows: count === ROWS_PER_STATEMENT ? rows : rows.subarray(0, count * RECORD), count, registeredAt });
    count = 0;
  }
  function add(bsn: string, applicationId: string): void {
    if (bsn.length !== 9 || applicationId.length !== 6) throw new Error('Bulk entries are 9 + 6 digits wide');
    // Digits are ASCII: a loop in JavaScript is cheaper than two Buffer.write calls per entry.
    const at = count * RECORD;
    for (let k = 0; k < 9; k++) rows[at + k] = bsn.charCodeAt(k);
    for (let k = 0; k < 6; k++) rows[at + 9 + k] = applicationId.charCodeAt(k);
    if (++count === ROWS_PER_STATEMENT) flush();
  }
  const loadPatients = raw.transaction((from: number, to: number): number => {
    let entries = 0;
    for (let i = from; i < to; i++) {
      const bsn = syntheticBsn(i);
      for (const n of registrationsOf(i)) {
        add(bsn, applicationIdOf(n));
        entries++;
      }
    }
    flush();
    return entries;
  });
  return { loadPatients };
}

/**
 * Runs `load` with the change-counter triggers of the address book and the index dropped (they would add
 * an UPDATE per row), creates them again from their own SQL and bumps both counters once, so a process
 * already holding the store sees the change.
 */
export function withoutChangeCounters<T>(raw: Database.Database, load: () => T): T {
  const triggers = raw
    .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('systems', 'index_entries')")
    .all() as { name: string; sql: string }[];
  for (const t of triggers) raw.exec(`DROP TRIGGER ${t.name}`);
  try {
    return load();
  } finally {
    for (const t of triggers) raw.exec(t.sql);
    raw.exec("UPDATE store_changes SET version = version + 1 WHERE name IN ('systems', 'index_entries')");
  }
}

/**
 * A switch-point store with a national-scale reference index, written before the switch point starts
 * (issue #15, `--national`): 2,000 systems in the address book and `patients` synthetic patients at one or
 * two of them (1.5 entries each), as an import sorted by BSN would load them.
 *
 * Bulk load: the file is new, so nothing is lost if the load fails (journal off, no fsync until the end);
 * rows go in BSN order, so the key's B-tree only ever appends; the change-counter triggers are dropped for
 * the load (withoutChangeCounters). What made it fast, measured at 2M patients (3M entries) in CPU
 * seconds of the load on the shared 2-core machine (load average 6-19, so +-20 % between runs; table and
 * commands in docs/performance.md, "The routed query at national scale"):
 * - one INSERT per row through better-sqlite3, as before: 10.0-13.6 s. The call per row dominates: a
 *   WITHOUT ROWID table alone changes nothing then (10.6 s);
 * - 250 rows per INSERT (VALUES lists): 5.8 s on the rowid table, 4.2-5.8 s WITHOUT ROWID;
 * - WITHOUT ROWID (migration 007: one B-tree per entry instead of the table and its key index) and
 *   10,000 entries per INSERT as one blob of fixed-width records: 3.0-5.2 s, kept. The INSERTs alone are
 *   3.2 s of it, generating the BSNs 0.4 s; copying the finished table with one INSERT ... SELECT, the
 *   floor of SQLite's B-tree work, takes 2.6 s. 20M patients: 43.3 CPU s (load average 13).
 * Rejected: page_size 16384 / 65536 (4.3 / 4.8 s against 4.4), locking_mode EXCLUSIVE with temp_store
 * MEMORY (4.6 s), the rows as JSON through json_each (6.6 s), a recursive CTE instead of the table of
 * numbers (5.6 s), building in memory and VACUUM INTO the file (3.5 s against 3.0: the copy is a second
 * load, and 20M patients would need 2.4 GB of memory), worker threads generating rows (at most the 0.4 s
 * of generation, about 10 %, from a second core that the write already shares).
 */
export async function seedNationalIndex(file: string, patients: number): Promise<NationalSeed> {
  if (patients > SYNTHETIC_BSN_LIMIT) throw new Error(`At most ${SYNTHETIC_BSN_LIMIT} patients are supported`);
  await (await openStore<LspDatabase>({ database: file, migrations })).destroy();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const raw = new Database(file);
  raw.pragma('journal_mode = OFF');
  raw.pragma('synchronous = OFF');
  raw.pragma('cache_size = -262144');
  const registeredAt = new Date().toISOString();
  const entries = withoutChangeCounters(raw, () => {
    addSystems(raw, 'https', registeredAt);
    const loader = createIndexLoader(raw, registeredAt);
    let rows = 0;
    const BATCH = 1_000_000;
    for (let from = 0; from < patients; from += BATCH)
      rows += loader.loadPatients(from, Math.min(patients, from + BATCH));
    return rows;
  });
  raw.pragma('optimize');
  raw.close();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return {
    patients,
    entries,
    systems: SYSTEMS,
    seconds: Math.round(seconds * 10) / 10,
    rowsPerS: Math.round(entries / seconds),
    cpuSeconds: Math.round((cpu.user + cpu.system) / 100_000) / 10,
  };
}
