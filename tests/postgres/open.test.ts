import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onPostgres, openStore, type Kysely } from '@schakel/service-kit';
import { consultMigration, reportMigration, type ConsultDatabase } from '@schakel/consult';
import { ON_POSTGRES, freshDatabase } from './database.js';

// Processes of one organisation starting at the same moment (replicas, a worker beside its service) open
// one new schema together: each creates it if missing and applies the migrations, and all of them start.
const migrations = { '001-consults': consultMigration, '002-reports': reportMigration };
let database: Awaited<ReturnType<typeof freshDatabase>>;

beforeAll(async () => {
  if (ON_POSTGRES) database = await freshDatabase();
});
afterAll(async () => {
  if (ON_POSTGRES) await database.drop();
});

describe.skipIf(!ON_POSTGRES)('opening one new PostgreSQL schema from several processes at once', () => {
  it('creates the schema and applies the migrations once, and every store opens', async () => {
    const stores: Kysely<ConsultDatabase>[] = await Promise.all(
      Array.from({ length: 6 }, () =>
        openStore<ConsultDatabase>({ database: ':memory:', url: database.url, schema: 'ambulance', migrations }),
      ),
    );
    try {
      const recorded = await onPostgres(database.url, (query) =>
        query('SELECT name FROM ambulance.kysely_migration ORDER BY name'),
      );
      expect(recorded).toEqual(Object.keys(migrations).map((name) => ({ name })));
      for (const store of stores) expect(await store.selectFrom('consults').select('id').execute()).toEqual([]);
    } finally {
      await Promise.all(stores.map((s) => s.destroy()));
    }
  });
});
