import { randomUUID } from 'node:crypto';
import type { DataCategory } from '@schakel/contracts';
import {
  nowIso,
  openStore,
  sql,
  type Kysely,
  type Migrations,
  type OpenStoreOptions,
  type Selectable,
} from '@schakel/service-kit';

/**
 * The NVI (national referral index) of the new model: which holder registered data of which category on
 * which patient, as List resources. A store of its own (its own file or schema), and it holds no BSN: patients are
 * known here by the pseudonym the pseudonym service made for the NVI (pseudonym-service.ts). A test scans
 * the file for every BSN used (tests/fhir-nvi.test.ts).
 */
export interface NviDatabase {
  nvi_lists: {
    id: string;
    pseudonym: string;
    category: string;
    custodian_ura: string;
    application_id: string;
    registered_at: string;
  };
}

/** Applied migrations are never edited. */
export const nviMigrations: Migrations = {
  '001-lists': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('nvi_lists')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('pseudonym', 'text', (c) => c.notNull())
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('custodian_ura', 'text', (c) => c.notNull())
        .addColumn('application_id', 'text', (c) => c.notNull())
        .addColumn('registered_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('nvi_lists_one_per_holder', ['pseudonym', 'category', 'application_id'])
        .execute();
      await db.schema.createIndex('nvi_lists_by_patient').on('nvi_lists').columns(['pseudonym', 'category']).execute();
    },
  },
};

/**
 * The NVI's own store: a SQLite file (or `:memory:`), or, beside a switch point on PostgreSQL, a schema of
 * its own in the same database (main.ts), so that every store is in PostgreSQL and every replica shares it.
 */
export const openNviStore = (database: string, postgres?: Omit<OpenStoreOptions, 'database' | 'migrations'>) =>
  openStore<NviDatabase>({ database, ...postgres, migrations: nviMigrations });

/** One registration: a holder's List for one patient (by pseudonym) and data category. */
export interface NviList {
  id: string;
  pseudonym: string;
  category: DataCategory;
  custodianUra: string;
  applicationId: string;
  registeredAt: string;
}
export type NviRegistration = Omit<NviList, 'id' | 'registeredAt'>;

const toList = (r: Selectable<NviDatabase['nvi_lists']>): NviList => ({
  id: r.id,
  pseudonym: r.pseudonym,
  category: r.category as DataCategory,
  custodianUra: r.custodian_ura,
  applicationId: r.application_id,
  registeredAt: r.registered_at,
});

/** A change the NVI refuses as a whole: which entry, and why. */
export class NviChangeRefused extends Error {
  constructor(
    readonly index: number,
    readonly reason: 'not-found' | 'not-yours',
  ) {
    super(`entry ${index}: ${reason}`);
  }
}

export function createNviStore(db: Kysely<NviDatabase>) {
  const find = (r: NviRegistration, trx: Kysely<NviDatabase> = db) =>
    trx
      .selectFrom('nvi_lists')
      .selectAll()
      .where('pseudonym', '=', r.pseudonym)
      .where('category', '=', r.category)
      .where('application_id', '=', r.applicationId)
      .executeTakeFirst();
  return {
    /**
     * Registers and deregisters in one transaction, all or none. A registration that is already there is
     * kept (created: false): the NVI takes creates and deletes, never updates. A deregistration names a
     * List by id, or by what it is (own lists only); one that is not there, or not the holder's, refuses all.
     */
    async change(
      applicationId: string,
      changes: (
        | { kind: 'create'; list: NviRegistration }
        | { kind: 'delete'; id: string }
        | { kind: 'delete-matching'; pseudonym: string; category?: DataCategory | undefined }
      )[],
    ): Promise<({ kind: 'created' | 'exists'; list: NviList } | { kind: 'deleted'; count: number })[]> {
      return db.transaction().execute(async (trx) => {
        const out: ({ kind: 'created' | 'exists'; list: NviList } | { kind: 'deleted'; count: number })[] = [];
        for (const [index, change] of changes.entries()) {
          if (change.kind === 'create') {
            const existing = await find(change.list, trx);
            if (existing !== undefined) {
              out.push({ kind: 'exists', list: toList(existing) });
              continue;
            }
            const list: NviList = { ...change.list, id: randomUUID(), registeredAt: nowIso() };
            await trx
              .insertInto('nvi_lists')
              .values({
                id: list.id,
                pseudonym: list.pseudonym,
                category: list.category,
                custodian_ura: list.custodianUra,
                application_id: list.applicationId,
                registered_at: list.registeredAt,
              })
              .execute();
            out.push({ kind: 'created', list });
          } else if (change.kind === 'delete') {
            const row = await trx.selectFrom('nvi_lists').selectAll().where('id', '=', change.id).executeTakeFirst();
            if (row === undefined) throw new NviChangeRefused(index, 'not-found');
            if (row.application_id !== applicationId) throw new NviChangeRefused(index, 'not-yours');
            await trx.deleteFrom('nvi_lists').where('id', '=', change.id).execute();
            out.push({ kind: 'deleted', count: 1 });
          } else {
            let q = trx
              .deleteFrom('nvi_lists')
              .where('pseudonym', '=', change.pseudonym)
              .where('application_id', '=', applicationId);
            if (change.category !== undefined) q = q.where('category', '=', change.category);
            const r = await q.executeTakeFirst();
            out.push({ kind: 'deleted', count: Number(r.numDeletedRows) });
          }
        }
        return out;
      });
    },
    /** The Lists on one patient (by the NVI's pseudonym), of these categories. */
    async search(pseudonym: string, categories: readonly DataCategory[]): Promise<NviList[]> {
      if (categories.length === 0) return [];
      const rows = await db
        .selectFrom('nvi_lists')
        .selectAll()
        .where('pseudonym', '=', pseudonym)
        .where('category', 'in', categories)
        .orderBy('application_id')
        .orderBy('category')
        .execute();
      return rows.map(toList);
    },
    /** How many Lists there are (for the operator's view and tests). */
    async count(): Promise<number> {
      const r = await sql<{ n: number | string }>`SELECT count(*) AS n FROM nvi_lists`.execute(db);
      // PostgreSQL's count is a bigint, which node-postgres hands over as a string.
      return Number(r.rows[0]?.n ?? 0);
    },
  };
}
export type NviStore = ReturnType<typeof createNviStore>;
