import { z } from 'zod';
import { Bsn, DataCategory, Decision, OrganisationType, Problem, Ura, UziRoleCode, problem } from '@schakel/contracts';
import { pick, type App } from '@schakel/service-kit';
import type { ConsentStore } from './consent.js';
import type { PolicyStore } from './policies.js';
import { authorise, Situation } from './authorisation/protocol.js';
import { consentDecision } from './authorisation/consent-rules.js';
import { caller } from './auth.js';
import { checkLookup, type LocalisationDeps } from './localisation.js';

const Answer = z.object({ permitted: z.boolean(), decision: Decision });

/**
 * The two questions of the consent model (Mitz): the closed question ("may role R of organisation type T
 * see category C held by H for BSN B?", permit or deny per category, with the deciding rule) and the open
 * question ("which holders may share category C with my kind of organisation?"). Both are logged.
 */
export function questionRoutes(app: App, deps: LocalisationDeps & { consents: ConsentStore; policies: PolicyStore }): void {
  async function decide(bsn: string, r: { roleCode: string; organisationType: string; situation: 'regular' | 'acute' }, holder: { ura: string; organisationType: string; name: string }, category: DataCategory) {
    const auth = authorise(deps.protocol, { ...r, category });
    if (!auth.permitted) {
      const { permitted: _p, ...decision } = auth;
      return { permitted: false, decision };
    }
    const { permitted, emergency: _e, ...decision } = consentDecision(
      await deps.consents.choices(bsn),
      { holder, category, consumerType: r.organisationType, situation: r.situation, verbalConsent: false, patientCannotConsent: false },
      await deps.policies.current(),
    );
    return { permitted, decision };
  }

  app.post(
    '/questions/closed',
    {
      schema: {
        tags: ['consent'],
        summary: 'Closed question: may role R of organisation type T see these categories held by H for BSN B?',
        body: z
          .object({ bsn: Bsn, roleCode: UziRoleCode, organisationType: OrganisationType, holderUra: Ura, categories: z.array(DataCategory).min(1).max(20), situation: Situation.default('regular') })
          .strict(),
        response: { 200: z.object({ bsn: Bsn, holderUra: Ura, answers: z.array(Answer.extend({ category: DataCategory })) }), ...pick(400, 404) },
      },
    },
    async (request) => {
      const q = request.body;
      const holderSystem = (await deps.book.byUra(q.holderUra))[0];
      if (holderSystem === undefined) throw problem('UNKNOWN_ORGANISATION', `Organisation ${q.holderUra} is not in the address book`, { field: 'body.holderUra', expected: 'the URA of an organisation in the address book' });
      const holder = { ura: q.holderUra, organisationType: holderSystem.organisationType, name: holderSystem.organisationName };
      const answers = [];
      for (const category of q.categories) answers.push({ category, ...(await decide(q.bsn, q, holder, category)) });
      const client = caller(request);
      await deps.accessLog.write({
        interaction: 'CLOSED_QUESTION',
        initialRequestId: request.aorta.initialRequestId,
        requestId: request.aorta.requestId,
        bsn: q.bsn,
        clientSubject: client.subject,
        requesterApplicationId: client.applicationId,
        requesterUra: client.ura,
        actingRole: q.roleCode,
        situation: q.situation,
        outcome: answers.some((a) => a.permitted) ? 'permitted' : 'refused',
        code: 'CONSENT_QUESTION',
        explanation: answers.map((a) => `${a.category}: ${a.permitted ? 'permit' : 'deny'} (${a.decision.code})`).join('; '),
      });
      return { bsn: q.bsn, holderUra: q.holderUra, answers };
    },
  );

  app.post(
    '/questions/open',
    {
      config: { interaction: 'QUMT_IN020010' },
      schema: {
        tags: ['consent'],
        summary: 'Open question: which holders registered for this patient may share category C with me?',
        description:
          'Asked for a professional: it tells where the patient is in care, so it is a localisation (QUMT_IN020010) with its trust checks, protocol check and access-log entry. The role comes from the signed assertion (Authorization: Bearer <JWS>) and the organisation type from the address book.',
        body: z.object({ bsn: Bsn, category: DataCategory, situation: Situation.default('regular') }).strict(),
        security: [{ assertion: [] }],
        response: { 200: z.object({ bsn: Bsn, category: DataCategory, holders: z.array(Answer.extend({ ura: Ura, organisationName: z.string(), applicationId: z.string() })) }), 401: Problem, ...pick(400, 403) },
      },
    },
    async (request) => {
      const q = request.body;
      const lookup = await checkLookup(deps, request, q.bsn, q);
      if (lookup.professional === undefined) {
        throw problem('CLIENT_NOT_ALLOWED', 'The open question is asked for a professional (a signed assertion), not by the operator; the operator reads the consent profile at GET /consents/{bsn}');
      }
      const asker = { roleCode: lookup.professional.roleCode, organisationType: lookup.professional.system.organisationType, situation: q.situation };
      const holders = [];
      for (const e of await deps.index.entries(q.bsn, q.category)) {
        holders.push({ ura: e.ura, organisationName: e.organisation_name, applicationId: e.application_id, ...(await decide(q.bsn, asker, { ura: e.ura, organisationType: e.organisation_type, name: e.organisation_name }, q.category)) });
      }
      await lookup.log(
        holders.some((h) => h.permitted) ? 'permitted' : 'refused',
        'CONSENT_QUESTION',
        holders.map((h) => `${h.organisationName}: ${h.permitted ? 'may share' : 'may not share'} (${h.decision.code})`).join('; ') || 'no holder registered',
      );
      return { bsn: q.bsn, category: q.category, holders };
    },
  );
}
