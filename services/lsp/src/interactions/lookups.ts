import { DATA_CATEGORIES, problem, type DataCategory, type Decision, type IndexEntry } from '@schakel/contracts';
import { consentDecision } from '../authorisation/consent-rules.js';
import { authorise, type Situation } from '../authorisation/protocol.js';
import { toEntry } from '../reference-index.js';
import type { InteractionDefinition, Authorised } from '../pipeline/definition.js';
import type { PipelineDeps } from '../pipeline/pipeline.js';

const ALL_CATEGORIES = Object.keys(DATA_CATEGORIES) as DataCategory[];

export interface LookupQuery {
  bsn: string;
  category?: DataCategory | undefined;
  situation: Situation;
}

/**
 * Localisation is itself an access to personal data (where is this patient in care?), so it runs the
 * pipeline like a query: the operator, or a professional's signed assertion for QUMT_IN020010 and this
 * BSN; the protocol decides per category what the professional may learn (an insurance doctor is refused
 * whether or not the patient is known); one access-log entry, visible in the portal.
 */
export const lookupBase = {
  interaction: 'QUMT_IN020010' as const,
  operatorMay: true,
  categories: (q: LookupQuery) => (q.category !== undefined ? [q.category] : ALL_CATEGORIES),
  subject: (q: LookupQuery, client: { applicationId: string }) => ({
    bsn: q.bsn,
    applicationId: client.applicationId,
    situation: q.situation,
    category: q.category,
  }),
};
export const by = (ctx: Authorised<LookupQuery>) =>
  ctx.professional === undefined ? 'the operator' : `a professional of ${ctx.professional.requester.organisationName}`;
export const which = (categories: DataCategory[]) =>
  categories.length === ALL_CATEGORIES.length ? 'all categories' : categories.join(', ');

/** QUMT_IN020010 -> QUMT_IN020020: which systems hold which categories on this patient. */
export const LOOKUP: InteractionDefinition<LookupQuery, { entries: IndexEntry[] }> = {
  ...lookupBase,
  answer: 'QUMT_IN020020',
  async act(ctx) {
    const allowed = new Set<string>(ctx.categories);
    const entries = (await ctx.deps.index.entries(ctx.q.bsn, ctx.q.category))
      .filter((e) => allowed.has(e.category))
      .map(toEntry);
    return {
      answer: { entries },
      log: {
        outcome: 'permitted',
        code: ctx.professional === undefined ? 'OPERATOR' : 'PROTOCOL_ALLOW',
        explanation: `Reference-index lookup by ${by(ctx)} (${which(ctx.categories)}): ${entries.length} entries`,
      },
    };
  },
};

export interface OpenAnswer {
  bsn: string;
  category: DataCategory;
  holders: { ura: string; organisationName: string; applicationId: string; permitted: boolean; decision: Decision }[];
}

/** Would this holder share this category with this asker? The protocol first, then the consent rules. */
export async function wouldShare(
  deps: Pick<PipelineDeps, 'protocol' | 'consents' | 'policies'>,
  bsn: string,
  asker: { roleCode: string; organisationType: string; situation: Situation },
  holder: { ura: string; organisationType: string; name: string },
  category: DataCategory,
): Promise<{ permitted: boolean; decision: Decision }> {
  const auth = authorise(deps.protocol, { ...asker, category });
  if (!auth.permitted) {
    const { permitted: _p, ...decision } = auth;
    return { permitted: false, decision };
  }
  const {
    permitted,
    emergency: _e,
    ...decision
  } = consentDecision(
    await deps.consents.choices(bsn),
    {
      holder,
      category,
      consumerType: asker.organisationType,
      situation: asker.situation,
      verbalConsent: false,
      patientCannotConsent: false,
    },
    await deps.policies.current(),
  );
  return { permitted, decision };
}

/** The open question (Mitz): which registered holders may share this category with me? A localisation too. */
export const OPEN_QUESTION: InteractionDefinition<LookupQuery & { category: DataCategory }, OpenAnswer> = {
  ...lookupBase,
  answer: 'OPEN_QUESTION_ANSWER',
  async act(ctx) {
    const { q, deps } = ctx;
    if (ctx.professional === undefined) {
      throw problem(
        'CLIENT_NOT_ALLOWED',
        'The open question is asked for a professional (a signed assertion), not by the operator; the operator reads the consent profile at GET /consents/{bsn}',
      );
    }
    const asker = {
      roleCode: ctx.professional.claims.role,
      organisationType: ctx.professional.requester.organisationType,
      situation: q.situation,
    };
    const holders: OpenAnswer['holders'] = [];
    for (const e of await deps.index.entries(q.bsn, q.category)) {
      holders.push({
        ura: e.ura,
        organisationName: e.organisationName,
        applicationId: e.applicationId,
        ...(await wouldShare(
          deps,
          q.bsn,
          asker,
          { ura: e.ura, organisationType: e.organisationType, name: e.organisationName },
          q.category,
        )),
      });
    }
    return {
      answer: { bsn: q.bsn, category: q.category, holders },
      log: {
        outcome: holders.some((h) => h.permitted) ? 'permitted' : 'refused',
        code: 'CONSENT_QUESTION',
        explanation:
          holders
            .map((h) => `${h.organisationName}: ${h.permitted ? 'may share' : 'may not share'} (${h.decision.code})`)
            .join('; ') || 'no holder registered',
      },
    };
  },
};
