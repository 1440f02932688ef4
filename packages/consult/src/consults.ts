import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { Bsn, IsoDate, Problem, Professional, QueryBatch, describeInteraction, notFound, problem, type Interaction } from '@schakel/contracts';
import { nowIso, pick, upstreamProblem, type App, type Kysely, type SwitchPointClient } from '@schakel/service-kit';
import { signAssertion, type CredentialDirectory } from '@schakel/trust/assertion';
import type { ConsultDatabase } from './migrations.js';

const NewConsult = z
  .object({
    bsn: Bsn,
    professional: Professional.describe('The treating professional (covering GP, SEH doctor)'),
    responsible: Professional.optional().describe('The responsible professional, when an assistant opens the consult on their behalf (mandating)'),
    situation: z.enum(['regular', 'acute']).default('regular').describe('acute: emergency care under the acute-care rules'),
    patientCannotConsent: z.boolean().default(false).describe('The patient cannot consent (e.g. unconscious): presumed consent may apply in acute care'),
  })
  .strict()
  .meta({ id: 'NewConsult' });
const ConsultQuery = z
  .object({ at: z.string(), interaction: z.string(), initialRequestId: z.string(), verbalConsent: z.boolean(), outcome: z.string() })
  .meta({ id: 'ConsultQuery' });
const Consult = z
  .object({
    id: z.string(),
    bsn: Bsn,
    professional: Professional,
    responsible: Professional.optional(),
    situation: z.enum(['regular', 'acute']),
    patientCannotConsent: z.boolean(),
    openedAt: z.string(),
    queries: z.array(ConsultQuery),
  })
  .meta({ id: 'Consult' });
type Consult = z.infer<typeof Consult>;

/**
 * Consults at the after-hours post and the emergency department. Opening a consult asserts the treatment
 * relation the switch point asks for; each query is signed with the professional's UZI card; every query
 * made for the consult is remembered (which, when, with verbal consent or not, outcome), not its content.
 */
