import { z } from 'zod';
import { Bsn } from '@schakel/contracts';
import { pick, type RoutePlugin } from './app.js';
import {
  dialectOf,
  nowIso,
  queryBuilder,
  rawSqlite,
  type Generated,
  type Kysely,
  type QueryRunner,
  type Selectable,
} from './store.js';
import { groupCommit } from './group-commit.js';

/**
 * Every connected system (GBZ) keeps its own log of what it answered the switch point: which interaction,
 * for which patient, asked by whom (organisation, acting professional), under which AORTA-ID, and what it
 * gave (a count or a status, never the content). Shared by the pharmacy and the GP system.
 */
export interface SourceLogTable {
  query_log: {
    id: Generated<number>;
    at: string;
    interaction: string;
    initial_request_id: string;
    request_id: string;
    bsn: string;
    requester_ura: string;
    acting_uzi: string;
    acting_role: string;
    result: string;
  };
}

/** For a service's migration: the query_log table. */
export async function createSourceLogTable(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('query_log')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('interaction', 'text', (c) => c.notNull())
    .addColumn('initial_request_id', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('bsn', 'text', (c) => c.notNull())
    .addColumn('requester_ura', 'text', (c) => c.notNull())
    .addColumn('acting_uzi', 'text', (c) => c.notNull())
    .addColumn('acting_role', 'text', (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull())
    .execute();
}

export interface SourceLogEvent {
  interaction: string;
  aorta: { initialRequestId: string; requestId: string };
  bsn: string;
  requesterUra: string;
  acting: { uziNumber: string; roleCode: string };
  result: string;
}

export const SourceLogEntry = z
  .object({
    id: z.number(),
    at: z.string(),
    interaction: z.string(),
    initialRequestId: z.string(),
    requestId: z.string(),
    bsn: z.string(),
    requesterUra: z.string(),
    actingUzi: z.string(),
    actingRole: z.string(),
    result: z.string(),
  })
  .meta({ id: 'SourceQueryLogEntry' });
export type SourceLogEntry = z.infer<typeof SourceLogEntry>;

const toEntry = (r: Selectable<SourceLogTable['query_log']>): SourceLogEntry => ({
  id: r.id,
  at: r.at,
  interaction: r.interaction,
  initialRequestId: r.initial_request_id,
  requestId: r.request_id,
  bsn: r.bsn,
  requesterUra: r.requester_ura,
  actingUzi: r.acting_uzi,
  actingRole: r.acting_role,
  result: r.result,
});

type Row = Omit<SourceLogTable['query_log'], 'id'>;

/**
 * The log in the service's own store (any store opened with openStore whose migrations created query_log).
 * Every routed query writes one entry before it answers, so the entries of concurrent requests are
 * committed together (group-commit.ts): on SQLite one transaction of a prepared insert, on PostgreSQL one
 * multi-row insert. `write` resolves once its entry is committed.
 */
export function createSourceLog(store: QueryRunner) {
  const q = queryBuilder<SourceLogTable>(store);
  const insertAll: (rows: Row[]) => Promise<void> =
    dialectOf(store) === 'postgres'
      ? async (rows) => {
          await store.executeQuery(q.insertInto('query_log').values(rows));
        }
      : sqliteInsertAll(store);
  // Nothing to answer per entry but that it is committed.
  const append = groupCommit(async (rows: Row[]) => {
    await insertAll(rows);
    return rows.map(() => undefined);
  });
  return {
    write(e: SourceLogEvent): Promise<void> {
      return append({
        at: nowIso(),
        interaction: e.interaction,
        initial_request_id: e.aorta.initialRequestId,
        request_id: e.aorta.requestId,
        bsn: e.bsn,
        requester_ura: e.requesterUra,
        acting_uzi: e.acting.uziNumber,
        acting_role: e.acting.roleCode,
        result: e.result,
      });
    },
    async list(bsn?: string): Promise<SourceLogEntry[]> {
      let select = q.selectFrom('query_log').selectAll();
      if (bsn !== undefined) select = select.where('bsn', '=', bsn);
      return (await store.executeQuery(select.orderBy('id'))).rows.map(toEntry);
    },
  };
}
export type SourceLog = ReturnType<typeof createSourceLog>;

function sqliteInsertAll(store: object): (rows: Row[]) => Promise<void> {
  const raw = rawSqlite(store);
  const insert = raw.prepare(
    `INSERT INTO query_log (at, interaction, initial_request_id, request_id, bsn, requester_ura, acting_uzi, acting_role, result)
     VALUES (@at, @interaction, @initial_request_id, @request_id, @bsn, @requester_ura, @acting_uzi, @acting_role, @result)`,
  );
  const insertAll = raw.transaction((rows: Row[]) => {
    for (const row of rows) insert.run(row);
  });
  return async (rows) => insertAll(rows);
}

/** The front office's view of the log. */
export const sourceLogRoutes: RoutePlugin<{ log: SourceLog }> = async (app, { log }) => {
  app.get(
    '/query-log',
    {
      schema: {
        tags: ['switch point'],
        summary: 'Every query and delivery this system answered for the switch point (its own access log)',
        querystring: z.object({ bsn: Bsn.optional() }).strict(),
        response: { 200: z.object({ entries: z.array(SourceLogEntry) }), ...pick(400) },
      },
    },
    async (request) => ({ entries: await log.list(request.query.bsn) }),
  );
};
