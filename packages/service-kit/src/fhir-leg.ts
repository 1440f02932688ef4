import { ProblemError, type AortaId, type DataCategory, type Interaction } from '@schakel/contracts';
import { FHIR_CONTENT_TYPE, REQUESTER_HEADER, outcomeFromProblem } from '@schakel/fhir';
import type { FastifyBaseLogger } from 'fastify';
import type { App } from './app.js';

/** The FHIR base of a source's FHIR leg: the address book gives the switch point `<base URL>/lsp/fhir` for it. */
export const FHIR_LEG_PATH = '/lsp/fhir';

/** One search or operation a source answers on its FHIR leg, and the interaction it is (for the logs). */
export interface FhirLegRoute {
  /** Below the FHIR base: `MedicationDispense`, `Patient/$summary`. */
  path: string;
  interaction: Interaction;
  category: DataCategory;
  answer: (request: {
    params: Record<string, string | string[] | undefined>;
    /** The requester header as it came (packages/fhir search.ts reads it with the search). */
    requester: string | string[] | undefined;
    /** This leg's FHIR base URL, for the Bundle's fullUrls. */
    base: string;
    aorta: AortaId;
    log: FastifyBaseLogger;
  }) => Promise<object>;
}

/**
 * A source's FHIR leg (a pharmacy's MedicationDispense search, a GP's Patient/$summary), for a source whose
 * address-book entry says it speaks fhir. Register it inside the switch-point-legs audience: the guard is
 * the same as for the JSON and HL7v3 legs. Each route reads the search into the very query the other legs
 * take and answers a Bundle (application/fhir+json); a refusal is an OperationOutcome with the problem's
 * status and its code from the one list (packages/fhir outcome.ts), which the switch point reads back.
 */
export async function fhirLeg(app: App, routes: FhirLegRoute[]): Promise<void> {
  await app.register(async (scope) => {
    for (const route of routes) {
      scope.get(
        `${FHIR_LEG_PATH}/${route.path}`,
        { config: { interaction: route.interaction, category: route.category }, schema: { hide: true } },
        async (request, reply) => {
          const fhir = (status: number, body: object) => reply.status(status).type(FHIR_CONTENT_TYPE).send(body);
          try {
            const body = await route.answer({
              params: request.query as Record<string, string | string[] | undefined>,
              requester: request.headers[REQUESTER_HEADER],
              base: `https://${request.headers.host ?? 'localhost'}${FHIR_LEG_PATH}`,
              aorta: request.aorta,
              log: request.log,
            });
            // A FastifyReply is thenable: it is handed back to Fastify, not awaited (that would wait for the send).
            // eslint-disable-next-line @typescript-eslint/return-await
            return fhir(200, body);
          } catch (err) {
            if (!(err instanceof ProblemError)) throw err;
            return fhir(err.status, outcomeFromProblem(err.problem));
          }
        },
      );
    }
  });
}