export function consultRoutes<DB extends ConsultDatabase>(app: App, store: Kysely<DB>, lsp: SwitchPointClient, me: { applicationId: string }, cards: CredentialDirectory): void {
  // A service's database type may list more tables than the consult ones.
  const db = store as unknown as Kysely<ConsultDatabase>;
  async function load(id: string): Promise<Consult> {
    const row = await db.selectFrom('consults').selectAll().where('id', '=', id).executeTakeFirst();
    if (row === undefined) throw notFound(`Consult ${id}`);
    const queries = await db.selectFrom('consult_queries').selectAll().where('consult_id', '=', id).orderBy('id').execute();
    return {
      id: row.id,
      bsn: row.bsn,
      professional: JSON.parse(row.professional) as Consult['professional'],
      ...(row.responsible !== null ? { responsible: JSON.parse(row.responsible) as Consult['professional'] } : {}),
      situation: row.situation as Consult['situation'],
      patientCannotConsent: row.patient_cannot_consent === 1,
      openedAt: row.opened_at,
      queries: queries.map((q) => ({ at: q.at, interaction: q.interaction, initialRequestId: q.initial_request_id, verbalConsent: q.verbal_consent === 1, outcome: q.outcome })),
    };
  }
  const IdParams = z.object({ id: z.uuid() });

  app.post(
    '/consults',
    { schema: { tags: ['consults'], summary: 'Open a consult for a patient', body: NewConsult, response: { 201: Consult, ...pick(400) } } },
    async (request, reply) => {
      const id = randomUUID();
      const b = request.body;
      await db
        .insertInto('consults')
        .values({
          id,
          bsn: b.bsn,
          professional: JSON.stringify(b.professional),
          responsible: b.responsible === undefined ? null : JSON.stringify(b.responsible),
          situation: b.situation,
          patient_cannot_consent: b.patientCannotConsent ? 1 : 0,
          opened_at: nowIso(),
        })
        .execute();
      return reply.status(201).send(await load(id));
    },
  );
  app.get('/consults/:id', { schema: { tags: ['consults'], summary: 'One consult and the queries made for it', params: IdParams, response: { 200: Consult, ...pick(400, 404) } } }, async (request) =>
    load(request.params.id),
  );

  /** Sign with the professional's card, ask the switch point, remember the query and its outcome. */
  async function ask(
    consult: Consult,
    interaction: Extract<Interaction, 'QURX_IN990011NL' | 'QUPC_IN990001NL'>,
    aorta: { initialRequestId: string },
    extra: { verbalConsent?: boolean; from?: string | undefined; to?: string | undefined; latestPerProduct?: boolean | undefined },
  ) {
    const card = cards.get(consult.professional.uziNumber);
    if (card === undefined) {
      throw problem('NO_CREDENTIAL', `This organisation holds no UZI card for professional ${consult.professional.uziNumber}; issue one with \`npm run enrol\``, {
        field: 'professional.uziNumber',
        expected: 'a professional whose UZI card credential this organisation holds',
      });
    }
    const verbalConsent = extra.verbalConsent === true;
    const record = (outcome: string) =>
      db.insertInto('consult_queries').values({ consult_id: consult.id, at: nowIso(), interaction, initial_request_id: aorta.initialRequestId, verbal_consent: verbalConsent ? 1 : 0, outcome }).execute();
    try {
      const assertion = await signAssertion(card, {
        interaction,
        bsn: consult.bsn,
        ...(consult.responsible ? { responsible: { uziNumber: consult.responsible.uziNumber, roleCode: consult.responsible.roleCode } } : {}),
      });
      const query = {
        bsn: consult.bsn,
        requester: { applicationId: me.applicationId, professional: consult.professional, ...(consult.responsible ? { responsible: consult.responsible } : {}) },
        treatmentRelation: true,
        situation: consult.situation,
        patientCannotConsent: consult.patientCannotConsent,
        verbalConsent,
      };
      const batch =
        interaction === 'QURX_IN990011NL'
          ? await lsp.queryMedication(
              {
                ...query,
                ...(extra.from !== undefined ? { from: extra.from } : {}),
                ...(extra.to !== undefined ? { to: extra.to } : {}),
                ...(extra.latestPerProduct !== undefined ? { latestPerProduct: extra.latestPerProduct } : {}),
              },
              { aorta, assertion },
            )
          : await lsp.querySummary(query, { aorta, assertion });
      await record(batch.sources.map((s) => `${s.organisationName}: ${s.status} (${s.decision.code})`).join('; '));
      return batch;
    } catch (err) {
      const p = upstreamProblem(err, `The ${describeInteraction(interaction)} at the switch point`);
      await record(p.code);
      throw p;
    }
  }

  const responses = { 200: QueryBatch, 401: Problem, ...pick(400, 403, 404, 502, 504) };
  app.post(
    '/consults/:id/medication',
    {
      schema: {
        tags: ['consults'],
        summary: `Ask the switch point for the patient’s medication: ${describeInteraction('QURX_IN990011NL')}`,
        description: 'Returns the switch point’s batch as is: one entry per pharmacy with its status and the deciding rule. Refusals by the switch point (4xx) are passed on with their code.',
        params: IdParams,
        body: z
          .object({ from: IsoDate.optional(), to: IsoDate.optional(), latestPerProduct: z.boolean().optional() })
          .strict()
          .nullish()
          .describe('Optional period; an empty body asks for everything'),
        response: responses,
      },
    },
    async (request) => ask(await load(request.params.id), 'QURX_IN990011NL', request.aorta, request.body ?? {}),
  );
  app.post(
    '/consults/:id/summary',
    {
      schema: {
        tags: ['consults'],
        summary: `Ask the switch point for the GP’s professional summary: ${describeInteraction('QUPC_IN990001NL')}`,
        description:
          'verbalConsent: the patient gave verbal consent on the spot (corona opt-in), recorded with the request. Whether it counts depends on the switch point’s policies (its stop button).',
        params: IdParams,
        body: z.object({ verbalConsent: z.boolean().default(false) }).strict().nullish(),
        response: responses,
      },
    },
    async (request) => ask(await load(request.params.id), 'QUPC_IN990001NL', request.aorta, { verbalConsent: request.body?.verbalConsent ?? false }),
  );
}
