/**
 * @schakel/hl7v3: AORTA on the wire. HL7v3 messages in SOAP 1.2 envelopes with WS-Addressing, the
 * professional's XML-DSig signed assertion in the header, and codecs between the HL7v3 interactions and
 * Schakel's JSON contracts. Pure functions: no HTTP here (the switch point's endpoint uses these).
 */
export { parseXml, DEFAULT_XML_LIMITS, type XmlLimits } from './xml/parse.js';
export { el, raw, toXml, escapeAttr, escapeText, type XElement, type XChild } from './xml/build.js';
export { CODE_SYSTEM, LSP_APPLICATION_ID, NS, SCHAKEL_OID_ROOT, WRAPPER, messageIdRoot } from './oids.js';
export type { Code, Ii } from './hl7/datatypes.js';
export type { XmlInput } from './hl7/message.js';
export type { ActingOrganisation } from './hl7/control-act.js';
export {
  readTransmission,
  toIi,
  type AckDetail,
  type AckTypeCode,
  type AcceptAckCode,
  type Acknowledgement,
  type AttentionLine,
  type Device,
  type Organisation,
  type ProcessingCode,
  type Transmission,
  type TransmissionInput,
} from './hl7/transmission.js';

export {
  buildAnswerEnvelope,
  buildEnvelope,
  buildFault,
  parseEnvelope,
  uuidOf,
  WSA_ANONYMOUS,
  WSA_FAULT_ACTION,
  type Addressing,
  type EnvelopeInput,
  type FaultInput,
  type SoapEnvelope,
  type SoapFault,
} from './soap/envelope.js';

export {
  decodeMedicationQuery,
  decodeSourceMedicationQuery,
  encodeMedicationQuery,
  encodeSourceMedicationQuery,
  MEDICATION_QUERY_INTERACTIONS,
  type MedicationQueryInteraction,
  type MedicationQueryMessage,
  type MedicationQueryOut,
  type RequesterMessageOptions,
  type SourceMedicationQueryMessage,
  type SourceMessageOptions,
} from './messages/medication-query.js';
export {
  decodeMedicationAnswer,
  encodeMedicationAnswer,
  MEDICATION_ANSWER_INTERACTIONS,
  type AnswerOptions,
  type MedicationAnswerInteraction,
  type MedicationAnswerMessage,
} from './messages/medication-answer.js';
export {
  decodeSourceSummaryQuery,
  decodeSummaryQuery,
  encodeSourceSummaryQuery,
  encodeSummaryQuery,
  SUMMARY_QUERY,
  type SourceSummaryQueryMessage,
  type SummaryQueryMessage,
  type SummaryQueryOut,
} from './messages/summary-query.js';
export {
  decodeSummaryAnswer,
  encodeSummaryAnswer,
  SUMMARY_ANSWER,
  type SummaryAnswerMessage,
} from './messages/summary-answer.js';
export {
  decodeObservationReportDelivery,
  decodeObservationReportSubmission,
  encodeObservationReportDelivery,
  encodeObservationReportSubmission,
  OBSERVATION_REPORT,
  type ObservationReportMessage,
} from './messages/observation-report.js';
export {
  decodeRegistration,
  encodeRegistration,
  REGISTRATION_INTERACTIONS,
  type RegistrationInteraction,
  type RegistrationMessage,
} from './messages/registration.js';
export {
  ACKNOWLEDGEMENT,
  ackTypeForProblem,
  acknowledgementFromProblem,
  decodeAcknowledgement,
  decodeReportAcknowledgement,
  encodeAcknowledgement,
  encodeReportAcknowledgement,
  hl7DetailCode,
  problemAcknowledgement,
  problemFromAcknowledgement,
  type AcknowledgementInput,
  type AcknowledgementMessage,
} from './messages/acknowledgement.js';
export {
  BATCH,
  BATCH_ANSWER_INTERACTIONS,
  decodeBatch,
  encodeBatch,
  type BatchAnswerInteraction,
  type BatchMessage,
  type BatchOptions,
} from './messages/batch.js';

export {
  ASSERTION_MAX_LIFETIME_SECONDS,
  audienceOf,
  type HeaderAssertionClaims,
  type HeaderAssertionFailure,
  type HeaderVerifyResult,
} from './assertion/claims.js';
export { signAssertionHeader, type AssertionHeaderInput, type Card } from './assertion/sign.js';
export { verifyAssertionHeader, type VerifyAssertionOptions } from './assertion/verify.js';

export {
  actionOf,
  INTERACTION_DEFINITIONS,
  interactionForAction,
  interactionOf,
  SERVICES,
  SOAP_ACTION_PREFIX,
  WIRE_INTERACTIONS,
  type InteractionDefinition,
  type ServiceName,
  type WireInteraction,
} from './interactions.js';
export { buildWsdl, type WsdlOptions } from './wsdl.js';
