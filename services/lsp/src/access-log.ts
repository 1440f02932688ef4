import { createHash } from 'node:crypto';
import { z } from 'zod';
import { AccessLogEntry, Bsn, IsoDate, type SourceStatus } from '@schakel/contracts';
import {
  dialectOf,
  groupCommit,
  nowIso,
  pick,
  rawSqlite,
  withAdvisoryLock,
  type App,
  type Kysely,
  type Selectable,
} from '@schakel/service-kit';
import type { LspDatabase } from './migrations.js';

export interface AccessEvent {
  interaction: string;
  initialRequestId: string;
  requestId: string;
  /** Unknown when a request is refused before its body is read (e.g. no client certificate). */
  bsn: string | null;
  category?: string;
  clientSubject?: string;
  requesterApplicationId?: string;
  requesterUra?: string;
  actingUzi?: string;
  actingRole?: string;
  responsibleUzi?: string;
  situation?: string;
  /** An emergency procedure (presumed consent) decided the outcome. */
  emergency?: boolean;
  outcome: AccessLogEntry['outcome'];
  code: string;
  explanation: string;
  sources?: { applicationId: string; status: SourceStatus; code: string }[];
}

type Row = Selectable<LspDatabase['access_log']>;
const toEntry = (r: Row): AccessLogEntry => ({
  id: r.id,
  at: r.at,
  interaction: r.interaction,
  initialRequestId: r.initial_request_id,
  requestId: r.request_id,
  bsn: r.bsn,
  category: r.category,
  clientSubject: r.client_subject,
  requesterApplicationId: r.requester_application_id,
  requesterUra: r.requester_ura,
  actingUzi: r.acting_uzi,
  actingRole: r.acting_role,
  responsibleUzi: r.responsible_uzi,
  situation: r.situation,
  emergency: r.emergency === 1,
  outcome: r.outcome as AccessLogEntry['outcome'],
  code: r.code,
  explanation: r.explanation,
  sources: JSON.parse(r.sources) as AccessLogEntry['sources'],
});

const GENESIS = '0'.repeat(64);
const CHAINED: (keyof Row)[] = [
  'id',
  'at',
  'interaction',
  'initial_request_id',
  'request_id',
  'bsn',
  'category',
  'client_subject',
  'requester_application_id',
  'requester_ura',
  'acting_uzi',
  'acting_role',
  'responsible_uzi',
  'outcome',
  'code',
  'explanation',
  'sources',
  'situation',
  'emergency',
  'prev_hash',
];
/** The hash of an entry: every field that matters, in a fixed order, and the previous entry's hash. */
export function entryHash(row: Omit<Row, 'hash'>): string {
  return createHash('sha256')
    .update(JSON.stringify(CHAINED.map((k) => row[k as keyof typeof row] ?? null)))
    .digest('hex');
}

/**
 * NEN 7513 access log: every request on a patient's data, refusals included: time, patient, acting and
 * responsible user, organisation and role, category, interaction, outcome, deciding rule and consent,
 * emergency procedure, AORTA-ID. Never clinical content. Append-only and tamper-evident: each entry is
 * chained to the previous by hash; the append runs in a BEGIN IMMEDIATE transaction (SQLite) or under an
 * advisory lock (PostgreSQL), so several switch-point processes sharing the store still make one chain.
 */
export function createAccessLog(db: Kysely<LspDatabase>) {
  /** One entry after `prev`: its id, its link and its hash. */
  const chained = (e: AccessEvent, prev: { id: number; hash: string } | undefined) => {
    const row: Omit<Row, 'hash'> = {
      id: (prev?.id ?? 0) + 1,
      at: nowIso(),
      interaction: e.interaction,
      initial_request_id: e.initialRequestId,
      request_id: e.requestId,
      bsn: e.bsn,
      category: e.category ?? null,
      client_subject: e.clientSubject ?? null,
      requester_application_id: e.requesterApplicationId ?? null,
      requester_ura: e.requesterUra ?? null,
      acting_uzi: e.actingUzi ?? null,
      acting_role: e.actingRole ?? null,
      responsible_uzi: e.responsibleUzi ?? null,
      outcome: e.outcome,
      code: e.code,
      explanation: e.explanation,
      sources: JSON.stringify(e.sources ?? []),
      situation: e.situation ?? null,
      emergency: e.emergency === true ? 1 : 0,
      prev_hash: prev?.hash ?? GENESIS,
    };
    return { ...row, hash: entryHash(row) };
  };
  // The same append on either engine: chained from the newest entry in the store while no other process
  // appends (BEGIN IMMEDIATE on SQLite, an advisory lock on PostgreSQL; docs/deployment.md has the measure).
  const appendAll = dialectOf(db) === 'postgres' ? postgresAppender(db, chained) : sqliteAppender(db, chained);

  // Group commit (the kit's): the entries of the requests that finish while a group commits are chained and
  // appended together in the next transaction; each write resolves with its entry's id once committed, and a
  // request answers only after that, so nothing answered is lost on kill -9.
  const append = groupCommit(appendAll);
  return {
    write(e: AccessEvent): Promise<number> {
      return append(e);
    },
    async forPatient(
      bsn: string,
      period: { from?: string | undefined; to?: string | undefined } = {},
    ): Promise<AccessLogEntry[]> {
      let q = db.selectFrom('access_log').selectAll().where('bsn', '=', bsn);
      if (period.from !== undefined) q = q.where('at', '>=', period.from);
      if (period.to !== undefined) q = q.where('at', '<', period.to);
      return (await q.orderBy('id').execute()).map(toEntry);
    },
    /** The newest entries, refusals without a patient (e.g. a missing client certificate) included. */
    async latest(limit: number): Promise<AccessLogEntry[]> {
      const rows = await db.selectFrom('access_log').selectAll().orderBy('id', 'desc').limit(limit).execute();
      return rows.reverse().map(toEntry);
    },
    /** Walk the chain; report the first entry whose content, link or position does not add up. */
    async verify(): Promise<{ ok: boolean; entries: number; firstBrokenId: number | null; reason: string | null }> {
      const rows = await db.selectFrom('access_log').selectAll().orderBy('id').execute();
      let prevHash = GENESIS;
      let expectedId = 1;
      for (const r of rows) {
        const { hash, ...rest } = r;
        if (r.id !== expectedId)
          return { ok: false, entries: rows.length, firstBrokenId: r.id, reason: `entry ${expectedId} is missing` };
        if (r.prev_hash !== prevHash)
          return {
            ok: false,
            entries: rows.length,
            firstBrokenId: r.id,
            reason: 'its link to the previous entry does not match',
          };
        if (entryHash(rest) !== hash)
          return {
            ok: false,
            entries: rows.length,
            firstBrokenId: r.id,
            reason: 'its content was changed after it was written',
          };
        prevHash = hash;
        expectedId++;
      }
      return { ok: true, entries: rows.length, firstBrokenId: null, reason: null };
    },
  };
}
export type AccessLog = ReturnType<typeof createAccessLog>;

