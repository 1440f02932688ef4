import { OID, SourceMedicationAnswer, type Cio, type Dispense } from '@schakel/contracts';
import { el, toXml, type XElement } from '../xml/build.js';
import { validated, wireError, type Reader } from '../xml/read.js';
import { CODE_SYSTEM, recordIdRoot } from '../oids.js';
import { readIdExtension, readTsDate, tsDate, type Ii } from '../hl7/datatypes.js';
import { messageRoot, type XmlInput } from '../hl7/message.js';
import {
  medicationKind,
  prescriberElement,
  quantity,
  readMedicationKind,
  readPrescriber,
  readQuantity,
} from '../hl7/product.js';
import {
  readTransmission,
  transmissionWrapper,
  type Transmission,
  type TransmissionInput,
} from '../hl7/transmission.js';

/**
 * QURX_IN990013NL, one pharmacy's answer (and QURX_IN990113NL, the dispense-list answer, with the same
 * content): a MedicationDispenseList for the patient with one medicationDispenseEvent per dispense (product
 * with G-Standaard codes and ATC, quantity, dosage text, dispense date, prescriber, pharmacy) and, when the
 * pharmacy knows the patient, the contra-indications and intolerances (CiO) it records.
 */
export const MEDICATION_ANSWER_INTERACTIONS = ['QURX_IN990013NL', 'QURX_IN990113NL'] as const;
export type MedicationAnswerInteraction = (typeof MEDICATION_ANSWER_INTERACTIONS)[number];

export interface AnswerOptions<I extends string> {
  interaction?: I;
  /** The wrapper: the source is the sender; acknowledgement defaults to AA of `inResponseTo`. */
  transmission: TransmissionInput;
  /** The query this answers (its message id). */
  inResponseTo: string | Ii;
  /** The patient: needed when the answer holds no record to name them. */
  bsn: string;
}

export interface MedicationAnswerMessage {
  interaction: MedicationAnswerInteraction;
  transmission: Transmission;
  /** The JSON contract's shape; its `interaction` stays QURX_IN990013NL for the list variant too. */
  answer: SourceMedicationAnswer;
}

/** Kind of record under a URA's id arc (recordIdRoot): dispenses and CiO records. */
const DISPENSE_ID = 16;
const CIO_ID = 17;

function dispenseElement(d: Dispense): XElement {
  return el(
    'component',
    { typeCode: 'COMP' },
    el(
      'medicationDispenseEvent',
      { classCode: 'SPLY', moodCode: 'EVN' },
      el('id', { root: recordIdRoot(d.pharmacy.ura, DISPENSE_ID), extension: d.id }),
      el('statusCode', { code: 'completed' }),
      tsDate('effectiveTime', d.dispensedOn),
      quantity('quantity', d.amount),
      el(
        'performer',
        null,
        el(
          'assignedPerson',
          null,
          el(
            'representedOrganization',
            null,
            el('id', { root: OID.ura, extension: d.pharmacy.ura }),
            el('name', null, d.pharmacy.name),
          ),
        ),
      ),
      el(
        'product',
        null,
        el(
          'dispensedMedication',
          null,
          medicationKind(d.product),
          el(
            'directTargetOf',
            null,
            el(
              'prescription',
              null,
              el('statusCode', { code: 'active' }),
              el('author', null, prescriberElement(d.prescriber)),
            ),
          ),
          el(
            'therapeuticAgentOf',
            null,
            el(
              'medicationAdministrationRequest',
              null,
              el('text', { mediaType: 'text/plain' }, d.dosageInstruction),
              el('statusCode', { code: 'active' }),
            ),
          ),
        ),
      ),
    ),
  );
}

function cioElement(c: Cio, root: string): XElement {
  return el(
    'component',
    null,
    el(
      'observation',
      { classCode: 'OBS', moodCode: 'EVN' },
      el('id', { root, extension: c.id }),
      el('code', { code: c.kind, codeSystem: CODE_SYSTEM.cioKind }),
      tsDate('effectiveTime', c.recordedOn),
      el(
        'value',
        c.code !== undefined
          ? { 'xsi:type': 'CD', code: c.code, codeSystem: CODE_SYSTEM.gstdThesaurus, displayName: c.name }
          : { 'xsi:type': 'CD', nullFlavor: 'OTH' },
        el('originalText', null, c.name),
        c.atc !== undefined && el('translation', { code: c.atc, codeSystem: CODE_SYSTEM.atc }),
      ),
    ),
  );
}

/**
 * The ControlActProcess content: the list for the patient and the query acknowledgement. CiO records get
 * ids under the pharmacy's URA arc, or under its application id arc when the URA is not known.
 */
