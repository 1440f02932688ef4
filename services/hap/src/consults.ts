import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { Bsn, IsoDate, MedicationBatch, Problem, Professional, describeInteraction, notFound, problem } from '@schakel/contracts';
import { signAssertion, type CredentialDirectory } from '@schakel/trust/assertion';
import { nowIso, pick, upstreamProblem, type App, type Kysely, type SwitchPointClient } from '@schakel/service-kit';
import type { HapDatabase } from './migrations.js';

const ConsultInput = z
  .object({
    bsn: Bsn,
    professional: Professional.describe('The covering GP'),
    responsible: Professional.optional().describe('The responsible GP, when an assistant opens the consult on their behalf'),
  })
  .strict()
  .meta({ id: 'NewConsult' });
const ConsultQuery = z.object({ at: z.string(), interaction: z.string(), initialRequestId: z.string(), outcome: z.string() }).meta({ id: 'ConsultQuery' });
const Consult = z
  .object({ id: z.string(), bsn: Bsn, professional: Professional, responsible: Professional.optional(), openedAt: z.string(), queries: z.array(ConsultQuery) })
  .meta({ id: 'Consult' });
type Consult = z.infer<typeof Consult>;

/**
 * The covering GP's consult at the after-hours post. Opening a consult asserts the treatment relation
 * the switch point asks for; every query made for it is remembered (which, when, outcome), not its content.
 */
export function consultRoutes(app: App, db: Kysely<HapDatabase>, lsp: SwitchPointClient, me: { applicationId: string }, cards: CredentialDirectory): void {
  async function load(id: string): Promise<Consult> {
    const row = await db.selectFrom('consults').selectAll().where('id', '=', id).executeTakeFirst();
    if (row === undefined) throw notFound(`Consult ${id}`);
    const queries = await db.selectFrom('consult_queries').selectAll().where('consult_id', '=', id).orderBy('id').execute();
    return {
      id: row.id,
      bsn: row.bsn,
      professional: JSON.parse(row.professional) as Consult['professional'],
      ...(row.responsible !== null ? { responsible: JSON.parse(row.responsible) as Consult['professional'] } : {}),
      openedAt: row.opened_at,
      queries: queries.map((q) => ({ at: q.at, interaction: q.interaction, initialRequestId: q.initial_request_id, outcome: q.outcome })),
    };
  }
  const IdParams = z.object({ id: z.uuid() });

  app.post(
    '/consults',
    { schema: { tags: ['consults'], summary: 'Open a consult for a patient', body: ConsultInput, response: { 201: Consult, ...pick(400) } } },
    async (request, reply) => {
      const id = randomUUID();
      await db
        .insertInto('consults')
        .values({
          id,
          bsn: request.body.bsn,
          professional: JSON.stringify(request.body.professional),
          responsible: request.body.responsible === undefined ? null : JSON.stringify(request.body.responsible),
          opened_at: nowIso(),
        })
        .execute();
      return reply.status(201).send(await load(id));
    },
  );
  app.get('/consults/:id', { schema: { tags: ['consults'], summary: 'One consult and the queries made for it', params: IdParams, response: { 200: Consult, ...pick(400, 404) } } }, async (request) =>
    load(request.params.id),
  );
  app.post(
    '/consults/:id/medication',
    {
      schema: {
        tags: ['consults'],
        summary: `Ask the switch point for the patient’s medication: ${describeInteraction('QURX_IN990011NL')}`,
        description: 'Returns the switch point’s batch as is: one entry per pharmacy with its status. Refusals by the switch point (4xx) are passed on with their code.',
        params: IdParams,
        body: z.object({ from: IsoDate.optional(), to: IsoDate.optional() }).strict().nullish().describe('Optional period; an empty body asks for everything'),
        response: { 200: MedicationBatch, 401: Problem, ...pick(400, 403, 404, 502, 504) },
      },
    },
    async (request) => {
      const consult = await load(request.params.id);
      const record = (outcome: string) =>
        db.insertInto('consult_queries').values({ consult_id: consult.id, at: nowIso(), interaction: 'QURX_IN990011NL', initial_request_id: request.aorta.initialRequestId, outcome }).execute();
      // The covering GP signs the query with their UZI card (here: a test credential the post holds).
      const card = cards.get(consult.professional.uziNumber);
      if (card === undefined) {
        throw problem('NO_CREDENTIAL', `This post holds no UZI card for professional ${consult.professional.uziNumber}; issue one with \`npm run enrol\``, {
          field: 'professional.uziNumber',
          expected: 'a professional whose UZI card credential this post holds',
        });
      }
      try {
        const assertion = await signAssertion(card, {
          interaction: 'QURX_IN990011NL',
          bsn: consult.bsn,
          ...(consult.responsible ? { responsible: { uziNumber: consult.responsible.uziNumber, roleCode: consult.responsible.roleCode } } : {}),
        });
        const batch = await lsp.queryMedication(
          {
            bsn: consult.bsn,
            requester: { applicationId: me.applicationId, professional: consult.professional, ...(consult.responsible ? { responsible: consult.responsible } : {}) },
            treatmentRelation: true,
            ...(request.body ?? {}),
          },
          { aorta: request.aorta, assertion },
        );
        await record(batch.sources.map((s) => `${s.organisationName}: ${s.status}`).join('; '));
        return batch;
      } catch (err) {
        const p = upstreamProblem(err, 'The medication query at the switch point');
        await record(`${p.code}`);
        throw p;
      }
    },
  );
}
