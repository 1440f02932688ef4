import { z } from 'zod';
import {
  Bsn,
  DataCategory,
  Decision,
  IndexEntry,
  MedicationQuery,
  ObservationReportSubmission,
  Problem,
  QueryBatch,
  ReportRouting,
  SummaryQuery,
  Ura,
  describeInteraction,
} from '@schakel/contracts';
import { builtAnswerSerializer, pick, type App, type SecurityRequirement } from '@schakel/service-kit';
import type { Verifier } from '@schakel/trust/assertion';
import { Situation } from '../authorisation/protocol.js';
import { bearerSigned } from './bearer.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import { MEDICATION, SUMMARY } from '../interactions/queries.js';
import { REPORT } from '../interactions/report.js';
import { LOOKUP, OPEN_QUESTION } from '../interactions/lookups.js';

/**
 * The JSON wire: each route parses its body (the zod schema), hands the pipeline the connection and the
 * professional's token (Authorization: Bearer <JWS>, verified here), and returns what the pipeline answers.
 * Refusals come back as problem+json from the kit's error handler. Nothing else happens here.
 */
export function jsonRoutes(app: App, deps: { run: Pipeline; verifier: Verifier }): void {
  const signed = bearerSigned(deps.verifier);
  // In OpenAPI: a professional's signed assertion on top of the system's certificate (the audience's, which
  // the kit adds), or for the lookups the operator's certificate alone (service-kit openapi.ts).
  const signedBy = (def: { operatorMay: boolean }): { security: SecurityRequirement[] } => ({
    security: def.operatorMay ? [{ mutualTLS: ['operator'] }, { assertion: [] }] : [{ assertion: [] }],
  });

  for (const [path, def, body] of [
    ['/queries/medication', MEDICATION, MedicationQuery],
    ['/queries/summary', SUMMARY, SummaryQuery],
  ] as const) {
    app.post(
      path,
      {
        config: { interaction: def.interaction },
        // The batch is built here from the checked request and validated source answers.
        serializerCompiler: builtAnswerSerializer,
        schema: {
          tags: ['queries'],
          summary: `${describeInteraction(def.interaction)} -> batch of ${def.answer}`,
          description:
            'Asks every system registered for the category on the patient that the consent profile and policies allow, in parallel. Each source gets a status: ok, no-data, refused (not asked, with the deciding rule and consent record), timeout, unreachable or error. Needs mutual TLS and Authorization: Bearer <signed professional assertion>.',
          body,
          ...signedBy(def),
          response: { 200: QueryBatch, 401: Problem, ...pick(400, 403, 404) },
        },
      },
      async (request) => deps.run(def, request.body, signed(request)),
    );
  }

  app.post(
    '/reports/observation',
    {
      config: { interaction: REPORT.interaction },
      schema: {
        tags: ['reports'],
        summary: `${describeInteraction(REPORT.interaction)}: route a report to the patient’s own GP`,
        description:
          'Finds the GP practice registered for (BSN, WAARNEEMGEGEVENS) in the reference index and delivers the report to it; answers its acknowledgement (MCCI_IN000002: AA, AE, AR). The sender must be allowed to send one by the protocol (category CONTACTVERSLAG). No registered GP: 404 UNKNOWN_PATIENT with decision NO_REGISTERED_GP. GP down or too slow: 502 / 504, and the sender tries again with the same message id. Needs mutual TLS and Authorization: Bearer <signed professional assertion> for REPC_IN990003NL.',
        body: ObservationReportSubmission,
        ...signedBy(REPORT),
        response: { 200: ReportRouting, 401: Problem, ...pick(400, 403, 404, 502, 504) },
      },
    },
    async (request) => deps.run(REPORT, request.body, signed(request)),
  );

  app.get(
    '/reference-index/:bsn',
    {
      config: { interaction: LOOKUP.interaction },
      schema: {
        tags: ['reference index'],
        summary: `${describeInteraction(LOOKUP.interaction)} -> QUMT_IN020020`,
        description:
          'Which systems hold data on this patient. A lookup is an access: it needs the operator’s certificate, or a professional’s signed assertion for QUMT_IN020010 and this BSN (Authorization: Bearer <JWS>). Only the categories the authorisation protocol lets the professional see are answered; the lookup is in the patient’s access log.',
        params: z.object({ bsn: Bsn }),
        querystring: z.object({ category: DataCategory.optional(), situation: Situation.default('regular') }).strict(),
        ...signedBy(LOOKUP),
        response: { 200: z.object({ entries: z.array(IndexEntry) }), 401: Problem, ...pick(400, 403) },
      },
    },
    async (request) =>
      deps.run(
        LOOKUP,
        { bsn: request.params.bsn, category: request.query.category, situation: request.query.situation },
        signed(request),
      ),
  );

  const Answer = z.object({ permitted: z.boolean(), decision: Decision });
  app.post(
    '/questions/open',
    {
      config: { interaction: OPEN_QUESTION.interaction },
      schema: {
        tags: ['consent'],
        summary: 'Open question: which holders registered for this patient may share category C with me?',
        description:
          'Asked for a professional: it tells where the patient is in care, so it is a localisation (QUMT_IN020010) with its trust checks, protocol check and access-log entry. The role comes from the signed assertion (Authorization: Bearer <JWS>) and the organisation type from the address book.',
        body: z.object({ bsn: Bsn, category: DataCategory, situation: Situation.default('regular') }).strict(),
        ...signedBy(OPEN_QUESTION),
        response: {
          200: z.object({
            bsn: Bsn,
            category: DataCategory,
            holders: z.array(Answer.extend({ ura: Ura, organisationName: z.string(), applicationId: z.string() })),
          }),
          401: Problem,
          ...pick(400, 403),
        },
      },
    },
    async (request) => deps.run(OPEN_QUESTION, request.body, signed(request)),
  );
}
