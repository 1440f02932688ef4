import { z } from 'zod';
import { ConsentRequest, notFound } from '@schakel/contracts';
import { pick, upstreamProblem, type App, type SwitchPointClient } from '@schakel/service-kit';
import type { PharmacyStore } from './store.js';
import type { PharmacyIdentity } from './routes.js';

/**
 * Choices patients made online in the portal reach the pharmacy as requests, as in the real flow: the
 * pharmacy lists them and processes each (accept or decline). Accepting records the choice at the switch
 * point (channel portal), then registers (consent) or deregisters (objection, withdrawal) in the index
 * when the choice covers medication for every consumer, and keeps the patient's state here in step.
 */
export function consentRequestRoutes(app: App, store: PharmacyStore, lsp: SwitchPointClient, me: PharmacyIdentity): void {
  app.get(
    '/consent-requests',
    { schema: { tags: ['consent'], summary: 'Online choices from the patient portal waiting for this pharmacy', response: { 200: z.object({ requests: z.array(ConsentRequest) }), ...pick(502, 504) } } },
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
        const { request: processed } = await lsp.processConsentRequest(request.params.id, request.body.accept, request.aorta);
        const coversMedication = (pending.category === '*' || pending.category === 'MEDVERSTREKKING') && pending.consumerType === '*';
        if (request.body.accept && coversMedication) {
          if (pending.state === 'consent') await lsp.register(pending.bsn, 'MEDVERSTREKKING', me.applicationId, request.aorta);
          else await lsp.deregister(pending.bsn, 'MEDVERSTREKKING', me.applicationId, request.aorta);
          if ((await store.getPatient(pending.bsn)) !== undefined) await store.setConsent(pending.bsn, pending.state, 'portal');
        }
        return { request: processed };
      } catch (err) {
        if (err instanceof Error && err.name === 'ProblemError') throw err;
        throw upstreamProblem(err, 'Processing the online choice at the switch point');
      }
    },
  );
}
