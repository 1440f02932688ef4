import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, sql } from '@schakel/service-kit';
import { migrations, type LspDatabase } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'schakel-lsp-migrations-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('migration 007-index-entries-without-rowid', () => {
  it('keeps every entry of an existing store, and its change counter still moves on a write', async () => {
    const file = join(dir, 'lsp.sqlite');
    const before = Object.fromEntries(
      Object.entries(migrations).filter(([name]) => name < '007-index-entries-without-rowid'),
    );
    const old = await openStore<LspDatabase>({ database: file, migrations: before });
    const entry = (bsn: string, applicationId: string, reason: string) => ({
      bsn,
      category: 'MEDVERSTREKKING',
      application_id: applicationId,
      registered_at: '2026-12-03T12:00:00.000Z',
      reason,
    });
    await old
      .insertInto('index_entries')
      .values([entry('999990019', '200001', 'consent'), entry('999990019', '200002', 'corona-opt-in')])
      .execute();
    await old.destroy();

    const db = await openStore<LspDatabase>({ database: file, migrations });
    try {
      const { rows } = await sql<{ sql: string }>`
        SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'index_entries'`.execute(db);
      expect(rows[0]?.sql).toMatch(/WITHOUT ROWID$/);
      expect(await db.selectFrom('index_entries').selectAll().orderBy('application_id').execute()).toEqual([
        entry('999990019', '200001', 'consent'),
        entry('999990019', '200002', 'corona-opt-in'),
      ]);
      const version = async () =>
        (await db.selectFrom('store_changes').select('version').where('name', '=', 'index_entries').executeTakeFirst())
          ?.version;
      const was = await version();
      await db.deleteFrom('index_entries').where('application_id', '=', '200001').execute();
      expect(await version()).toBe((was ?? 0) + 1);
    } finally {
      await db.destroy();
    }
  });
});
