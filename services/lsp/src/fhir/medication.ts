import { z } from 'zod';
import { problem, type MedicationQuery } from '@schakel/contracts';
import { batchSearchset, medicationSearchOf } from '@schakel/fhir';
import type { VerifyResult } from '@schakel/trust/assertion';
import { MEDICATION } from '../interactions/queries.js';
import type { FhirModule } from './module.js';

/** Schakel's own search parameters beside R4's, for what the JSON query says in its body. */
const Flags = z.object({
  'treatment-relation': z.enum(['true', 'false']).default('true'),
  situation: z.enum(['regular', 'acute']).default('regular'),
  'verbal-consent': z.enum(['true', 'false']).default('false'),
  'patient-cannot-consent': z.enum(['true', 'false']).default('false'),
});

/**
 * The medication query (QURX_IN990011NL) as a FHIR search at the switch point:
 * `GET /fhir/MedicationDispense?patient.identifier=http://fhir.nl/fhir/NamingSystem/bsn|<bsn>`, with the
 * system certificate and the professional's signed assertion (Authorization: Bearer <JWS>, signed for
 * QURX_IN990011NL and this BSN). Only a translation at the edge: the search becomes the same MedicationQuery
 * the JSON wire takes (the professional is the one who signed; the signed assertion for this patient is the
 * treatment relation asserted, unless `treatment-relation=false`), the one pipeline decides, fans out (to
 * JSON, HL7v3 and FHIR sources alike) and logs; the batch comes back as a searchset Bundle of the
 * dispenses (with their Medication and the intolerances and contra-indications when asked with _include
 * and _revinclude) and an OperationOutcome per source with its status and the decision (docs/fhir.md).
 */
export const medicationModule: FhirModule = {
  name: 'medication',
  capability: {
    resource: [
      {
        type: 'MedicationDispense',
        interaction: [{ code: 'search-type' }],
        searchInclude: ['MedicationDispense:medication'],
        searchRevInclude: ['AllergyIntolerance:patient', 'Flag:patient'],
        searchParam: [
          {
            name: 'patient.identifier',
            type: 'token',
            documentation: 'The BSN: http://fhir.nl/fhir/NamingSystem/bsn|<BSN> (required)',
          },
          { name: 'whenhandedover', type: 'date', documentation: 'ge<date> and/or le<date>: the period' },
          {
            name: 'latest-per-product',
            type: 'token',
            documentation: 'true: only the latest dispense of each product',
          },
          {
            name: 'treatment-relation',
            type: 'token',
            documentation: 'false: no treatment relation (refused); default true',
          },
          { name: 'situation', type: 'token', documentation: 'regular (default) or acute' },
          { name: 'verbal-consent', type: 'token', documentation: 'true: verbal consent on the spot (corona opt-in)' },
          {
            name: 'patient-cannot-consent',
            type: 'token',
            documentation: 'true: emergency, the patient cannot consent',
          },
        ],
      },
    ],
  },
  routes: (scope, deps) => {
    scope.get(
      '/MedicationDispense',
      {
        config: { interaction: 'QURX_IN990011NL', category: 'MEDVERSTREKKING' },
        schema: { hide: true },
      },
      async (request) => {
        const params = request.query as Record<string, string | string[] | undefined>;
        const one = (name: keyof z.infer<typeof Flags>) => {
          const v = params[name];
          return Array.isArray(v) ? v[0] : v;
        };
        const flags = Flags.safeParse(Object.fromEntries(Object.keys(Flags.shape).map((k) => [k, one(k as never)])));
        if (!flags.success)
          throw problem('VALIDATION_ERROR', flags.error.issues[0]?.message ?? 'a search parameter is not valid', {
            field: `query.${String(flags.error.issues[0]?.path[0] ?? '')}`,
          });
        // The search's own parameters, read by the same code a FHIR pharmacy reads them with; the requester
        // is filled in below from the connection and the assertion, not from the search.
        const { includes, ...search } = medicationSearchOf(params);
        // The assertion is verified once, here: its professional is the query's, and the pipeline gets the
        // same verdict (a second verification would see its message id again and refuse it as a replay).
        const signed = deps.signed(request);
        const verdict: VerifyResult | undefined = await signed.token();
        const claims = verdict?.ok === true ? verdict.claims : undefined;
        const client = signed.client;
        // Without a valid assertion there is no professional: the pipeline refuses it (and logs the refusal).
        const q = {
          ...search,
          requester: {
            applicationId: client.applicationId,
            ...(claims !== undefined ? { professional: { uziNumber: claims.sub, roleCode: claims.role } } : {}),
            ...(claims?.resp !== undefined ? { responsible: claims.resp } : {}),
          },
          treatmentRelation: flags.data['treatment-relation'] === 'true',
          situation: flags.data.situation,
          verbalConsent: flags.data['verbal-consent'] === 'true',
          patientCannotConsent: flags.data['patient-cannot-consent'] === 'true',
        } as z.output<typeof MedicationQuery>;
        const batch = await deps.run(MEDICATION, q, { ...signed, token: async () => verdict });
        const base = `https://${request.headers.host ?? '127.0.0.1'}/fhir`;
        return batchSearchset(
          base,
          batch,
          includes,
          `${base}${request.url.slice(request.url.indexOf('/MedicationDispense'))}`,
        );
      },
    );
  },
};
