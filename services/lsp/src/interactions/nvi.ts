import type { Decision } from '@schakel/contracts';
import type { InteractionDefinition } from '../pipeline/definition.js';
import type { NviList, NviStore } from '../nvi/store.js';
import type { Pseudonymise } from '../nvi/pseudonym-service.js';
import { by, lookupBase, which, wouldShare, type LookupQuery } from './lookups.js';

/** A List found for the asker, with its holder and the decision on sharing it with them. */
export interface NviFound {
  list: NviList;
  holder: { ura: string; organisationName: string; organisationType: string };
  permitted: boolean;
  decision: Decision;
}

export interface NviDeps {
  store: NviStore;
  /** The pseudonym service's forward direction; the NVI never sees a reverse. */
  pseudonymFor: Pseudonymise;
  /** The organisation the NVI's pseudonyms are made for: the switch point's URA. */
  nviUra: string;
}

/**
 * Localisation in the NVI (issue #17, point 2): a reference-index query (QUMT_IN020010) on the FHIR
 * wire, run by the one pipeline like the classic lookup: the operator, or a professional's signed
 * assertion for QUMT_IN020010 and this BSN; the protocol decides per category what the professional may
 * learn. Then, as the new model asks, every List found is put to the consent rules as the open question
 * does (wouldShare: protocol, then the patient's choices and the policies): only what they allow is
 * answered, every decision is explained, and one access-log entry names each holder with its decision.
 */
export function nviSearch(nvi: NviDeps): InteractionDefinition<LookupQuery, { found: NviFound[] }> {
  return {
    ...lookupBase,
    answer: 'QUMT_IN020020',
    async act(ctx) {
      const { q, deps } = ctx;
      const lists = await nvi.store.search(nvi.pseudonymFor(q.bsn, nvi.nviUra), ctx.categories);
      const found: NviFound[] = [];
      for (const list of lists) {
        const system = await deps.book.get(list.applicationId);
        const holder = {
          ura: list.custodianUra,
          organisationName: system?.organisationName ?? `system ${list.applicationId}`,
          organisationType: system?.organisationType ?? '',
        };
        if (ctx.professional === undefined) {
          const decision = {
            code: 'OPERATOR',
            rule: 'LSP-OP-1: the operator sees the whole index',
            explanation: 'Asked by the operator.',
          };
          found.push({ list, holder, permitted: true, decision });
        } else if (system === undefined) {
          found.push({
            list,
            holder,
            permitted: false,
            decision: {
              code: 'UNKNOWN_SYSTEM',
              rule: 'LSP-AUTH-1: only systems in the address book may ask or send',
              explanation: `System ${list.applicationId} is no longer in the address book.`,
            },
          });
        } else {
          const asker = {
            roleCode: ctx.professional.claims.role,
            organisationType: ctx.professional.requester.organisationType,
            situation: q.situation,
          };
          const name = { ura: holder.ura, organisationType: system.organisationType, name: system.organisationName };
          found.push({ list, holder, ...(await wouldShare(deps, q.bsn, asker, name, list.category)) });
        }
      }
      const shared = found.filter((f) => f.permitted).length;
      const auth = ctx.professional?.decision;
      return {
        answer: { found },
        log: {
          outcome: found.length > 0 && shared === 0 ? 'refused' : 'permitted',
          code:
            ctx.professional === undefined
              ? 'OPERATOR'
              : found.length > 0 && shared === 0
                ? 'NO_SOURCE_PERMITTED'
                : 'PROTOCOL_ALLOW',
          explanation: [
            auth !== undefined ? `${auth.explanation} [${auth.rule}] ` : '',
            `NVI localisation by ${by(ctx)} (${which(ctx.categories)}): ${shared} of ${found.length} lists shared`,
            ...found.map(
              (f) =>
                `; ${f.holder.organisationName} ${f.list.category}: ${f.permitted ? 'may share' : 'may not share'} (${f.decision.code}${f.decision.consentRecordId !== undefined ? `, consent record ${f.decision.consentRecordId}` : ''})`,
            ),
          ].join(''),
          sources: found.map((f) => ({
            applicationId: f.list.applicationId,
            status: f.permitted ? ('ok' as const) : ('refused' as const),
            code: f.decision.code,
          })),
        },
      };
    },
  };
}
