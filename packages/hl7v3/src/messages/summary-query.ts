import type { z } from 'zod';
import { SourceSummaryQuery, SummaryQuery } from '@schakel/contracts';
import { toXml } from '../xml/build.js';
import { validated, wireError } from '../xml/read.js';
import { controlAct, readControlAct, type ActingOrganisation } from '../hl7/control-act.js';
import { messageRoot, type XmlInput } from '../hl7/message.js';
import { queryByParameter, readQueryByParameter } from '../hl7/query.js';
import {
  readTransmission,
  transmissionWrapper,
  type Transmission,
  type TransmissionInput,
} from '../hl7/transmission.js';
import type { RequesterMessageOptions, SourceMessageOptions } from './medication-query.js';

/**
 * QUPC_IN990001NL, the professional summary query (huisartswaarneemgegevens), in both legs: the requester's
 * SummaryQuery to the switch point, and the switch point's SourceSummaryQuery to the patient's GP. On the
 * leg to the GP the requesting organisation carries its organisation type (Organization/code) when the
 * switch point knows it: a GP may decline to share with a kind of organisation (SharingScope).
 */
export const SUMMARY_QUERY = 'QUPC_IN990001NL';
export type SummaryQueryOut = z.output<typeof SummaryQuery>;

export interface SummaryQueryMessage {
  interaction: typeof SUMMARY_QUERY;
  transmission: Transmission;
  query: SummaryQueryOut;
  requesterOrganisation?: ActingOrganisation;
}

export function encodeSummaryQuery(input: SummaryQuery, options: Omit<RequesterMessageOptions, 'interaction'>): string {
  const q = validated(SummaryQuery, input, 'SummaryQuery');
  const transmission: TransmissionInput = {
    ...options.transmission,
    sender: { ...options.transmission.sender, applicationId: q.requester.applicationId },
  };
  return toXml(
    transmissionWrapper(
      SUMMARY_QUERY,
      transmission,
      { acceptAckCode: 'AL' },
      controlAct(
        {
          author: q.requester.professional,
          ...(options.requesterOrganisation !== undefined ? { organisation: options.requesterOrganisation } : {}),
          ...(q.requester.responsible !== undefined ? { responsible: q.requester.responsible } : {}),
        },
        queryByParameter(q),
      ),
    ),
  );
}

export function decodeSummaryQuery(input: XmlInput): SummaryQueryMessage {
  const root = messageRoot(input);
  const transmission = readTransmission(root, [SUMMARY_QUERY]);
  const { act, author, organisation, responsible } = readControlAct(root);
  if (author === undefined)
    throw wireError(
      `${act.path}/authorOrPerformer`,
      'MISSING_FIELD',
      'the acting professional (AssignedPerson)',
      'a query names the professional who asks',
    );
  const p = readQueryByParameter(act);
  const query = validated(
    SummaryQuery,
    {
      bsn: p.bsn,
      requester: {
        applicationId: transmission.sender.applicationId,
        professional: author,
        ...(responsible !== undefined ? { responsible } : {}),
      },
      treatmentRelation: p.treatmentRelation ?? false,
      ...(p.situation !== undefined ? { situation: p.situation } : {}),
      ...(p.verbalConsent !== undefined ? { verbalConsent: p.verbalConsent } : {}),
      ...(p.patientCannotConsent !== undefined ? { patientCannotConsent: p.patientCannotConsent } : {}),
    },
    root.name,
  );
  return {
    interaction: SUMMARY_QUERY,
    transmission,
    query,
    ...(organisation !== undefined ? { requesterOrganisation: organisation } : {}),
  };
}

export interface SourceSummaryQueryMessage {
  interaction: typeof SUMMARY_QUERY;
  transmission: Transmission;
  query: SourceSummaryQuery;
}

export function encodeSourceSummaryQuery(
  input: SourceSummaryQuery,
  options: Omit<SourceMessageOptions<typeof SUMMARY_QUERY>, 'interaction'>,
): string {
  const q = validated(SourceSummaryQuery, input, 'SourceSummaryQuery');
  return toXml(
    transmissionWrapper(
      SUMMARY_QUERY,
      options.transmission,
      { acceptAckCode: 'AL' },
      controlAct(
        {
          author: q.requester.professional,
          organisation: {
            ura: q.requester.ura,
            name: q.requester.organisationName,
            ...(q.requester.organisationType !== undefined ? { type: q.requester.organisationType } : {}),
          },
        },
        queryByParameter({ bsn: q.bsn }),
      ),
    ),
  );
}

export function decodeSourceSummaryQuery(input: XmlInput): SourceSummaryQueryMessage {
  const root = messageRoot(input);
  const transmission = readTransmission(root, [SUMMARY_QUERY]);
  const { act, author, organisation } = readControlAct(root);
  if (author === undefined || organisation === undefined) {
    throw wireError(
      `${act.path}/authorOrPerformer`,
      'MISSING_FIELD',
      'the professional and their organisation (AssignedPerson with Organization)',
      'the switch point names who asks',
    );
  }
  const p = readQueryByParameter(act);
  const query = validated(
    SourceSummaryQuery,
    {
      bsn: p.bsn,
      requester: {
        ura: organisation.ura,
        organisationName: organisation.name ?? '',
        ...(organisation.type !== undefined ? { organisationType: organisation.type } : {}),
        professional: author,
      },
    },
    root.name,
  );
  return { interaction: SUMMARY_QUERY, transmission, query };
}
