import { z } from 'zod';
import { ConsentRequest, notFound, ProblemError, type ConsentState, type DataCategory } from '@schakel/contracts';
import { pick, type App } from './app.js';
import { upstreamProblem } from './client.js';
import type { SwitchPointClient } from './lsp-client.js';

/**
 * Choices patients made online in the portal reach a holder as requests, as in the real flow: the holder
 * lists them and processes each (accept or decline). Accepting records the choice at the switch point
 * (channel portal), then registers (consent) or deregisters (objection, withdrawal) the holder's data
 * category in the index when the choice covers it for every consumer, and keeps the local state in step.
 * Shared by the pharmacy (MEDVERSTREKKING) and the GP (WAARNEEMGEGEVENS).
 */
export function consentRequestRoutes(
  app: App,
  lsp: SwitchPointClient,
  holder: { applicationId: string; category: DataCategory; setLocalConsent: (bsn: string, state: ConsentState) => Promise<void> },
): void {
  app.get(
    '/consent-requests',
    { schema: { tags: ['consent'], summary: 'Online choices from the patient portal waiting for this holder', response: { 200: z.object({ requests: z.array(ConsentRequest) }), ...pick(502, 504) } } },
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
        const covers = (pending.category === '*' || pending.category === holder.category) && pending.consumerType === '*';
        if (request.body.accept && covers) {
          if (pending.state === 'consent') await lsp.register(pending.bsn, holder.category, holder.applicationId, request.aorta);
          else await lsp.deregister(pending.bsn, holder.category, holder.applicationId, request.aorta);
          await holder.setLocalConsent(pending.bsn, pending.state);
        }
        return { request: processed };
      } catch (err) {
        if (err instanceof ProblemError) throw err;
        throw upstreamProblem(err, 'Processing the online choice at the switch point');
      }
    },
  );
}
