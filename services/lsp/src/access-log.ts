import { z } from 'zod';
import { AccessLogEntry, Bsn, type SourceStatus } from '@schakel/contracts';
import { nowIso, pick, type App, type Kysely, type Selectable } from '@schakel/service-kit';
import type { LspDatabase } from './migrations.js';
import { allowAdmin } from './auth.js';

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
  outcome: r.outcome as AccessLogEntry['outcome'],
  code: r.code,
  explanation: r.explanation,
  sources: JSON.parse(r.sources) as AccessLogEntry['sources'],
});

/**
 * NEN 7513 style access log: every request on a patient's data, refusals included, with the acting and
 * responsible user, organisation, outcome and deciding rule. It never holds clinical content.
 * (Hash chaining and the patient view come with issue #4.)
 */
export function createAccessLog(db: Kysely<LspDatabase>) {
  return {
    async write(e: AccessEvent): Promise<void> {
      await db
        .insertInto('access_log')
        .values({
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
        })
        .execute();
    },
    async forPatient(bsn: string): Promise<AccessLogEntry[]> {
      const rows = await db.selectFrom('access_log').selectAll().where('bsn', '=', bsn).orderBy('id').execute();
      return rows.map(toEntry);
    },
    /** The newest entries, refusals without a patient (e.g. a missing client certificate) included. */
    async latest(limit: number): Promise<AccessLogEntry[]> {
      const rows = await db.selectFrom('access_log').selectAll().orderBy('id', 'desc').limit(limit).execute();
      return rows.reverse().map(toEntry);
    },
  };
}
export type AccessLog = ReturnType<typeof createAccessLog>;

export function accessLogRoutes(app: App, log: AccessLog): void {
  app.get(
    '/access-log',
    {
      schema: {
        tags: ['access log'],
        summary: 'Every access through the switch point, refusals included, in time order: for one patient, or the newest',
        description: 'Operator (admin certificate) only. Without bsn: the newest entries, including refusals that name no patient.',
        querystring: z.object({ bsn: Bsn.optional(), limit: z.coerce.number().int().min(1).max(1000).default(100) }).strict(),
        response: { 200: z.object({ entries: z.array(AccessLogEntry) }), ...pick(400) },
      },
    },
    async (request) => {
      allowAdmin(request);
      return { entries: request.query.bsn !== undefined ? await log.forPatient(request.query.bsn) : await log.latest(request.query.limit) };
    },
  );
}
