import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  Bsn,
  IsoDate,
  Problem,
  Professional,
  QueryBatch,
  describeInteraction,
  notFound,
  ProblemError,
  type Interaction,
} from '@schakel/contracts';
import { pick, upstreamProblem, type RoutePlugin, type SwitchPointClient } from '@schakel/service-kit';
import type { CredentialDirectory } from '@schakel/trust/assertion';
import { Consult, Situation, type ConsultStore } from './consult-store.js';
import { createSignedQueries, type QueryExtras } from './signed-queries.js';

const NewConsult = z
  .object({
    bsn: Bsn,
    professional: Professional.describe('The treating professional (covering GP, SEH doctor)'),
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
 * Consults at the after-hours post, the emergency department and the ambulance service. Opening a consult
 * asserts the treatment relation the switch point asks for; each query is signed with the professional's
 * UZI card; every query made for the consult is remembered (which, when, with verbal consent or not,
 * outcome), not its content.
 */
export const consultRoutes: RoutePlugin<ConsultRoutesOptions> = async (app, { consults, lsp, me, cards }) => {
  const load = async (id: string): Promise<Consult> => {
    const consult = await consults.get(id);
    if (consult === undefined) throw notFound(`Consult ${id}`);
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
        response: { 201: Consult, ...pick(400) },
      },
    },
    async (request, reply) => {
      const id = randomUUID();
      await consults.open(id, request.body);
      return reply.status(201).send(await load(id));
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
    async (request) => load(request.params.id),
  );

  const query = createSignedQueries({ lsp, me, cards });
  /** Sign with the professional's card, ask the switch point, remember the query and its outcome. */
  async function ask(
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
      const batch = await query(consult, interaction, aorta, extra);
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
        body: z
          .object({ verbalConsent: z.boolean().default(false) })
          .strict()
          .nullish(),
        response: responses,
      },
    },
    async (request) =>
      ask(await load(request.params.id), 'QUPC_IN990001NL', request.aorta, {
        verbalConsent: request.body?.verbalConsent ?? false,
      }),
  );
};
