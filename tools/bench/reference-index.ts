import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStore, type Kysely } from '@schakel/service-kit';
import { migrations, type LspDatabase } from '@schakel/lsp';
import { syntheticBsn, SYNTHETIC_BSN_LIMIT } from './synthetic-bsns.js';
import { addSystems, createIndexLoader, SYSTEMS, withoutChangeCounters } from './national.js';

export interface IndexStep {
  patients: number;
  entries: number;
  /** Rows per second of the bulk load that grew the index to this size (national.ts's bulk load, 50k-patient transactions). */
  seedRowsPerS: number;
  seedSeconds: number;
  fileBytes: number;
  /** The query the switch point runs, through Kysely as the switch point does. */
  lookupMs: { p50: number; p99: number; max: number };
  /** The same SQL on a prepared better-sqlite3 statement: what SQLite itself costs. */
  sqlLookupMs: { p50: number; p99: number; max: number };
  lookups: number;
  queryPlan: string[];
}

export interface IndexBenchResult {
  systems: number;
  entriesPerPatient: number;
  steps: IndexStep[];
  /** Lookup p99 at the largest size up to 1M over that at the smallest (target <= 2 from 10k to 1M). */
  p99Growth: number;
}

const BATCH = 50_000;

/**
 * Exactly the query of services/lsp/src/reference-index.ts (its prepared `select`, all of one patient's
 * entries), through Kysely; the switch point keeps the answer per BSN in memory (read-model.ts), which a
 * random lookup at this scale would rarely hit. Keep the two in step.
 */
function entriesQuery(db: Kysely<LspDatabase>, bsn: string) {
  return db
    .selectFrom('index_entries as i')
    .innerJoin('systems as s', 's.application_id', 'i.application_id')
    .select([
      'i.bsn',
      'i.category',
      'i.application_id',
      'i.registered_at',
      'i.reason',
      's.ura',
      's.organisation_name',
      's.organisation_type',
      's.base_url',
      's.wire',
    ])
    .where('i.bsn', '=', bsn)
    .orderBy('i.application_id');
}

/** Deterministic pseudo-random numbers (mulberry32), so every run looks up the same patients. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function percentiles(samples: number[]): { p50: number; p99: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const r = (n: number) => Math.round(n * 1000) / 1000;
  return { p50: r(at(0.5)), p99: r(at(0.99)), max: r(sorted.at(-1) ?? 0) };
}

/**
 * The reference index at growing size in one SQLite file with the switch point's own schema: bulk-load
 * up to each size, then time random lookups of registered patients with the switch point's query.
 */
export async function runIndexBench(
  sizes: number[],
  lookups: number,
  log: (line: string) => void,
): Promise<IndexBenchResult> {
  const largest = Math.max(...sizes);
  if (largest > SYNTHETIC_BSN_LIMIT) throw new Error(`At most ${SYNTHETIC_BSN_LIMIT} patients are supported`);
  const dir = mkdtempSync(join(tmpdir(), 'schakel-bench-index-'));
  const file = join(dir, 'lsp.sqlite');
  try {
    // The schema comes from the switch point's migrations, so the index and its primary key are the real ones.
    await (await openStore<LspDatabase>({ database: file, migrations })).destroy();
    const raw = new Database(file);
    raw.pragma('synchronous = NORMAL');
    const registeredAt = new Date().toISOString();
    addSystems(raw, 'http', registeredAt);
    // The same bulk load as the national seed (national.ts), in 50k-patient transactions.
    const loader = createIndexLoader(raw, registeredAt);

    const steps: IndexStep[] = [];
    let patients = 0;
    let entries = 0;
    for (const size of [...sizes].sort((a, b) => a - b)) {
      log(`reference index: loading ${patients.toLocaleString('en')} -> ${size.toLocaleString('en')} patients ...`);
      const t0 = performance.now();
      const rows = withoutChangeCounters(raw, () => {
        let added = 0;
        for (let from = patients; from < size; from += BATCH)
          added += loader.loadPatients(from, Math.min(size, from + BATCH));
        return added;
      });
      raw.pragma('wal_checkpoint(TRUNCATE)');
      const seedSeconds = (performance.now() - t0) / 1000;
      patients = size;
      entries += rows;
      raw.pragma('optimize');

      const db = await openStore<LspDatabase>({ database: file, migrations });
      try {
        const compiled = entriesQuery(db, syntheticBsn(0)).compile();
        const statement = raw.prepare(compiled.sql);
        if (JSON.stringify(compiled.parameters) !== JSON.stringify([syntheticBsn(0)]))
          throw new Error(`Unexpected query parameters: ${JSON.stringify(compiled.parameters)}`);
        const plan = (
          raw.prepare(`EXPLAIN QUERY PLAN ${compiled.sql}`).all(...compiled.parameters) as { detail: string }[]
        ).map((r) => r.detail);
        const pick = random(size);
        const bsns = Array.from({ length: lookups }, () => syntheticBsn(Math.floor(pick() * size)));
        // Warm-up: JIT and the first touch of each code path; the page cache is warm from the load anyway.
        for (const bsn of bsns.slice(0, 1_000)) await entriesQuery(db, bsn).execute();
        const viaKysely: number[] = [];
        for (const bsn of bsns) {
          const s = performance.now();
          const found = await entriesQuery(db, bsn).execute();
          viaKysely.push(performance.now() - s);
          if (found.length === 0) throw new Error(`${bsn} is not in the index`);
        }
        const viaSql: number[] = [];
        for (const bsn of bsns) {
          const s = performance.now();
          statement.all(bsn);
          viaSql.push(performance.now() - s);
        }
        steps.push({
          patients,
          entries,
          seedRowsPerS: Math.round(rows / seedSeconds),
          seedSeconds: Math.round(seedSeconds * 10) / 10,
          fileBytes: statSync(file).size,
          lookupMs: percentiles(viaKysely),
          sqlLookupMs: percentiles(viaSql),
          lookups,
          queryPlan: plan,
        });
      } finally {
        await db.destroy();
      }
    }
    raw.close();
    const first = steps[0]?.lookupMs.p99 ?? 0;
    const last = steps.filter((s) => s.patients <= 1_000_000).at(-1)?.lookupMs.p99 ?? 0;
    return {
      systems: SYSTEMS,
      entriesPerPatient: Math.round((entries / Math.max(1, patients)) * 100) / 100,
      steps,
      p99Growth: Math.round((last / Math.max(0.001, first)) * 100) / 100,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
