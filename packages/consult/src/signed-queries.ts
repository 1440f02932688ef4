import { problem, type Interaction, type Professional, type QueryBatch } from '@schakel/contracts';
import type { SwitchPointClient } from '@schakel/service-kit';
import { signAssertion, type CredentialDirectory } from '@schakel/trust/assertion';

/** Who asks, for whom, in which situation: what a consult (or a pharmacy's lookup) knows of a query. */
export interface QuerySubject {
  bsn: string;
  professional: Professional;
  responsible?: Professional | undefined;
  situation: 'regular' | 'acute';
  patientCannotConsent: boolean;
}

export interface QueryExtras {
  verbalConsent?: boolean;
  from?: string | undefined;
  to?: string | undefined;
  latestPerProduct?: boolean | undefined;
}

/**
 * A query to the switch point the way every consumer makes it: signed with the acting professional's UZI
 * card (NO_CREDENTIAL when the organisation holds none), naming this system as the requester, asserting the
 * treatment relation, through the organisation's typed switch-point client. Used by the consult routes of
 * the HAP, SEH, ambulance and hospital, and by the covering pharmacist's lookup at a pharmacy.
 */
export function createSignedQueries(deps: {
  lsp: SwitchPointClient;
  me: { applicationId: string };
  cards: CredentialDirectory;
}) {
  return async function ask(
    subject: QuerySubject,
    interaction: Extract<Interaction, 'QURX_IN990011NL' | 'QUPC_IN990001NL'>,
    aorta: { initialRequestId: string },
    extra: QueryExtras = {},
  ): Promise<QueryBatch> {
    const card = deps.cards.get(subject.professional.uziNumber);
    if (card === undefined) {
      throw problem(
        'NO_CREDENTIAL',
        `This organisation holds no UZI card for professional ${subject.professional.uziNumber}; issue one with \`npm run enrol\``,
        {
          field: 'professional.uziNumber',
          expected: 'a professional whose UZI card credential this organisation holds',
        },
      );
    }
    const responsible = subject.responsible;
    const assertion = await signAssertion(card, {
      interaction,
      bsn: subject.bsn,
      ...(responsible ? { responsible: { uziNumber: responsible.uziNumber, roleCode: responsible.roleCode } } : {}),
    });
    const query = {
      bsn: subject.bsn,
      requester: {
        applicationId: deps.me.applicationId,
        professional: subject.professional,
        ...(responsible ? { responsible } : {}),
      },
      treatmentRelation: true,
      situation: subject.situation,
      patientCannotConsent: subject.patientCannotConsent,
      verbalConsent: extra.verbalConsent === true,
    };
    return interaction === 'QURX_IN990011NL'
      ? deps.lsp.queryMedication(
          {
            ...query,
            ...(extra.from !== undefined ? { from: extra.from } : {}),
            ...(extra.to !== undefined ? { to: extra.to } : {}),
            ...(extra.latestPerProduct !== undefined ? { latestPerProduct: extra.latestPerProduct } : {}),
          },
          { aorta, assertion },
        )
      : deps.lsp.querySummary(query, { aorta, assertion });
  };
}
export type SignedQueries = ReturnType<typeof createSignedQueries>;
