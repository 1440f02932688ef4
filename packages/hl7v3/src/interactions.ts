import { problem } from '@schakel/contracts';
import type { XmlInput } from './hl7/message.js';
import type { SoapEnvelope } from './soap/envelope.js';
import { decodeMedicationQuery, decodeSourceMedicationQuery } from './messages/medication-query.js';
import { decodeMedicationAnswer } from './messages/medication-answer.js';
import { decodeSourceSummaryQuery, decodeSummaryQuery } from './messages/summary-query.js';
import { decodeSummaryAnswer } from './messages/summary-answer.js';
import { decodeObservationReportDelivery, decodeObservationReportSubmission } from './messages/observation-report.js';
import { decodeRegistration } from './messages/registration.js';
import { decodeBatch } from './messages/batch.js';
import { decodeAcknowledgement } from './messages/acknowledgement.js';

/**
 * One definition per interaction on the AORTA wire: its id, its Dutch name in the AORTA vocabulary, its
 * SOAP Action, what the switch point answers and what a source answers, and the decoder for its body at
 * the switch point and at a source. The WSDLs, the docs and an endpoint's dispatch all read this list.
 */
export const WIRE_INTERACTIONS = [
  'QURX_IN990011NL',
  'QURX_IN990111NL',
  'QURX_IN990013NL',
  'QURX_IN990113NL',
  'QUPC_IN990001NL',
  'QUPC_IN990002NL',
  'REPC_IN990003NL',
  'MFMT_IN002101',
  'MFMT_IN002102',
  'MFMT_IN002103',
  'MCCI_IN200101',
  'MCCI_IN000002',
] as const;
export type WireInteraction = (typeof WIRE_INTERACTIONS)[number];

/**
 * AORTA's SOAP Action for an interaction: the HL7 namespace, a slash, the interaction id (unverified: the
 * HL7 Web Services profile also shows urn:hl7-org:v3:<id>; change it here and everything follows).
 */
export const SOAP_ACTION_PREFIX = 'urn:hl7-org:v3/';
export const actionOf = (id: WireInteraction) => `${SOAP_ACTION_PREFIX}${id}`;

export interface InteractionDefinition {
  id: WireInteraction;
  /** The name in the AORTA vocabulary. */
  title: string;
  description: string;
  action: string;
  /** What the switch point answers when this is sent to it. */
  answer?: WireInteraction;
  /** What a source answers when the switch point sends this on. */
  sourceAnswer?: WireInteraction;
  /** Decodes the body as the switch point receives it. */
  decode: (input: XmlInput) => unknown;
  /** Decodes the body as a source (pharmacy, GP) receives it from the switch point. */
  decodeAtSource?: (input: XmlInput) => unknown;
}

const def = (d: Omit<InteractionDefinition, 'action'>): InteractionDefinition => ({ ...d, action: actionOf(d.id) });

export const INTERACTION_DEFINITIONS: Readonly<Record<WireInteraction, InteractionDefinition>> = {
  QURX_IN990011NL: def({
    id: 'QURX_IN990011NL',
    title: 'Opvragen medicatieverstrekkingen',
    description: 'medication (dispenses) query',
    answer: 'MCCI_IN200101',
    sourceAnswer: 'QURX_IN990013NL',
    decode: decodeMedicationQuery,
    decodeAtSource: decodeSourceMedicationQuery,
  }),
  QURX_IN990111NL: def({
    id: 'QURX_IN990111NL',
    title: 'Opvragen medicatieverstrekkingenlijst',
    description: 'medication dispense list query',
    answer: 'MCCI_IN200101',
    sourceAnswer: 'QURX_IN990113NL',
    decode: decodeMedicationQuery,
    decodeAtSource: decodeSourceMedicationQuery,
  }),
  QURX_IN990013NL: def({
    id: 'QURX_IN990013NL',
    title: 'Opleveren medicatieverstrekkingen',
    description: 'one pharmacy’s dispenses',
    decode: decodeMedicationAnswer,
  }),
  QURX_IN990113NL: def({
    id: 'QURX_IN990113NL',
    title: 'Opleveren medicatieverstrekkingenlijst',
    description: 'one pharmacy’s dispense list',
    decode: decodeMedicationAnswer,
  }),
  QUPC_IN990001NL: def({
    id: 'QUPC_IN990001NL',
    title: 'Opvragen professionele samenvatting',
    description: 'professional summary query',
    answer: 'MCCI_IN200101',
    sourceAnswer: 'QUPC_IN990002NL',
    decode: decodeSummaryQuery,
    decodeAtSource: decodeSourceSummaryQuery,
  }),
  QUPC_IN990002NL: def({
    id: 'QUPC_IN990002NL',
    title: 'Opleveren professionele samenvatting',
    description: 'the GP’s professional summary',
    decode: decodeSummaryAnswer,
  }),
  REPC_IN990003NL: def({
    id: 'REPC_IN990003NL',
    title: 'Sturen waarneemverslag',
    description: 'observation report to the patient’s own GP',
    answer: 'MCCI_IN000002',
    sourceAnswer: 'MCCI_IN000002',
    decode: decodeObservationReportSubmission,
    decodeAtSource: decodeObservationReportDelivery,
  }),
  MFMT_IN002101: def({
    id: 'MFMT_IN002101',
    title: 'Aanmelden patiëntgegevens',
    description: 'register in the reference index',
    answer: 'MCCI_IN000002',
    decode: decodeRegistration,
  }),
  MFMT_IN002102: def({
    id: 'MFMT_IN002102',
    title: 'Heraanmelden patiëntgegevens',
    description: 're-register in the reference index',
    answer: 'MCCI_IN000002',
    decode: decodeRegistration,
  }),
  MFMT_IN002103: def({
    id: 'MFMT_IN002103',
    title: 'Afmelden patiëntgegevens',
    description: 'deregister from the reference index',
    answer: 'MCCI_IN000002',
    decode: decodeRegistration,
  }),
  MCCI_IN200101: def({
    id: 'MCCI_IN200101',
    title: 'Batchantwoord',
    description: 'the collected answers of a fanned-out query',
    decode: decodeBatch,
  }),
  MCCI_IN000002: def({
    id: 'MCCI_IN000002',
    title: 'Ontvangstbevestiging',
    description: 'acknowledgement (AA / AE / AR)',
    decode: decodeAcknowledgement,
  }),
};

