import { z } from 'zod';
import { Bsn, ConsentChannel, ConsentState, notFound } from '@schakel/contracts';
import { pick, recordHolderChoice, type App, type SwitchPointClient } from '@schakel/service-kit';
import type { PatientStore } from './patients.js';

const BsnParams = z.object({ bsn: Bsn });
const GpConsent = z
  .object({ bsn: Bsn, state: ConsentState, channel: z.string().nullable(), recordedAt: z.string().nullable() })
  .meta({ id: 'GpConsent' });
const ConsentChange = z.object({ state: ConsentState, channel: ConsentChannel.default('holder-system') }).strict().meta({ id: 'GpConsentChange' });

export interface GpIdentity {
  applicationId: string;
  ura: string;
  name: string;
}

/**
 * The patient's choice about sharing the professional summary through the switch point. As at the pharmacy
 * (decisions.md 5): recorded at the switch point first (consent record, then the reference index entry for
 * WAARNEEMGEGEVENS: MFMT_IN002101 on consent, MFMT_IN002103 otherwise), then locally, so a failure there
 * changes nothing here and the call can be repeated.
 */
export function consentRoutes(app: App, patients: PatientStore, lsp: SwitchPointClient, me: GpIdentity): void {
  app.put(
    '/patients/:bsn/consent',
    {
      schema: {
        tags: ['consent'],
        summary: 'Record the patient’s choice about sharing the professional summary through the switch point',
        description: 'Consent registers (BSN, WAARNEEMGEGEVENS) in the reference index (MFMT_IN002101); an objection or withdrawal deregisters it (MFMT_IN002103).',
        params: BsnParams,
        body: ConsentChange,
        response: { 200: GpConsent, ...pick(400, 404, 502, 504) },
      },
    },
    async (request) => {
      const { bsn } = request.params;
      const { state, channel } = request.body;
      if ((await patients.get(bsn)) === undefined) throw notFound(`Patient ${bsn}`);
      await recordHolderChoice(lsp, me, { bsn, category: 'WAARNEEMGEGEVENS', state, channel }, request.aorta);
      await patients.setConsent(bsn, state, channel);
      request.log.info({ state, channel }, 'consent recorded and reference index updated');
      const patient = await patients.get(bsn);
      if (patient === undefined) throw notFound(`Patient ${bsn}`);
      return { bsn, ...patient.consent };
    },
  );
  app.get(
    '/patients/:bsn/consent',
    { schema: { tags: ['consent'], summary: 'The patient’s choice as this practice recorded it', params: BsnParams, response: { 200: GpConsent, ...pick(400, 404) } } },
    async (request) => {
      const patient = await patients.get(request.params.bsn);
      if (patient === undefined) throw notFound(`Patient ${request.params.bsn}`);
      return { bsn: patient.bsn, ...patient.consent };
    },
  );
}
