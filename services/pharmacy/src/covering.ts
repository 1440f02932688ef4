import { z } from 'zod';
import { Bsn, IsoDate, Problem, ProblemError, Professional, QueryBatch, describeInteraction } from '@schakel/contracts';
import { pick, upstreamProblem, type RoutePlugin } from '@schakel/service-kit';
import { actingProfessional, type SignedQueries } from '@schakel/consult';

const CoveringLookup = z
  .object({
    bsn: Bsn,
    professional: Professional.optional().describe(
      'The covering pharmacist (waarnemend apotheker) asking, e.g. role 17.000 apotheker: the logged-in user. Optional; when given it must be that user (403 FRONT_OFFICE_USER_MISMATCH otherwise). The pharmacy must hold their UZI card',
    ),
    responsible: Professional.optional().describe(
      'The responsible pharmacist, when a pharmacy assistant (83.000) asks on their behalf (mandating)',
    ),
    from: IsoDate.optional(),
    to: IsoDate.optional(),
    latestPerProduct: z.boolean().optional(),
  })
  .strict()
  .meta({ id: 'CoveringLookup' });

/**
 * The covering pharmacist (waarnemend apotheker; LHV: medication data are available to "de waarnemend
 * apotheker"): in the evening, at night or at the weekend one pharmacy dispenses for patients of the
 * others, and asks their dispenses through the switch point (rule AP-MED-1 of the default protocol).
 * The query is signed with the pharmacist's UZI card, as every consumer's is; the switch point applies
 * the patient's consent per holder and never asks this pharmacy itself (its own dispenses are in its
 * own record: decisions.md 26).
 */
export const coveringRoutes: RoutePlugin<{ ask: SignedQueries }> = async (app, { ask }) => {
  app.post(
    '/covering/medication',
    {
      schema: {
        tags: ['covering pharmacist'],
        summary: `As the covering pharmacist, ask the other pharmacies’ dispenses: ${describeInteraction('QURX_IN990011NL')}`,
        description:
          'Returns the switch point’s batch as is: one entry per other pharmacy with its status and the deciding rule and consent record; this pharmacy itself is never asked. Refusals by the switch point (4xx) are passed on with their code; NO_CREDENTIAL when the pharmacy holds no card for the professional.',
        body: CoveringLookup,
        response: { 200: QueryBatch, 401: Problem, ...pick(400, 403, 404, 502, 504) },
      },
    },
    async (request) => {
      const { bsn, professional: named, responsible, ...period } = request.body;
      // The logged-in user asks, with their own card; naming someone else is refused.
      const professional = actingProfessional(request, named);
      try {
        return await ask(
          { bsn, professional, responsible, situation: 'regular', patientCannotConsent: false },
          'QURX_IN990011NL',
          request.aorta,
          period,
        );
      } catch (err) {
        if (err instanceof ProblemError) throw err;
        throw upstreamProblem(err, `The ${describeInteraction('QURX_IN990011NL')} at the switch point`);
      }
    },
  );
};
