import type { z } from 'zod';
import { MedicationQuery, SourceMedicationQuery } from '@schakel/contracts';
import { toXml } from '../xml/build.js';
import { validated } from '../xml/read.js';
import { controlAct, readControlAct, type ActingOrganisation } from '../hl7/control-act.js';
import { messageRoot, type XmlInput } from '../hl7/message.js';
import { queryByParameter, readQueryByParameter } from '../hl7/query.js';
import {
  readTransmission,
  transmissionWrapper,
  type Device,
  type Transmission,
  type TransmissionInput,
} from '../hl7/transmission.js';
import { wireError } from '../xml/read.js';

/**
 * QURX_IN990011NL (medication dispenses query) and its dispense-list variant QURX_IN990111NL, in both legs:
 * - requester -> switch point: the JSON MedicationQuery (the sender device is the requester's application id);
 * - switch point -> source: the JSON SourceMedicationQuery (the requesting organisation travels with the author).
 */
export const MEDICATION_QUERY_INTERACTIONS = ['QURX_IN990011NL', 'QURX_IN990111NL'] as const;
export type MedicationQueryInteraction = (typeof MEDICATION_QUERY_INTERACTIONS)[number];
export type MedicationQueryOut = z.output<typeof MedicationQuery>;

export interface RequesterMessageOptions {
  interaction?: MedicationQueryInteraction;
  /** The wrapper; the sender is the requester's application id from the query. */
  transmission: Omit<TransmissionInput, 'sender'> & { sender?: Omit<Device, 'applicationId'> };
  /** The requesting organisation, when the sender wants to name it (the switch point knows it from the address book). */
  requesterOrganisation?: ActingOrganisation;
}

export interface MedicationQueryMessage {
  interaction: MedicationQueryInteraction;
  transmission: Transmission;
  query: MedicationQueryOut;
  requesterOrganisation?: ActingOrganisation;
}

export function encodeMedicationQuery(input: MedicationQuery, options: RequesterMessageOptions): string {
  const q = validated(MedicationQuery, input, 'MedicationQuery');
  const interaction = options.interaction ?? 'QURX_IN990011NL';
  const transmission: TransmissionInput = {
    ...options.transmission,
    sender: { ...options.transmission.sender, applicationId: q.requester.applicationId },
  };
  return toXml(
    transmissionWrapper(
      interaction,
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

export function decodeMedicationQuery(input: XmlInput): MedicationQueryMessage {
  const root = messageRoot(input);
  const transmission = readTransmission(root, MEDICATION_QUERY_INTERACTIONS);
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
    MedicationQuery,
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
      ...(p.from !== undefined ? { from: p.from } : {}),
      ...(p.to !== undefined ? { to: p.to } : {}),
      ...(p.latestPerProduct !== undefined ? { latestPerProduct: p.latestPerProduct } : {}),
    },
    root.name,
  );
  return {
    interaction: root.name as MedicationQueryInteraction,
    transmission,
    query,
    ...(organisation !== undefined ? { requesterOrganisation: organisation } : {}),
  };
}

export interface SourceMessageOptions<I extends string> {
  interaction?: I;
  /** Sender: the switch point (application id 1 or 3); receiver: the source. */
  transmission: TransmissionInput;
}

export interface SourceMedicationQueryMessage {
  interaction: MedicationQueryInteraction;
  transmission: Transmission;
  query: SourceMedicationQuery;
}

export function encodeSourceMedicationQuery(
  input: SourceMedicationQuery,
  options: SourceMessageOptions<MedicationQueryInteraction>,
): string {
  const q = validated(SourceMedicationQuery, input, 'SourceMedicationQuery');
  return toXml(
    transmissionWrapper(
      options.interaction ?? 'QURX_IN990011NL',
      options.transmission,
      { acceptAckCode: 'AL' },
      controlAct(
        {
          author: q.requester.professional,
          organisation: { ura: q.requester.ura, name: q.requester.organisationName },
        },
        queryByParameter(q),
      ),
    ),
  );
}

export function decodeSourceMedicationQuery(input: XmlInput): SourceMedicationQueryMessage {
  const root = messageRoot(input);
  const transmission = readTransmission(root, MEDICATION_QUERY_INTERACTIONS);
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
    SourceMedicationQuery,
    {
      bsn: p.bsn,
      requester: { ura: organisation.ura, organisationName: organisation.name ?? '', professional: author },
      ...(p.from !== undefined ? { from: p.from } : {}),
      ...(p.to !== undefined ? { to: p.to } : {}),
      ...(p.latestPerProduct !== undefined ? { latestPerProduct: p.latestPerProduct } : {}),
    },
    root.name,
  );
  return { interaction: root.name as MedicationQueryInteraction, transmission, query };
}