export function medicationAnswerPayload(
  answer: SourceMedicationAnswer,
  bsn: string,
  source: { applicationId: string; ura?: string },
): XElement[] {
  for (const d of answer.dispenses)
    if (d.bsn !== bsn) throw new Error('Every dispense in one answer must be for the patient the answer is about');
  const cios = answer.contraIndications;
  const ura = source.ura ?? answer.dispenses[0]?.pharmacy.ura;
  const cioRoot =
    ura !== undefined ? recordIdRoot(ura, CIO_ID) : `${OID.applicationId}.${source.applicationId}.${CIO_ID}`;
  return [
    el(
      'subject',
      { typeCode: 'SUBJ' },
      el(
        'MedicationDispenseList',
        { classCode: 'LIST', moodCode: 'EVN' },
        el('code', { code: 'MEDLIST', codeSystem: CODE_SYSTEM.actCode }),
        el('subject', null, el('Patient', { classCode: 'PAT' }, el('id', { root: OID.bsn, extension: bsn }))),
        answer.dispenses.map(dispenseElement),
        cios !== undefined &&
          el(
            'pertinentInformation',
            null,
            el(
              'contraIndicationList',
              { classCode: 'LIST', moodCode: 'EVN' },
              cios.map((c) => cioElement(c, cioRoot)),
            ),
          ),
      ),
    ),
    el(
      'queryAck',
      null,
      el('queryResponseCode', { code: answer.dispenses.length > 0 || (cios ?? []).length > 0 ? 'OK' : 'NF' }),
      el('resultTotalQuantity', { value: String(answer.dispenses.length) }),
    ),
  ];
}

export function encodeMedicationAnswer(
  input: SourceMedicationAnswer,
  options: AnswerOptions<MedicationAnswerInteraction>,
): string {
  const answer = validated(SourceMedicationAnswer, input, 'SourceMedicationAnswer');
  const transmission: TransmissionInput = {
    ...options.transmission,
    acknowledgement: { typeCode: 'AA', targetMessageId: options.inResponseTo, ...options.transmission.acknowledgement },
  };
  return toXml(
    transmissionWrapper(
      options.interaction ?? 'QURX_IN990013NL',
      transmission,
      { acceptAckCode: 'NE' },
      el(
        'ControlActProcess',
        { moodCode: 'EVN' },
        medicationAnswerPayload(answer, options.bsn, {
          applicationId: options.transmission.sender.applicationId,
          ...(options.transmission.sender.organisation !== undefined
            ? { ura: options.transmission.sender.organisation.ura }
            : {}),
        }),
      ),
    ),
  );
}

function readDispense(r: Reader, bsn: string): Dispense {
  const e = r.need('medicationDispenseEvent');
  const org = e.need('performer').need('assignedPerson').need('representedOrganization');
  const med = e.need('product').need('dispensedMedication');
  return {
    id: e.need('id').needAttr('extension'),
    bsn,
    pharmacy: { ura: readIdExtension(org.need('id'), OID.ura), name: org.child('name')?.text() ?? '' },
    product: readMedicationKind(med.need('MedicationKind')),
    amount: readQuantity(e.need('quantity')),
    dosageInstruction: med.need('therapeuticAgentOf').need('medicationAdministrationRequest').need('text').text(),
    dispensedOn: readTsDate(e.need('effectiveTime')),
    prescriber: readPrescriber(med.need('directTargetOf').need('prescription').need('author').need('AssignedPerson')),
  };
}

function readCio(r: Reader, bsn: string): Cio {
  const o = r.need('observation');
  const kind = o.need('code').needAttr('code');
  const value = o.need('value');
  const atc = value
    .all('translation')
    .find((t) => t.attr('codeSystem') === CODE_SYSTEM.atc)
    ?.attr('code');
  const code = value.attr('code');
  return {
    id: o.need('id').needAttr('extension'),
    bsn,
    kind: kind as Cio['kind'],
    name: value.child('originalText')?.text() ?? value.attr('displayName') ?? '',
    ...(code !== undefined ? { code } : {}),
    ...(atc !== undefined ? { atc } : {}),
    recordedOn: readTsDate(o.need('effectiveTime')),
  };
}

/** Read the ControlActProcess of a medication answer (also used for the answers inside a batch). */
export function readMedicationAnswerPayload(root: Reader): SourceMedicationAnswer {
  const act = root.need('ControlActProcess');
  const list = act.child('subject')?.child('MedicationDispenseList');
  if (list === undefined) return { interaction: 'QURX_IN990013NL', dispenses: [] };
  const bsn = readIdExtension(list.need('subject').need('Patient').need('id'), OID.bsn);
  const dispenses = list.all('component').map((c) => readDispense(c, bsn));
  const cioList = list.child('pertinentInformation')?.child('contraIndicationList');
  const answer = {
    interaction: 'QURX_IN990013NL' as const,
    dispenses,
    ...(cioList !== undefined ? { contraIndications: cioList.all('component').map((c) => readCio(c, bsn)) } : {}),
  };
  return validated(SourceMedicationAnswer, answer, root.name);
}

export function decodeMedicationAnswer(input: XmlInput): MedicationAnswerMessage {
  const root = messageRoot(input);
  const transmission = readTransmission(root, MEDICATION_ANSWER_INTERACTIONS);
  if (transmission.acknowledgement === undefined)
    throw wireError(
      `${root.path}/acknowledgement`,
      'MISSING_FIELD',
      'the acknowledgement of the query',
      'an answer names the query it answers',
    );
  return {
    interaction: root.name as MedicationAnswerInteraction,
    transmission,
    answer: readMedicationAnswerPayload(root),
  };
}
