import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  Bsn,
  IsoDate,
  Problem,
  Professional,
  QueryBatch,
  describeInteraction,
  notFound,
  problem,
  ProblemError,
  type Interaction,
} from '@schakel/contracts';
import {
  frontOfficeUser,
  notePatient,
  pick,
  upstreamProblem,
  type FrontOfficeUser,
  type RoutePlugin,
  type SwitchPointClient,
} from '@schakel/service-kit';
import type { CredentialDirectory } from '@schakel/trust/assertion';
import { Consult, Situation, type ConsultStore } from './consult-store.js';
import { createSignedQueries, type QueryExtras } from './signed-queries.js';

const NewConsult = z
  .object({
    bsn: Bsn,
    professional: Professional.optional().describe(
      'The treating professional (covering GP, SEH doctor): the logged-in user. Optional; when given it must be that user (403 FRONT_OFFICE_USER_MISMATCH otherwise)',
    ),
    responsible: Professional.optional().describe(
      'The responsible professional, when an assistant opens the consult on their behalf (mandating)',
    ),
    situation: Situation.default('regular'),
    patientCannotConsent: z
      .boolean()
      .default(false)
      .describe('The patient cannot consent (e.g. unconscious): presumed consent may apply in acute care'),
  })
  .strict()
  .meta({ id: 'NewConsult' });

export type ConsultRoutesOptions = {
  consults: ConsultStore;
  lsp: SwitchPointClient;
  /** This system's GBZ application id, named as the requester in every query. */
  me: { applicationId: string };
  /** The UZI cards of the organisation's professionals: each query is signed with the treating one's. */
  cards: CredentialDirectory;
};

/**
 * The professional acting in a front-office request: the logged-in user, never whoever the body names.
 * A body that names someone else is refused rather than silently corrected, so a client with a stale
 * idea of who is at the keyboard finds out.
 */
export function actingProfessional(request: FastifyRequest, named?: Professional): FrontOfficeUser['professional'] {
  const user = frontOfficeUser(request);
  if (
    named !== undefined &&
    (named.uziNumber !== user.professional.uziNumber || named.roleCode !== user.professional.roleCode)
  )
    throw problem(
      'FRONT_OFFICE_USER_MISMATCH',
      `You are logged in as ${user.username} (UZI ${user.professional.uziNumber}, role ${user.professional.roleCode}); the request names professional ${named.uziNumber} with role ${named.roleCode}. Log in as that professional instead.`,
      { field: 'body.professional', expected: `the logged-in user's professional (${user.professional.uziNumber})` },
    );
  return user.professional;
}

/**
 * Consults at the after-hours post, the emergency department and the ambulance service. Opening a consult
 * asserts the treatment relation the switch point asks for; the treating professional is the logged-in
 * front-office user, and each query is signed with the UZI card of the user who asks; every query made
 * for the consult is remembered (which, when, by whom, with verbal consent or not, outcome), not its content.
 */
export const consultRoutes: RoutePlugin<ConsultRoutesOptions> = async (app, { consults, lsp, me, cards }) => {
  const load = async (request: FastifyRequest, id: string): Promise<Consult> => {
    const consult = await consults.get(id);
    if (consult === undefined) throw notFound(`Consult ${id}`);
    notePatient(request, consult.bsn);
    return consult;
  };
  const IdParams = z.object({ id: z.uuid() });

  app.post(
    '/consults',
    {
      schema: {
        tags: ['consults'],
        summary: 'Open a consult for a patient',
        body: NewConsult,
        response: { 201: Consult, ...pick(400, 403) },
      },
    },
    async (request, reply) => {
      const id = randomUUID();
      const professional = actingProfessional(request, request.body.professional);
      await consults.open(id, { ...request.body, professional });
      return reply.status(201).send(await load(request, id));
    },
  );
  app.get(
    '/consults/:id',
    {
      schema: {
        tags: ['consults'],
        summary: 'One consult and the queries made for it',
        params: IdParams,
        response: { 200: Consult, ...pick(400, 404) },
      },
    },
    async (request) => load(request, request.params.id),
  );

  const query = createSignedQueries({ lsp, me, cards });
  /** Sign with the professional's card, ask the switch point, remember the query and its outcome. */
  async function ask(
    acting: Professional,
    consult: Consult,
    interaction: Extract<Interaction, 'QURX_IN990011NL' | 'QUPC_IN990001NL'>,
    aorta: { initialRequestId: string },
    extra: QueryExtras,
  ) {
    const verbalConsent = extra.verbalConsent === true;
    const record = (outcome: string) =>
      consults.recordQuery(consult.id, {
        interaction,
        initialRequestId: aorta.initialRequestId,
        verbalConsent,
        outcome,
      });
    try {
      // The logged-in user acts, signing with their own card (NO_CREDENTIAL when the organisation holds none).
      const batch = await query({ ...consult, professional: acting }, interaction, aorta, extra);
      await record(batch.sources.map((s) => `${s.organisationName}: ${s.status} (${s.decision.code})`).join('; '));
      return batch;
    } catch (err) {
      // No card: nothing was asked, so nothing is recorded for the consult.
      if (err instanceof ProblemError && err.code === 'NO_CREDENTIAL') throw err;
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
        description:
          'Returns the switch point’s batch as is: one entry per pharmacy with its status and the deciding rule. Refusals by the switch point (4xx) are passed on with their code.',
        params: IdParams,
        body: z
          .object({ from: IsoDate.optional(), to: IsoDate.optional(), latestPerProduct: z.boolean().optional() })
          .strict()
          .nullish()
          .describe('Optional period; an empty body asks for everything'),
        response: responses,
      },
    },
    async (request) =>
      ask(
        actingProfessional(request),
        await load(request, request.params.id),
        'QURX_IN990011NL',
        request.aorta,
        request.body ?? {},
      ),
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
        body: z
          .object({ verbalConsent: z.boolean().default(false) })
          .strict()
          .nullish(),
        response: responses,
      },
    },
    async (request) =>
      ask(actingProfessional(request), await load(request, request.params.id), 'QUPC_IN990001NL', request.aorta, {
        verbalConsent: request.body?.verbalConsent ?? false,
      }),
  );
};
