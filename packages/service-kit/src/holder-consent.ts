import { z } from 'zod';
import {
  Bsn,
  ConsentChannel,
  ConsentRequest,
  ConsentState,
  notFound,
  ProblemError,
  type DataCategory,
} from '@schakel/contracts';
import { pick, type App } from './app.js';
import { upstreamProblem } from './client.js';
import type { SwitchPointClient } from './lsp-client.js';

/** What a holder keeps about its patients: the patient (with the choice as recorded here) and the choice. */
export interface HolderPatients<P> {
  get: (bsn: string) => Promise<P | undefined>;
  setConsent: (bsn: string, state: ConsentState, channel: z.infer<typeof ConsentChannel>) => Promise<void>;
}

export interface HolderConsentOptions<P, A> {
  lsp: SwitchPointClient;
  holder: { ura: string; applicationId: string };
  /** The data category the holder registers in the reference index for a patient who consents. */
  category: DataCategory;
  /** What the choice is about, in the route's summary: "medication data", "the professional summary". */
  data: string;
  patients: HolderPatients<P>;
  /** What PUT /patients/{bsn}/consent answers, made from the patient as recorded after the change. */
  answer: { schema: z.ZodType<A>; of: (patient: P) => A };
}

const BsnParams = z.object({ bsn: Bsn });
const ConsentChange = z
  .object({ state: ConsentState, channel: ConsentChannel.default('holder-system') })
  .strict()
  .meta({ id: 'ConsentChange' });

/**
 * The patient's choice about sharing one category of a holder's data, the same for every holder (the
 * pharmacy: MEDVERSTREKKING; the GP: WAARNEEMGEGEVENS), whichever way it comes in:
 * - recorded at the holder (`PUT /patients/{bsn}/consent`): at the switch point first (the consent record,
 *   then MFMT_IN002101 on consent or MFMT_IN002103 otherwise), then locally, so that a failure there
 *   changes nothing here and the call can simply be repeated (both steps are idempotent);
 * - made online in the portal: the choice reaches the holder as a request, which it lists and processes
 *   (accept or decline), as in the real flow. Accepting records it at the switch point (channel portal),
 *   then registers or deregisters the category when the choice covers it for every consumer, and keeps
 *   the local state in step.
 */
export async function holderConsentRoutes<P, A>(app: App, options: HolderConsentOptions<P, A>): Promise<void> {
  const { lsp, holder, category, patients } = options;
  // The answer's shape is the holder's; the serializer checks every answer against it.
  const answer: z.ZodType = options.answer.schema;

  /** Register on consent, deregister otherwise: the holder's index entry follows the choice. */
  async function index(bsn: string, state: ConsentState, aorta: { initialRequestId: string }): Promise<void> {
    if (state === 'consent') await lsp.register(bsn, category, holder.applicationId, aorta);
    else await lsp.deregister(bsn, category, holder.applicationId, aorta);
  }

  app.put(
    '/patients/:bsn/consent',
    {
      schema: {
        tags: ['consent'],
        summary: `Record the patient’s choice about sharing ${options.data} through the switch point`,
        description: `Consent registers (BSN, ${category}) in the switch point’s reference index (MFMT_IN002101); an objection or withdrawal deregisters it (MFMT_IN002103). The choice is recorded at the switch point first, so a failure there changes nothing here and the call can simply be repeated.`,
        params: BsnParams,
        body: ConsentChange,
        response: { 200: answer, ...pick(400, 404, 502, 504) },
      },
    },
    async (request) => {
      const { bsn } = request.params;
      const { state, channel } = request.body;
      if ((await patients.get(bsn)) === undefined) throw notFound(`Patient ${bsn}`);
      try {
        await lsp.recordConsent(bsn, holder.ura, { state, recordedBy: holder.applicationId, channel }, request.aorta);
        await index(bsn, state, request.aorta);
      } catch (err) {
        throw upstreamProblem(err, 'Recording the choice at the switch point');
      }
      await patients.setConsent(bsn, state, channel);
      request.log.info({ state, channel }, 'consent recorded and reference index updated');
      const patient = await patients.get(bsn);
      if (patient === undefined) throw notFound(`Patient ${bsn}`);
      return options.answer.of(patient);
    },
  );

  app.get(
    '/consent-requests',
    {
      schema: {
        tags: ['consent'],
        summary: 'Online choices from the patient portal waiting for this holder',
        response: { 200: z.object({ requests: z.array(ConsentRequest) }), ...pick(502, 504) },
      },
    },
    async () => {
      try {
        return { requests: await lsp.pendingConsentRequests() };
      } catch (err) {
        throw upstreamProblem(err, 'Fetching the online choices from the switch point');
      }
    },
  );
  app.post(
    '/consent-requests/:id/process',
    {
      schema: {
        tags: ['consent'],
        summary: 'Process an online choice: accept (recorded at the switch point, index updated) or decline',
        params: z.object({ id: z.coerce.number().int().positive() }),
        body: z.object({ accept: z.boolean() }).strict(),
        response: { 200: z.object({ request: ConsentRequest }), ...pick(400, 404, 409, 502, 504) },
      },
    },
    async (request) => {
      try {
        const pending = (await lsp.pendingConsentRequests()).find((r) => r.id === request.params.id);
        if (pending === undefined) throw notFound(`Pending consent request ${request.params.id}`);
        const { request: processed } = await lsp.processConsentRequest(
          request.params.id,
          request.body.accept,
          request.aorta,
        );
        const covers = (pending.category === '*' || pending.category === category) && pending.consumerType === '*';
        if (request.body.accept && covers) {
          await index(pending.bsn, pending.state, request.aorta);
          if ((await patients.get(pending.bsn)) !== undefined)
            await patients.setConsent(pending.bsn, pending.state, 'portal');
        }
        return { request: processed };
      } catch (err) {
        if (err instanceof ProblemError) throw err;
        throw upstreamProblem(err, 'Processing the online choice at the switch point');
      }
    },
  );
}
