import { Policies, type PolicyNotice } from '@schakel/contracts';
import { nowIso, type App, type ServiceClient } from '@schakel/service-kit';
import type { AddressBook } from './address-book.js';
import type { PolicyStore } from './policies.js';

export interface PolicyNoticeDeps {
  policies: PolicyStore;
  book: AddressBook;
  client: ServiceClient;
  timeoutMs: number;
}

/** The category whose holders take part in the corona opt-in: the GP's professional summary. */
const OPT_IN_CATEGORY = 'WAARNEEMGEGEVENS';

/**
 * The corona opt-in runs at the holders (docs/decisions.md 23): while it is on, a GP practice that joined it
 * registers its no-choice patients itself; when it ends, the practice withdraws them. So connected systems
 * may read the policies in force, and when the operator starts or ends the opt-in the switch point tells
 * every holder of the professional summary at once (like a Mitz subscription notice). The change is done
 * when they have been told; a holder that cannot be reached is logged, and its stale entries are
 * disregarded anyway (POLICY-CORONA-INDEX in authorisation/consent-rules.ts).
 */
export function policyNoticeRoutes(app: App, deps: PolicyNoticeDeps): void {
  app.get(
    '/policies',
    {
      schema: {
        tags: ['policies'],
        summary: 'The policy switches in force, as connected systems read them',
        response: { 200: Policies },
      },
    },
    async () => deps.policies.current(),
  );

  deps.policies.onChange(async (before, after) => {
    if (before.coronaOptIn === after.coronaOptIn) return;
    const notice: PolicyNotice = { policies: after, changedAt: nowIso() };
    const holders = (await deps.book.list()).filter((s) => s.baseUrl !== null && s.provides.includes(OPT_IN_CATEGORY));
    const results = await Promise.allSettled(
      holders.map((h) =>
        deps.client.call(h.baseUrl as string, {
          method: 'POST',
          path: '/lsp/policy-notices',
          body: notice,
          timeoutMs: deps.timeoutMs,
        }),
      ),
    );
    results.forEach((r, i) => {
      const h = holders[i];
      if (r.status === 'rejected')
        app.log.warn(
          { applicationId: h?.applicationId, err: (r.reason as Error).message },
          'holder not told of the corona opt-in change',
        );
      else
        app.log.info(
          { applicationId: h?.applicationId, coronaOptIn: after.coronaOptIn },
          'holder told of the corona opt-in change',
        );
    });
  });
}
