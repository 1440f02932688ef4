import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, rawSqlite, type Kysely, type Migrations } from '@schakel/service-kit';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const tableMigration = (name: string) => ({
  up: async (db: Kysely<unknown>) => {
    await db.schema
      .createTable(name)
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .execute();
  },
});
const tables = (db: object) =>
  (
    rawSqlite(db).prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
      name: string;
    }[]
  ).map((t) => t.name);

describe('openStore', () => {
  it('applies the migrations to a new store, skips the migrator when all are applied, and applies a new one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'schakel-store-'));
    dirs.push(dir);
    const database = join(dir, 'x.sqlite');
    const first: Migrations = { '001_a': tableMigration('a') };
    const db1 = await openStore({ database, migrations: first });
    expect(tables(db1)).toEqual(['a', 'kysely_migration', 'kysely_migration_lock']);
    // Only the migrator creates its lock table: gone, it stays gone when nothing is left to migrate.
    rawSqlite(db1).exec('DROP TABLE kysely_migration_lock');
    await db1.destroy();

    const db2 = await openStore({ database, migrations: first });
    expect(tables(db2)).toEqual(['a', 'kysely_migration']);
    await db2.destroy();

    const db3 = await openStore({ database, migrations: { ...first, '002_b': tableMigration('b') } });
    expect(tables(db3)).toEqual(['a', 'b', 'kysely_migration', 'kysely_migration_lock']);
    await db3.destroy();
  });
});