type Chain = (e: AccessEvent, prev: { id: number; hash: string } | undefined) => Row;

/** SQLite: prepared statements in one BEGIN IMMEDIATE transaction; another process appending meanwhile waits. */
function sqliteAppender(db: Kysely<LspDatabase>, chained: Chain): (events: AccessEvent[]) => Promise<number[]> {
  const raw = rawSqlite(db);
  const last = raw.prepare('SELECT id, hash FROM access_log ORDER BY id DESC LIMIT 1');
  const insert = raw.prepare(
    `INSERT INTO access_log (id, at, interaction, initial_request_id, request_id, bsn, category, client_subject, requester_application_id, requester_ura,
       acting_uzi, acting_role, responsible_uzi, outcome, code, explanation, sources, situation, emergency, prev_hash, hash)
     VALUES (@id, @at, @interaction, @initial_request_id, @request_id, @bsn, @category, @client_subject, @requester_application_id, @requester_ura,
       @acting_uzi, @acting_role, @responsible_uzi, @outcome, @code, @explanation, @sources, @situation, @emergency, @prev_hash, @hash)`,
  );
  const appendAll = raw.transaction((events: AccessEvent[]): number[] => {
    let prev = last.get() as { id: number; hash: string } | undefined;
    return events.map((e) => {
      const row = chained(e, prev);
      insert.run(row);
      prev = row;
      return row.id;
    });
  });
  return async (events) => appendAll.immediate(events);
}

/** PostgreSQL: the newest entry read and the group inserted in one transaction under an advisory lock. */
function postgresAppender(db: Kysely<LspDatabase>, chained: Chain): (events: AccessEvent[]) => Promise<number[]> {
  return (events) =>
    withAdvisoryLock(db, 'access_log', async (trx) => {
      let prev: { id: number; hash: string } | undefined = await trx
        .selectFrom('access_log')
        .select(['id', 'hash'])
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      const rows = events.map((e) => (prev = chained(e, prev)));
      await trx.insertInto('access_log').values(rows).execute();
      return rows.map((r) => r.id);
    });
}

export const Period = z
  .object({
    from: IsoDate.optional().describe('From this day (inclusive)'),
    to: IsoDate.optional().describe('Until this day (inclusive)'),
  })
  .strict();
/** Inclusive calendar days to the half-open ISO range the log is queried with. */
export function periodRange(p: { from?: string | undefined; to?: string | undefined }) {
  const next = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString();
  return {
    from: p.from !== undefined ? `${p.from}T00:00:00.000Z` : undefined,
    to: p.to !== undefined ? next(p.to) : undefined,
  };
}

export function accessLogRoutes(app: App, log: AccessLog): void {
  app.get(
    '/access-log',
    {
      schema: {
        tags: ['access log'],
        summary:
          'Every access through the switch point, refusals included, in time order: for one patient, or the newest',
        description:
          'Operator (admin certificate) only; patients read theirs in the portal. Without bsn: the newest entries, including refusals that name no patient.',
        querystring: Period.extend({
          bsn: Bsn.optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
        response: { 200: z.object({ entries: z.array(AccessLogEntry) }), ...pick(400, 403) },
      },
    },
    async (request) => {
      const { bsn, limit, ...period } = request.query;
      return { entries: bsn !== undefined ? await log.forPatient(bsn, periodRange(period)) : await log.latest(limit) };
    },
  );
  app.get(
    '/admin/access-log/verify',
    {
      schema: {
        tags: ['access log'],
        summary: 'Check the hash chain of the access log; names the first broken entry',
        response: {
          200: z.object({
            ok: z.boolean(),
            entries: z.number(),
            firstBrokenId: z.number().nullable(),
            reason: z.string().nullable(),
          }),
          ...pick(403),
        },
      },
    },
    async () => log.verify(),
  );
}
