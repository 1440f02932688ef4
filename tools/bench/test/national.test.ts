import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { openStore } from '@schakel/service-kit';
import { createReferenceIndex, migrations, type LspDatabase } from '@schakel/lsp';
import { applicationIdOf, CATEGORY, registrationsOf, seedNationalIndex } from '../national.js';
import { syntheticBsn } from '../synthetic-bsns.js';

const dir = mkdtempSync(join(tmpdir(), 'schakel-national-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('seedNationalIndex()', () => {
  it('writes a store that the switch point opens with its migrations and answers lookups from', async () => {
    const file = join(dir, 'lsp.sqlite');
    const patients = 10_000;
    const seed = await seedNationalIndex(file, patients);
    let planned = 0;
    for (let i = 0; i < patients; i++) planned += registrationsOf(i).length;
    expect(seed).toMatchObject({ patients, entries: planned, systems: 2_000 });

    const db = await openStore<LspDatabase>({ database: file, migrations });
    try {
      const index = createReferenceIndex(db);
      for (const i of [0, 1, 4_242, patients - 1]) {
        const found = await index.entries(syntheticBsn(i), CATEGORY);
        expect(found.map((e) => [e.bsn, e.applicationId, e.organisationName, e.reason])).toEqual(
          registrationsOf(i).map((n) => [syntheticBsn(i), applicationIdOf(n), `Apotheek ${n}`, 'consent']),
        );
      }
      expect(await index.entries(syntheticBsn(patients))).toEqual([]);
    } finally {
      await db.destroy();
    }

    const raw = new Database(file, { readonly: true });
    try {
      expect(raw.prepare('SELECT count(*) AS n FROM index_entries').get()).toEqual({ n: planned });
      // The change counters were dropped for the load only: other processes must see later writes again.
      const triggers = raw
        .prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'index_entries'")
        .get();
      expect(triggers).toEqual({ n: 3 });
      const plan = raw
        .prepare('EXPLAIN QUERY PLAN SELECT registered_at FROM index_entries WHERE bsn = ?')
        .all(syntheticBsn(0)) as { detail: string }[];
      expect(plan.map((r) => r.detail)).toEqual(['SEARCH index_entries USING PRIMARY KEY (bsn=?)']);
    } finally {
      raw.close();
    }
  });
});
