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
}

/** Community pharmacies in the Netherlands, roughly; each patient is registered at one or two of them. */
const SYSTEMS = 2_000;
const CATEGORY = 'MEDVERSTREKKING';

/**
 * A switch-point store with a national-scale reference index, written before the switch point starts
 * (issue #15, `--national`): 2,000 systems in the address book and `patients` synthetic patients at one or
 * two of them (1.5 entries each), as an import sorted by BSN would load them.
 *
 * Bulk load: the file is new, so nothing is lost if the load fails (journal off, no fsync until the end);
 * rows go in BSN order, so the table's key index only ever appends (its unique constraint cannot be built
 * after, it is part of the table); the change-counter triggers of the watched tables are dropped for the
 * load and created again from their own SQL afterwards, with the counters bumped once. (Generating the
 * rows inside SQLite from a table of BSNs was measured no faster: the time is SQLite's B-tree work.)
 */
export async function seedNationalIndex(file: string, patients: number): Promise<NationalSeed> {
  if (patients > SYNTHETIC_BSN_LIMIT) throw new Error(`At most ${SYNTHETIC_BSN_LIMIT} patients are supported`);
  await (await openStore<LspDatabase>({ database: file, migrations })).destroy();
  const t0 = performance.now();
  const raw = new Database(file);
  raw.pragma('journal_mode = OFF');
  raw.pragma('synchronous = OFF');
  raw.pragma('cache_size = -262144');
  const triggers = raw
    .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('systems', 'index_entries')")
    .all() as { name: string; sql: string }[];
  for (const t of triggers) raw.exec(`DROP TRIGGER ${t.name}`);
  const registeredAt = new Date().toISOString();
  const addSystem = raw.prepare(
    'INSERT INTO systems (application_id, ura, organisation_name, organisation_type, base_url, provides, registered_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  raw.transaction(() => {
    for (let n = 0; n < SYSTEMS; n++)
      addSystem.run(
        String(200_000 + n),
        String(2_000_000 + n).padStart(8, '0'),
        `Apotheek ${n}`,
        'J8',
        `https://127.0.0.1:${10_000 + n}`,
        `["${CATEGORY}"]`,
        registeredAt,
      );
  })();
  const addEntry = raw.prepare(
    `INSERT INTO index_entries (bsn, category, application_id, registered_at) VALUES (?, '${CATEGORY}', ?, ?)`,
  );
  let entries = 0;
  const load = raw.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const bsn = syntheticBsn(i);
      const first = i % SYSTEMS;
      const second = (i * 7_919 + 1) % SYSTEMS;
      const [a, b] = first < second ? [first, second] : [second, first];
      if (i % 2 === 1 || first === second) addEntry.run(bsn, String(200_000 + first), registeredAt);
      else {
        addEntry.run(bsn, String(200_000 + a), registeredAt);
        addEntry.run(bsn, String(200_000 + b), registeredAt);
      }
      entries += i % 2 === 1 || first === second ? 1 : 2;
    }
  });
  const BATCH = 200_000;
  for (let from = 0; from < patients; from += BATCH) load(from, Math.min(patients, from + BATCH));
  for (const t of triggers) raw.exec(t.sql);
  raw.exec("UPDATE store_changes SET version = version + 1 WHERE name IN ('systems', 'index_entries')");
  raw.pragma('optimize');
  raw.close();
  const seconds = (performance.now() - t0) / 1000;
  return {
    patients,
    entries,
    systems: SYSTEMS,
    seconds: Math.round(seconds * 10) / 10,
    rowsPerS: Math.round(entries / seconds),
  };
}
