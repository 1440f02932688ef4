import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { Bsn, NewSharingDecline, SharingDecline, notFound, type Decision } from '@schakel/contracts';
import { nowIso, pick, type App, type Kysely, type Selectable } from '@schakel/service-kit';
import type { GpDatabase } from './migrations.js';
import type { PatientStore } from './patients.js';

/**
 * GP-SHARE-1 (docs/domain.md section 4: "consent never obliges a holder to share"; KNMG: good care, goed
 * hulpverlenerschap, may argue against it): the GP may decline to share a patient's summary despite
 * consent, for every requester or for one organisation or kind of organisation, always with a reason.
 * The summary leg then answers the decline instead of the summary, and the batch shows this source as
 * refused with the reason (docs/decisions.md 25).
 */
export const SHARING_RULE =
  'GP-SHARE-1: consent does not oblige the GP to share; the GP may decline for good care (goed hulpverlenerschap), with a reason';

type Row = Selectable<GpDatabase['sharing_declines']>;
const toDecline = (r: Row): SharingDecline => ({
  id: r.id,
  bsn: r.bsn,
  scope: JSON.parse(r.scope) as SharingDecline['scope'],
  reason: r.reason,
  decidedBy: r.decided_by,
  decidedAt: r.decided_at,
  withdrawnAt: r.withdrawn_at,
});

/** Who asks, as the summary leg knows it. */
export interface Requester {
  ura: string;
  organisationType?: string | undefined;
}

const covers = (d: SharingDecline, r: Requester) =>
  'all' in d.scope
    ? true
    : 'ura' in d.scope
      ? d.scope.ura === r.ura
      : r.organisationType !== undefined && d.scope.organisationType === r.organisationType;
/** The most specific decline wins the explanation (a named organisation, then a kind, then all); any decline refuses. */
const rank = (d: SharingDecline) => ('ura' in d.scope ? 2 : 'organisationType' in d.scope ? 1 : 0);

/** The decline in force for this requester, as the decision the batch shows; undefined when the GP shares. */
export async function sharingDecision(
  db: Kysely<GpDatabase>,
  practiceName: string,
  bsn: string,
  requester: Requester,
): Promise<Decision | undefined> {
  const rows = await db
    .selectFrom('sharing_declines')
    .selectAll()
    .where('bsn', '=', bsn)
    .where('withdrawn_at', 'is', null)
    .execute();
  const applying = rows.map(toDecline).filter((d) => covers(d, requester));
  if (applying.length === 0) return undefined;
  const d = applying.sort((a, b) => rank(b) - rank(a) || b.decidedAt.localeCompare(a.decidedAt))[0] as SharingDecline;
  return {
    code: 'HOLDER_DECLINED',
    rule: SHARING_RULE,
    explanation: `${practiceName} declined to share the summary despite consent (decided by ${d.decidedBy} on ${d.decidedAt.slice(0, 10)}): ${d.reason}`,
  };
}

/** Front office: the GP records, lists and withdraws decisions not to share. */
export function sharingDeclineRoutes(app: App, db: Kysely<GpDatabase>, patients: PatientStore): void {
  const BsnParams = z.object({ bsn: Bsn });
  const known = async (bsn: string) => {
    if ((await patients.get(bsn)) === undefined) throw notFound(`Patient ${bsn}`);
  };
  app.post(
    '/patients/:bsn/sharing-declines',
    {
      schema: {
        tags: ['consent'],
        summary:
          'Decline to share this patient’s summary despite consent, for everyone or one (kind of) organisation, with a reason (GP-SHARE-1)',
        description:
          'While it is in force the summary leg (QUPC_IN990001NL) answers the decline instead of the summary, and the requester sees this practice as refused with the reason (HOLDER_DECLINED).',
        params: BsnParams,
        body: NewSharingDecline,
        response: { 201: SharingDecline, ...pick(400, 404) },
      },
    },
    async (request, reply) => {
      const { bsn } = request.params;
      await known(bsn);
      const row = {
        id: randomUUID(),
        bsn,
        scope: JSON.stringify(request.body.scope),
        reason: request.body.reason,
        decided_by: request.body.decidedBy,
        decided_at: nowIso(),
        withdrawn_at: null,
      };
      await db.insertInto('sharing_declines').values(row).execute();
      request.log.info({ scope: request.body.scope }, 'the GP declines to share despite consent');
      return reply.status(201).send(toDecline(row));
    },
  );
  app.get(
    '/patients/:bsn/sharing-declines',
    {
      schema: {
        tags: ['consent'],
        summary: 'The GP’s decisions not to share, withdrawn ones included, oldest first',
        params: BsnParams,
        response: { 200: z.object({ declines: z.array(SharingDecline) }), ...pick(400, 404) },
      },
    },
    async (request) => {
      await known(request.params.bsn);
      return {
        declines: (
          await db
            .selectFrom('sharing_declines')
            .selectAll()
            .where('bsn', '=', request.params.bsn)
            .orderBy('decided_at')
            .execute()
        ).map(toDecline),
      };
    },
  );
  app.delete(
    '/patients/:bsn/sharing-declines/:id',
    {
      schema: {
        tags: ['consent'],
        summary: 'Withdraw a decision not to share (kept, with when it was withdrawn)',
        params: BsnParams.extend({ id: z.string().min(1).max(100) }),
        response: { 200: SharingDecline, ...pick(400, 404) },
      },
    },
    async (request) => {
      const { bsn, id } = request.params;
      const row = await db
        .selectFrom('sharing_declines')
        .selectAll()
        .where('bsn', '=', bsn)
        .where('id', '=', id)
        .executeTakeFirst();
      if (row === undefined) throw notFound(`Decision ${id} not to share`);
      if (row.withdrawn_at === null)
        await db.updateTable('sharing_declines').set({ withdrawn_at: nowIso() }).where('id', '=', id).execute();
      return toDecline(
        await db.selectFrom('sharing_declines').selectAll().where('id', '=', id).executeTakeFirstOrThrow(),
      );
    },
  );
}
