import { z } from 'zod';
import { Bsn } from '@schakel/contracts';
import { pick, type App } from './app.js';
import { nowIso, type Generated, type Kysely } from './store.js';

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

export function createSourceLog<DB extends SourceLogTable>(store: Kysely<DB>) {
  const db = store as unknown as Kysely<SourceLogTable>;
  return {
    async write(e: SourceLogEvent): Promise<void> {
      await db
        .insertInto('query_log')
        .values({
          at: nowIso(),
          interaction: e.interaction,
          initial_request_id: e.aorta.initialRequestId,
          request_id: e.aorta.requestId,
          bsn: e.bsn,
          requester_ura: e.requesterUra,
          acting_uzi: e.acting.uziNumber,
          acting_role: e.acting.roleCode,
          result: e.result,
        })
        .execute();
    },
    async list(bsn?: string): Promise<z.infer<typeof SourceLogEntry>[]> {
      let q = db.selectFrom('query_log').selectAll();
      if (bsn !== undefined) q = q.where('bsn', '=', bsn);
      return (await q.orderBy('id').execute()).map((r) => ({
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
      }));
    },
  };
}
export type SourceLog = ReturnType<typeof createSourceLog>;

export function sourceLogRoutes(app: App, log: SourceLog): void {
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
}