export function interactionForAction(action: string): InteractionDefinition | undefined {
  return Object.values(INTERACTION_DEFINITIONS).find((d) => d.action === action);
}

/**
 * The interaction an envelope carries: its Action must be a known one and name the body's element, so a
 * message cannot be routed as one interaction and decoded as another.
 */
export function interactionOf(
  envelope: Pick<SoapEnvelope, 'action' | 'bodyName' | 'bodyNamespace'>,
): InteractionDefinition {
  const d = interactionForAction(envelope.action);
  if (d === undefined) {
    throw problem('VALIDATION_ERROR', `Unknown SOAP Action ${envelope.action}`, {
      field: 'Envelope/Header/wsa:Action',
      expected: `one of ${Object.values(INTERACTION_DEFINITIONS)
        .map((x) => x.action)
        .join(', ')}`,
    });
  }
  if (envelope.bodyName !== d.id || envelope.bodyNamespace !== 'urn:hl7-org:v3') {
    throw problem(
      'VALIDATION_ERROR',
      `The Action says ${d.id} but the body holds {${envelope.bodyNamespace ?? ''}}${envelope.bodyName}`,
      { field: 'Envelope/Body', expected: `a ${d.id} element in urn:hl7-org:v3` },
    );
  }
  return d;
}

/** The services a WSDL is written for: the switch point's three, and the two a source implements. */
export const SERVICES = {
  query: {
    name: 'SchakelQueryService',
    description: 'The switch point’s fanned-out queries: one MCCI_IN200101 batch with a message per source.',
    operations: [
      { request: 'QURX_IN990011NL', answer: 'MCCI_IN200101' },
      { request: 'QURX_IN990111NL', answer: 'MCCI_IN200101' },
      { request: 'QUPC_IN990001NL', answer: 'MCCI_IN200101' },
    ],
  },
  report: {
    name: 'SchakelReportService',
    description: 'Observation reports (waarneemverslag) routed by the switch point to the patient’s own GP.',
    operations: [{ request: 'REPC_IN990003NL', answer: 'MCCI_IN000002' }],
  },
  registration: {
    name: 'SchakelRegistrationService',
    description: 'Registration of a data holder in the reference index (verwijsindex).',
    operations: [
      { request: 'MFMT_IN002101', answer: 'MCCI_IN000002' },
      { request: 'MFMT_IN002102', answer: 'MCCI_IN000002' },
      { request: 'MFMT_IN002103', answer: 'MCCI_IN000002' },
    ],
  },
  pharmacySource: {
    name: 'PharmacySourceService',
    description: 'What a pharmacy system (AIS) that speaks HL7v3 implements for the switch point.',
    operations: [
      { request: 'QURX_IN990011NL', answer: 'QURX_IN990013NL' },
      { request: 'QURX_IN990111NL', answer: 'QURX_IN990113NL' },
    ],
  },
  gpSource: {
    name: 'GpSourceService',
    description: 'What a GP system (HIS) that speaks HL7v3 implements for the switch point.',
    operations: [
      { request: 'QUPC_IN990001NL', answer: 'QUPC_IN990002NL' },
      { request: 'REPC_IN990003NL', answer: 'MCCI_IN000002' },
    ],
  },
} as const satisfies Record<
  string,
  {
    name: string;
    description: string;
    operations: ReadonlyArray<{ request: WireInteraction; answer: WireInteraction }>;
  }
>;
export type ServiceName = keyof typeof SERVICES;
