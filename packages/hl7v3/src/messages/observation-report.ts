import {
  OID,
  ObservationReportDelivery,
  ObservationReportSubmission,
  type ObservationEncounter,
} from '@schakel/contracts';
import { el, toXml, type XElement } from '../xml/build.js';
import { validated, wireError, type Reader } from '../xml/read.js';
import { messageIdRoot } from '../oids.js';
import { readIdExtension, readTsDateTime, tsDateTime } from '../hl7/datatypes.js';
import { controlAct, readControlAct, type ControlActInput } from '../hl7/control-act.js';
import {
  encounterComponents,
  readEncounterComponents,
  readTreatmentLimitContent,
  treatmentLimitElement,
} from '../hl7/encounter.js';
import { messageRoot, type XmlInput } from '../hl7/message.js';
import {
  readTransmission,
  transmissionWrapper,
  type Transmission,
  type TransmissionInput,
} from '../hl7/transmission.js';

/**
 * REPC_IN990003NL, the observation report (waarneemverslag) from the HAP, SEH or ambulance to the patient's
 * own GP: the author (and the responsible professional), the sending system (AssignedDevice), and an
 * observationReport act whose id is the report's message id (kept across retries; the GP de-duplicates on
 * it), with the patient, when it was written, the encounter (when, regular or acute as ActPriority R/EM,
 * the complaint, findings and actions as S, O and P lines), an optional episode proposal (ICPC), the
 * handover notes, and the treatment limits agreed or learnt in the encounter (one treatmentLimit component
 * each, as in the summary; hl7/encounter.ts renders both). Two legs: the sender's submission to the
 * switch point, the switch point's delivery to the GP.
 */
export const OBSERVATION_REPORT = 'REPC_IN990003NL';
type Encounter = ObservationEncounter & { at: string };

export interface ObservationReportMessage<T> {
  interaction: typeof OBSERVATION_REPORT;
  transmission: Transmission;
  report: T;
}

function reportAct(
  r: { messageId: string; bsn: string; situation: 'regular' | 'acute'; encounter: Encounter; writtenAt: string },
  senderApplicationId: string,
): XElement {
  const { treatmentLimits, ...e } = r.encounter;
  return el(
    'subject',
    { typeCode: 'SUBJ' },
    el(
      'observationReport',
      { classCode: 'DOCCLIN', moodCode: 'EVN' },
      el('id', { root: messageIdRoot(senderApplicationId), extension: r.messageId }),
      el('recordTarget', null, el('Patient', { classCode: 'PAT' }, el('id', { root: OID.bsn, extension: r.bsn }))),
      el('author', null, tsDateTime('time', r.writtenAt)),
      encounterComponents(r.situation, e),
      // No list element: an empty list and none at all are the same on the wire (and to the GP: nothing reported).
      (treatmentLimits ?? []).map((t) => el('component', null, treatmentLimitElement(t))),
    ),
  );
}

function readReport(act: Reader) {
  const r = act.need('subject').need('observationReport');
  const { situation, encounter } = readEncounterComponents(r);
  const limits = r
    .all('component')
    .map((c) => c.child('treatmentLimit'))
    .filter((x) => x !== undefined)
    .map(readTreatmentLimitContent);
  return {
    messageId: r.need('id').needAttr('extension'),
    bsn: readIdExtension(r.need('recordTarget').need('Patient').need('id'), OID.bsn),
    situation,
    encounter: { ...encounter, ...(limits.length > 0 ? { treatmentLimits: limits } : {}) },
    writtenAt: readTsDateTime(r.need('author').need('time')),
  };
}

function encode(
  report: Parameters<typeof reportAct>[0],
  senderApplicationId: string,
  act: ControlActInput,
  transmission: TransmissionInput,
): string {
  return toXml(
    transmissionWrapper(
      OBSERVATION_REPORT,
      { ...transmission, id: transmission.id ?? report.messageId },
      { acceptAckCode: 'AL' },
      controlAct(act, reportAct(report, senderApplicationId)),
    ),
  );
}

/** The sender's leg: the sender device is the reporting system; the wrapper id defaults to the report's message id. */
export function encodeObservationReportSubmission(
  input: ObservationReportSubmission,
  options: { transmission: Omit<TransmissionInput, 'sender'> },
): string {
  const s = validated(ObservationReportSubmission, input, 'ObservationReportSubmission');
  return encode(
    s,
    s.sender.applicationId,
    {
      author: s.sender.professional,
      ...(s.sender.responsible !== undefined ? { responsible: s.sender.responsible } : {}),
    },
    {
      ...options.transmission,
      sender: { applicationId: s.sender.applicationId },
    },
  );
}

export function decodeObservationReportSubmission(
  input: XmlInput,
): ObservationReportMessage<ObservationReportSubmission> {
  const root = messageRoot(input);
  const transmission = readTransmission(root, [OBSERVATION_REPORT]);
  const { act, author, responsible, device } = readControlAct(root);
  if (author === undefined)
    throw wireError(
      `${act.path}/authorOrPerformer`,
      'MISSING_FIELD',
      'the author (AssignedPerson)',
      'a report names its author',
    );
  const r = readReport(act);
  const report = validated(
    ObservationReportSubmission,
    {
      ...r,
      sender: {
        applicationId: device ?? transmission.sender.applicationId,
        professional: author,
        ...(responsible !== undefined ? { responsible } : {}),
      },
    },
    root.name,
  );
  return { interaction: OBSERVATION_REPORT, transmission, report };
}

/** The switch point's leg to the GP: the reporting organisation with the author, the reporting system as AssignedDevice. */
export function encodeObservationReportDelivery(
  input: ObservationReportDelivery,
  options: { transmission: TransmissionInput },
): string {
  const d = validated(ObservationReportDelivery, input, 'ObservationReportDelivery');
  return encode(
    d,
    d.sender.applicationId,
    {
      author: d.author,
      organisation: { ura: d.sender.ura, name: d.sender.organisationName, type: d.sender.organisationType },
      ...(d.responsible !== undefined ? { responsible: d.responsible } : {}),
      device: d.sender.applicationId,
    },
    options.transmission,
  );
}

export function decodeObservationReportDelivery(input: XmlInput): ObservationReportMessage<ObservationReportDelivery> {
  const root = messageRoot(input);
  const transmission = readTransmission(root, [OBSERVATION_REPORT]);
  const { act, author, organisation, responsible, device } = readControlAct(root);
  if (author === undefined || organisation === undefined || device === undefined) {
    throw wireError(
      `${act.path}/authorOrPerformer`,
      'MISSING_FIELD',
      'the author with their organisation, and the reporting system (AssignedDevice)',
      'the switch point names who reports',
    );
  }
  const r = readReport(act);
  const report = validated(
    ObservationReportDelivery,
    {
      ...r,
      sender: {
        applicationId: device,
        ura: organisation.ura,
        organisationName: organisation.name ?? '',
        organisationType: organisation.type ?? '',
      },
      author,
      ...(responsible !== undefined ? { responsible } : {}),
    },
    root.name,
  );
  return { interaction: OBSERVATION_REPORT, transmission, report };
}
