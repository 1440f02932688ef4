import { summaryBundle, summaryQueryOf } from '@schakel/fhir';
import { fhirLeg, type RoutePlugin } from '@schakel/service-kit';
import type { SummaryAnswers } from './summary-query.js';

/**
 * The practice's summary leg on FHIR (GET /lsp/fhir/Patient/$summary?identifier=<bsn system>|<bsn>), for
 * when its address-book entry says it speaks fhir (the topology's `wire`, WIRE=fhir). Only a translation at
 * the edge: the search is read into the same SourceSummaryQuery the JSON leg takes, answered by the same
 * function, and the answer written as a document Bundle (packages/fhir summary.ts); a decline is a
 * collection holding the decision as an OperationOutcome, an unknown patient an empty collection.
 */
export const fhirLegRoutes: RoutePlugin<{ answers: SummaryAnswers }> = async (app, { answers }) => {
  await fhirLeg(app, [
    {
      path: 'Patient/$summary',
      interaction: 'QUPC_IN990001NL',
      category: 'WAARNEEMGEGEVENS',
      answer: async ({ params, requester, base, aorta }) =>
        summaryBundle(base, await answers(summaryQueryOf(params, requester), aorta)),
    },
  ]);
};
